"""Shared matplotlib helpers: an Agg figure without pyplot state, grouped bars with CI whiskers, atomic PNGs."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cdmbench.io import atomic_write_bytes
from cdmbench.report.records import MetricRow

__all__ = ["COLORS", "grouped_bars", "new_figure", "save_png"]

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


def grouped_bars(
    ax: Axes,
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[MetricRow | None]]],
    colors: Sequence[str] = COLORS,
    annotate: bool = True,
) -> None:
    """Draw one group of bars per ``groups`` entry, one bar per series, with 95% CI whiskers.

    Args:
        ax: the axes to draw on.
        groups: x-axis group labels.
        series: (legend label, one row per group or None where missing) per series.
        colors: one colour per series.
        annotate: write each bar's value above it.
    """
    count = max(len(series), 1)
    width = 0.8 / count
    for s, (label, rows) in enumerate(series):
        offset = (s - (count - 1) / 2) * width
        for g, row in enumerate(rows):
            if row is None or row.mean is None:
                continue
            x = g + offset
            ax.bar(x, row.mean, width * 0.92, color=colors[s % len(colors)], label=label if g == _first(rows) else None)
            if row.ci_low is not None and row.ci_high is not None:
                ax.errorbar(
                    x,
                    row.mean,
                    yerr=[[row.mean - row.ci_low], [row.ci_high - row.mean]],
                    fmt="none",
                    ecolor="black",
                    elinewidth=1,
                    capsize=3,
                )
            if annotate:
                top = row.ci_high if row.ci_high is not None else row.mean
                ax.annotate(
                    f"{row.mean:.2f}",
                    (x, top),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7,
                )
    ax.set_xticks(range(len(groups)), list(groups))
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def _first(rows: Sequence[MetricRow | None]) -> int:
    return next((i for i, r in enumerate(rows) if r is not None and r.mean is not None), -1)
