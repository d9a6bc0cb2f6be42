"""The page around the content: inline CSS and JavaScript, the header and the sticky filter bar.

Everything is inline (no fonts, scripts or images fetched), so ``report.html`` opens anywhere, offline.
The script only shows and hides case cards: filter by pathology and by outcome (correct / incorrect by
gracious diagnosis, error), search by admission id or diagnosis, expand or collapse all.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["OUTCOMES", "filter_bar", "page_end", "page_start"]

OUTCOMES: tuple[tuple[str, str], ...] = (
    ("correct", "correct"),
    ("incorrect", "incorrect"),
    ("error", "error"),
    ("unscored", "not scored"),
)
"""(card outcome, button label) of the outcome filter, after "all"."""

CSS = """
:root{--fg:#1d2430;--muted:#5b6575;--line:#d9dee6;--bg:#f5f7fa;--card:#fff;--accent:#2f5fa7;
--ok:#1f7a44;--ok-bg:#e3f4ea;--bad:#a3292f;--bad-bg:#fbe7e8;--err:#8a5a00;--err-bg:#fff1d6;--code:#f2f4f8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:0 18px 48px}
header.top{background:#1f2f4a;color:#fff;padding:14px 18px}
header.top h1{margin:0;font-size:20px}
header.top .meta{max-width:1180px;margin:0 auto;display:flex;flex-wrap:wrap;gap:4px 18px;font-size:12.5px;opacity:.9}
header.top .nav{margin-left:auto;display:flex;gap:12px}
header.top a{color:#cfe0ff}
header.top .inner{max-width:1180px;margin:0 auto 6px}
h2{font-size:17px;margin:26px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:13px;margin:14px 0 6px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:10px;margin:14px 0}
.tile{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.tile .v{font-size:22px;font-weight:600}.tile .k{color:var(--muted);font-size:12px}
.tile .ci{color:var(--muted);font-size:12px}
.table-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 10px;border-bottom:1px solid #edf0f4;text-align:left;vertical-align:top}
th{background:#eef2f7;font-weight:600;position:sticky;top:0}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr:hover td{background:#fafbfd}
.note{color:var(--muted);font-size:12px;margin:6px 0}
.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:12px}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px}
figure img{width:100%;height:auto;display:block}
figcaption{color:var(--muted);font-size:12px;margin-top:4px}
.bar{position:sticky;top:0;z-index:10;background:rgba(245,247,250,.97);border-bottom:1px solid var(--line);
padding:8px 0;margin:0 0 10px;display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;backdrop-filter:blur(4px)}
.group{display:flex;flex-wrap:wrap;gap:4px;align-items:center}
.group .label{color:var(--muted);font-size:12px;margin-right:2px}
button{font:inherit;font-size:12.5px;border:1px solid var(--line);background:#fff;color:var(--fg);border-radius:14px;
padding:3px 10px;cursor:pointer}
button:hover{border-color:var(--accent)}
button[aria-pressed=true]{background:var(--accent);border-color:var(--accent);color:#fff}
button .n{opacity:.75;margin-left:4px;font-size:11.5px}
input[type=search]{font:inherit;font-size:13px;padding:4px 8px;border:1px solid var(--line);border-radius:6px;width:220px}
.shown{margin-left:auto;color:var(--muted);font-size:12.5px}
details.case{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--line);border-radius:8px;
margin:8px 0}
details.case.correct{border-left-color:var(--ok)}details.case.incorrect{border-left-color:var(--bad)}
details.case.error{border-left-color:#d89a00}
details.case>summary{cursor:pointer;padding:8px 12px;display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center;
list-style:none}
details.case>summary::-webkit-details-marker{display:none}
details.case>summary::before{content:"\\25B8";color:var(--muted);width:10px}
details.case[open]>summary::before{content:"\\25BE"}
details.case[open]>summary{border-bottom:1px solid var(--line)}
.id{font-weight:600;font-variant-numeric:tabular-nums}
.dx{flex:1 1 260px;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:11.5px;background:#eef2f7;color:var(--fg)}
.badge.correct{background:var(--ok-bg);color:var(--ok)}.badge.incorrect{background:var(--bad-bg);color:var(--bad)}
.badge.error,.badge.invalid{background:var(--err-bg);color:var(--err)}
.chips{display:flex;gap:4px;flex-wrap:wrap}
.chip{font-size:11px;border:1px solid var(--line);border-radius:4px;padding:0 5px;color:var(--muted);white-space:nowrap}
.body{padding:4px 14px 12px}
.cols{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0 22px}
@media (max-width:900px){.cols{grid-template-columns:minmax(0,1fr)}}
pre,.text{white-space:pre-wrap;word-break:break-word;background:var(--code);border-radius:6px;padding:8px 10px;margin:4px 0;
font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;max-height:340px;overflow:auto}
.text{font-family:inherit;font-size:13px}
ol.steps{padding-left:0;list-style:none;margin:0}
ol.steps li{border-left:2px solid var(--line);padding:2px 0 6px 10px;margin-bottom:6px}
.thought{color:var(--muted);font-style:italic;margin:2px 0}
.call{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.call .name{font-weight:600;color:var(--accent)}
.missing{color:var(--muted);font-style:italic}
ul.plain{margin:4px 0;padding-left:20px}
.errorbox{background:var(--err-bg);color:var(--err);border-radius:6px;padding:8px 10px;margin:8px 0}
[hidden]{display:none!important}
footer{color:var(--muted);font-size:12px;max-width:1180px;margin:30px auto;padding:0 18px 30px}
"""

SCRIPT = """
(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll("details.case"));
  var state = {pathology: "all", outcome: "all", query: ""};
  var shown = document.getElementById("shown-count");
  function matches(card) {
    return (state.pathology === "all" || card.dataset.pathology === state.pathology) &&
      (state.outcome === "all" || card.dataset.outcome === state.outcome) &&
      (state.query === "" || card.dataset.search.indexOf(state.query) !== -1);
  }
  function apply() {
    var n = 0;
    cards.forEach(function (card) { var ok = matches(card); card.hidden = !ok; if (ok) { n += 1; } });
    shown.textContent = String(n);
  }
  function count(key, value) {
    return cards.filter(function (c) { return value === "all" || c.dataset[key] === value; }).length;
  }
  document.querySelectorAll("button[data-filter]").forEach(function (button) {
    var badge = document.createElement("span");
    badge.className = "n";
    var n = count(button.dataset.filter, button.dataset.value);
    badge.textContent = String(n);
    button.appendChild(badge);
    if (n === 0) { button.hidden = true; }
    button.addEventListener("click", function () {
      var key = button.dataset.filter;
      state[key] = button.dataset.value;
      document.querySelectorAll('button[data-filter="' + key + '"]').forEach(function (other) {
        other.setAttribute("aria-pressed", String(other === button));
      });
      apply();
    });
  });
  document.getElementById("search").addEventListener("input", function (event) {
    state.query = event.target.value.trim().toLowerCase();
    apply();
  });
  function openAll(open) { cards.forEach(function (c) { if (!c.hidden) { c.open = open; } }); }
  document.getElementById("expand-all").addEventListener("click", function () { openAll(true); });
  document.getElementById("collapse-all").addEventListener("click", function () { openAll(false); });
  apply();
})();
"""


def page_start(title: str, meta: Sequence[tuple[str, str]]) -> str:
    """The document up to the start of ``<main>``: head with the CSS, and the header with the run's facts.

    Args:
        title: the page title (escaped here).
        meta: (label, value) pairs shown under the title (escaped here).
    """
    items = "".join(f"<span><b>{escape(k)}:</b> {escape(v)}</span>" for k, v in meta)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body>\n"
        f'<header class="top"><div class="inner"><h1>{escape(title)}</h1></div>'
        f'<div class="meta">{items}<span class="nav"><a href="#summary">summary</a><a href="#plots">plots</a>'
        '<a href="#cases">cases</a></span></div></header>\n<main>\n'
    )


def _button(key: str, value: str, label: str, pressed: bool) -> str:
    return (
        f'<button type="button" data-filter="{escape(key)}" data-value="{escape(value)}" '
        f'aria-pressed="{"true" if pressed else "false"}">{escape(label)}</button>'
    )


def filter_bar(pathologies: Sequence[str], total: int) -> str:
    """The sticky bar above the case cards: pathology and outcome filters, search, expand / collapse all.

    Args:
        pathologies: the pathology values the cards carry, in display order.
        total: the number of case cards.
    """
    by_pathology = "".join(_button("pathology", p, p, False) for p in pathologies)
    by_outcome = "".join(_button("outcome", value, label, False) for value, label in OUTCOMES)
    return (
        '<div class="bar" id="filters">'
        f'<div class="group"><span class="label">Pathology</span>{_button("pathology", "all", "all", True)}'
        f"{by_pathology}</div>"
        f'<div class="group"><span class="label">Outcome</span>{_button("outcome", "all", "all", True)}'
        f"{by_outcome}</div>"
        '<div class="group"><input type="search" id="search" placeholder="hadm_id or diagnosis" '
        'aria-label="search cases"></div>'
        '<div class="group"><button type="button" id="expand-all">expand all</button>'
        '<button type="button" id="collapse-all">collapse all</button></div>'
        f'<div class="shown"><span id="shown-count">{total}</span> of {total} cases shown</div>'
        "</div>\n"
    )


def page_end(footer: str) -> str:
    """Close ``<main>``, add the footer (escaped here) and the script, close the document."""
    return f"</main>\n<footer>{escape(footer)}</footer>\n<script>{SCRIPT}</script>\n</body></html>\n"
