"""Shared matplotlib helpers: an Agg figure without pyplot state, grouped bars with CI whiskers, atomic PNGs.

Bars never claim more than their cases support: a cell computed from fewer than ``MIN_N_FOR_INTERVAL``
cases is drawn without a whisker, a cell with no case is no bar but the text ``n=0``, and each group's tick
label carries its number of cases when all its bars share one (otherwise the bars below 2 cases say theirs).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cdmbench.io import atomic_write_bytes
from cdmbench.report.records import MetricRow

__all__ = [
    "COLORS",
    "MIN_N_FOR_INTERVAL",
    "MUTED",
    "grouped_bars",
    "has_cases",
    "has_interval",
    "new_figure",
    "save_png",
]

COLORS: tuple[str, ...] = (
    "#4C72B0",
    "#DD8452",
    "#55A868",
    "#C44E52",
    "#8172B3",
    "#937860",
    "#DA8BC3",
    "#8C8C8C",
    "#CCB974",
    "#64B5CD",
)
"""Bar colours, one per series (run, metric or modality)."""

MUTED = "#6B7280"
"""Colour of the ``n=`` notes."""

MIN_N_FOR_INTERVAL = 2
"""Fewest cases a cell needs for its 95% interval to be drawn (an interval from one case says little)."""


def new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **kwargs) -> tuple[Figure, list[Axes]]:
    """A figure on the Agg canvas (no pyplot, no global backend change) and its axes as a flat list."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(nrows, ncols, squeeze=False, **kwargs)
    return figure, [ax for row in axes for ax in row]


def save_png(figure: Figure, path: Path, dpi: int = 120) -> Path:
    """Render ``figure`` to ``path`` as PNG, atomically."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    atomic_write_bytes(Path(path), buffer.getvalue())
    return Path(path)


def has_cases(row: MetricRow | None) -> bool:
    """Whether ``row`` holds a value computed from at least one case."""
    return row is not None and row.mean is not None and row.n > 0


def has_interval(row: MetricRow | None) -> bool:
    """Whether ``row``'s interval is drawn: it has one, from at least ``MIN_N_FOR_INTERVAL`` cases."""
    if not has_cases(row):
        return False
    assert row is not None
    return row.n >= MIN_N_FOR_INTERVAL and row.ci_low is not None and row.ci_high is not None


def grouped_bars(
    ax: Axes,
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[MetricRow | None]]],
    colors: Sequence[str] = COLORS,
    annotate: bool = True,
    horizontal: bool = False,
    fontsize: float = 8,
    counts: bool = True,
) -> None:
    """Draw one group of bars per ``groups`` entry, one bar per series, with 95% CI whiskers.

    A whisker is drawn only for a cell from at least ``MIN_N_FOR_INTERVAL`` cases. A group without any case
    shows ``n=0`` in its middle; a group whose bars share one number of cases shows it in its tick label;
    otherwise each bar with no case says ``n=0`` and each bar from one case ``n=1``.

    Args:
        ax: the axes to draw on.
        groups: group labels (x axis; y axis, top to bottom, when ``horizontal``).
        series: (legend label, one row per group or None where missing) per series.
        colors: one colour per series.
        annotate: write each bar's value at its end.
        horizontal: horizontal bars (values on the x axis).
        fontsize: size of the value and ``n=`` texts.
        counts: write the numbers of cases (tick labels, ``n=1``); False where the caller states them (``n=0``
            is still written).
    """
    count = max(len(series), 1)
    width = 0.8 / count
    ticks = []
    for g, group in enumerate(groups):
        ns = {_n(rows[g]) for _, rows in series}
        if ns <= {0}:
            _note(ax, g, "n=0", horizontal, fontsize + 1)
        ticks.append(f"{group}\nn={ns.pop()}" if counts and len(ns) == 1 and 0 not in ns else group)
    for s, (label, rows) in enumerate(series):
        offset = (s - (count - 1) / 2) * width
        first = _first(rows)
        for g, row in enumerate(rows):
            x = g + offset
            stated_n = not counts or ticks[g] != groups[g]
            if not has_cases(row):
                if any(has_cases(r[g]) for _, r in series):
                    _note(ax, x, "n=0", horizontal, fontsize)
                continue
            assert row is not None and row.mean is not None
            draw = ax.barh if horizontal else ax.bar
            draw(x, row.mean, width * 0.92, color=colors[s % len(colors)], label=label if g == first else None)
            interval = has_interval(row)
            if interval:
                assert row.ci_low is not None and row.ci_high is not None
                error = [[row.mean - row.ci_low], [row.ci_high - row.mean]]
                ax.errorbar(
                    row.mean if horizontal else x,
                    x if horizontal else row.mean,
                    **({"xerr": error} if horizontal else {"yerr": error}),
                    fmt="none",
                    ecolor="black",
                    elinewidth=1,
                    capsize=3,
                )
            text = [f"{row.mean:.2f}"] if annotate else []
            if row.n < MIN_N_FOR_INTERVAL and not stated_n:
                text.append(f"n={row.n}")
            if text:
                end = row.ci_high if interval else row.mean
                _label(ax, x, end, " ".join(text), horizontal, fontsize)
    if horizontal:
        ax.set_yticks(range(len(groups)), ticks)
        ax.set_ylim(len(groups) - 0.5, -0.5)
        ax.grid(axis="x", alpha=0.3)
    else:
        ax.set_xticks(range(len(groups)), ticks)
        ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def _label(ax: Axes, at: float, end: float, text: str, horizontal: bool, fontsize: float) -> None:
    """Write ``text`` just past the end of the bar at position ``at``."""
    if horizontal:
        ax.annotate(
            text, (end, at), xytext=(3, 0), textcoords="offset points", ha="left", va="center", fontsize=fontsize
        )
    else:
        ax.annotate(
            text, (at, end), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=fontsize
        )


def _note(ax: Axes, at: float, text: str, horizontal: bool, fontsize: float) -> None:
    """Write ``text`` (e.g. ``n=0``) at the base of position ``at``, where a bar would start."""
    xy, offset = ((0, at), (3, 0)) if horizontal else ((at, 0), (0, 3))
    ax.annotate(
        text,
        xy,
        xytext=offset,
        textcoords="offset points",
        ha="left" if horizontal else "center",
        va="center" if horizontal else "bottom",
        fontsize=fontsize,
        color=MUTED,
        style="italic",
    )


def _n(row: MetricRow | None) -> int:
    return row.n if row is not None and has_cases(row) else 0


def _first(rows: Sequence[MetricRow | None]) -> int:
    return next((i for i, r in enumerate(rows) if has_cases(r)), -1)
