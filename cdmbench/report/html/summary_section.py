"""The top of the report: headline tiles, the summary table with 95% intervals, and the plots as inline PNGs."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from pathlib import Path

from cdmbench.report.records import OVERALL, Summary
from cdmbench.report.table import format_cell

__all__ = ["PLOT_CAPTIONS", "render_plots", "render_summary"]

PLOT_CAPTIONS: dict[str, str] = {
    "diagnosis": "Diagnostic accuracy per pathology (95% Wilson interval).",
    "treatment": "Treatment required vs requested per pathology, and CDMv1's requested-when-required figure.",
    "lab_categories": "Share of cases that hit each required laboratory category.",
    "first_imaging": "Modality of the first imaging request; the pathology's preferred modality is hatched.",
}
"""Plot file stem -> caption under it."""

_TILES: tuple[tuple[str, str], ...] = (
    ("gracious_diagnosis", "gracious diagnosis"),
    ("diagnosis", "diagnosis"),
    ("physical_examination", "exam first"),
    ("laboratory_tests_fraction", "lab categories hit"),
    ("imaging", "imaging (0-2)"),
    ("treatment_recall", "treatment recall"),
)

_DETAIL_PREFIXES = ("treatment_required:", "treatment_requested:", "first_imaging:")


def _note(summary: Summary, metric: str) -> str:
    notes = summary.metric_notes
    if metric in notes:
        return notes[metric]
    prefix = metric.split(":", 1)[0] + ":"
    return notes.get(prefix, "")


def _table(summary: Summary, metrics: Sequence[str]) -> str:
    index = {(r.pathology, r.metric): r for r in summary.rows}
    head = "".join(f'<th class="num">{escape(p)}</th>' for p in summary.pathologies)
    counts = {r.pathology: r.n for r in summary.rows if r.metric == "errors"}
    rows = [
        "<tr><td><b>cases</b></td>"
        + "".join(f'<td class="num">{counts.get(p, "-")}</td>' for p in summary.pathologies)
        + "</tr>"
    ]
    for metric in metrics:
        cells = "".join(
            f'<td class="num">{escape(format_cell(index.get((p, metric))))}</td>' for p in summary.pathologies
        )
        rows.append(f'<tr><td title="{escape(_note(summary, metric))}">{escape(metric)}</td>{cells}</tr>')
    return (
        f'<div class="table-wrap"><table><thead><tr><th>metric</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _tiles(summary: Summary) -> str:
    tiles = [f'<div class="tile"><div class="v">{summary.n_cases}</div><div class="k">cases scored</div></div>']
    tiles.append(f'<div class="tile"><div class="v">{summary.errors}</div><div class="k">errors</div></div>')
    for metric, label in _TILES:
        row = summary.get(OVERALL, metric)
        if row is None or row.mean is None:
            continue
        interval = (
            f"95% CI {row.ci_low:.2f}-{row.ci_high:.2f}, n={row.n}"
            if row.ci_low is not None and row.ci_high is not None
            else f"n={row.n}"
        )
        tiles.append(
            f'<div class="tile"><div class="v">{row.mean:.2f}</div><div class="k">{escape(label)}</div>'
            f'<div class="ci">{escape(interval)}</div></div>'
        )
    return f'<div class="tiles">{"".join(tiles)}</div>'


def render_summary(summary: Summary) -> str:
    """The summary section: tiles of the overall headline metrics, the main table, the detail table, the methods.

    Args:
        summary: the run's summary (``read_run``).

    Returns:
        An HTML fragment; each cell is ``mean [low-high]`` as in the terminal table.
    """
    metrics = summary.metrics()
    main = [m for m in metrics if not m.startswith(_DETAIL_PREFIXES)]
    detail = [m for m in metrics if m.startswith(_DETAIL_PREFIXES)]
    methods = (
        f"[low-high]: {summary.confidence:.0%} interval. Shares (diagnosis, examination, lab categories, "
        f"treatments, first imaging, error rate): Wilson score interval. Means: percentile bootstrap "
        f"({summary.bootstrap_resamples} resamples, seed {summary.bootstrap_seed}). Hover a metric for its meaning."
    )
    html = '<h2 id="summary">Summary</h2>' + _tiles(summary) + _table(summary, main)
    html += f'<p class="note">{escape(methods)}</p>'
    if detail:
        html += (
            "<details><summary>Per-treatment required / requested shares and first imaging modality</summary>"
            f"{_table(summary, detail)}</details>"
        )
    return html


def render_plots(paths: Sequence[Path]) -> str:
    """The plots section: each PNG inlined as a base64 ``data:`` URI with its caption (empty when no plots)."""
    if not paths:
        return ""
    figures = []
    for path in paths:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        caption = PLOT_CAPTIONS.get(Path(path).stem, Path(path).stem)
        figures.append(
            f'<figure><img alt="{escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        )
    return f'<h2 id="plots">Plots</h2><div class="plots">{"".join(figures)}</div>'
