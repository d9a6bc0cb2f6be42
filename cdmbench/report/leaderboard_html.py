"""The leaderboard page: one sortable table per data set, everything inline (opens offline, fetches nothing)."""

from __future__ import annotations

import os
from html import escape
from itertools import groupby
from pathlib import Path

from cdmbench.report.leaderboard import HEADLINE_METRICS, Cell, LeaderboardRow

__all__ = ["render_leaderboard"]

CSS = """
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f5f7fa}
main{max-width:1280px;margin:0 auto;padding:8px 18px 48px}
header{background:#1f2f4a;color:#fff;padding:14px 18px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;font-size:12.5px;opacity:.9}
h2{font-size:16px;margin:26px 0 8px;border-bottom:1px solid #d9dee6;padding-bottom:4px}
.wrap{overflow-x:auto;background:#fff;border:1px solid #d9dee6;border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 10px;border-bottom:1px solid #edf0f4;text-align:left;vertical-align:top}
th{background:#eef2f7;font-weight:600;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td .ci{color:#5b6575;font-size:11.5px;display:block}
td.run{min-width:10em;max-width:280px;overflow-wrap:break-word}
.note{color:#5b6575;font-size:12px;margin:6px 0}a{color:#2f5fa7}
"""

SCRIPT = """
document.querySelectorAll('table.board').forEach(function(table){
  table.querySelectorAll('th').forEach(function(th, index){
    th.addEventListener('click', function(){
      var descending = th.getAttribute('aria-sort') !== 'descending';
      table.querySelectorAll('th').forEach(function(h){ h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function(a, b){
        var x = a.cells[index].getAttribute('data-v'), y = b.cells[index].getAttribute('data-v');
        var nx = parseFloat(x), ny = parseFloat(y), cmp;
        if (!isNaN(nx) && !isNaN(ny)) { cmp = nx - ny; }
        else if (isNaN(nx) !== isNaN(ny)) { return isNaN(nx) ? 1 : -1; }
        else { cmp = String(x).localeCompare(String(y)); }
        return descending ? -cmp : cmp;
      });
      rows.forEach(function(r){ body.appendChild(r); });
    });
  });
});
"""


def _cell(cell: Cell | None, share: bool) -> str:
    if cell is None or cell.mean is None:
        return '<td class="num" data-v="">&ndash;</td>'
    text = f"{100 * cell.mean:.1f}%" if share else f"{cell.mean:.2f}"
    interval = ""
    if cell.ci_low is not None and cell.ci_high is not None:
        low, high = (100 * cell.ci_low, 100 * cell.ci_high) if share else (cell.ci_low, cell.ci_high)
        interval = (
            f'<span class="ci">[{low:.1f}, {high:.1f}]</span>'
            if share
            else f'<span class="ci">[{low:.2f}, {high:.2f}]</span>'
        )
    return f'<td class="num" data-v="{cell.mean:.6f}">{text}{interval}</td>'


def _link(row: LeaderboardRow, out: Path) -> str:
    report = Path(row.path) / "report.html"
    name = escape(row.run)
    if not report.is_file():
        return name
    href = os.path.relpath(report.resolve(), out.resolve())
    return f'<a href="{escape(Path(href).as_posix())}">{name}</a>'


def _table(rows: list[LeaderboardRow], out: Path) -> str:
    heads = ["Run", "Model", "Program", "Protocol", "n", "Error rate", *HEADLINE_METRICS.values()]
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
    body = []
    for row in rows:
        error_rate = row.error_rate if row.error_rate is not None else float("nan")
        cells = [
            f'<td class="run" data-v="{escape(row.run)}">{_link(row, out)}</td>',
            f'<td data-v="{escape(row.model)}">{escape(row.model)}</td>',
            f'<td data-v="{escape(row.program)}">{escape(row.program)}</td>',
            f'<td data-v="{escape(row.protocol)}">{escape(row.protocol)}</td>',
            f'<td class="num" data-v="{row.n}">{row.n}</td>',
            f'<td class="num" data-v="{error_rate:.6f}">{100 * error_rate:.1f}%</td>'
            if row.error_rate is not None
            else '<td class="num" data-v="">&ndash;</td>',
        ]
        cells += [_cell(row.metrics.get(m), share=m != "imaging") for m in HEADLINE_METRICS]
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<div class="wrap"><table class="board"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def render_leaderboard(rows: list[LeaderboardRow], out: Path) -> str:
    """The whole page: a table per data set and protocol (rows already ordered by ``data_set``, ``protocol``)."""
    sections = []
    protocols = sorted({r.protocol for r in rows})
    for _, group in groupby(rows, key=lambda r: (r.data_set, r.protocol)):
        members = list(group)
        title = escape(members[0].data_label) + (
            f", protocol {escape(members[0].protocol)}" if len(protocols) > 1 else ""
        )
        sections.append(f"<h2>{title}</h2>{_table(members, out)}")
    mixed = (
        f'<p class="note">Runs of different protocols ({", ".join(map(escape, protocols))}) are in separate tables: '
        "a protocol changes the environment and the scoring, so compare numbers only within one.</p>"
        if len(protocols) > 1
        else ""
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1"><title>cdmbench leaderboard</title>'
        f"<style>{CSS}</style></head><body><header><h1>cdmbench leaderboard</h1>"
        f"<p>{len(rows)} runs; every case of a run counts (a failed case is a miss). Shares in %, 95% intervals in "
        "brackets (Wilson for shares, seeded bootstrap for imaging and treatment recall). Click a column to sort."
        "</p></header><main>"
        f"{mixed}{''.join(sections)}"
        '<p class="note">Runs evaluated on different data sets are in separate tables: their numbers are not '
        "comparable.</p></main>"
        f"<script>{SCRIPT}</script></body></html>"
    )
