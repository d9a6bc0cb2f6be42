"""Several runs side by side: grouped bars per pathology, one colour per run (``cdmbench plot``).

A run without a case of a pathology says ``n=0`` there; intervals are drawn only from two cases or more.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from cdmbench.errors import ConfigError
from cdmbench.io import atomic_write_text, ensure_dir
from cdmbench.protocols.mixing import check_same_protocol
from cdmbench.report._draw import grouped_bars, has_cases, new_figure, save_png
from cdmbench.report.records import OVERALL, Summary
from cdmbench.report.run_dir import read_run
from cdmbench.vocabulary.pathologies import PATHOLOGIES

__all__ = [
    "COMPARED_METRICS",
    "comparison_figure",
    "plot_pathologies",
    "plot_runs",
    "plot_summaries",
    "run_labels",
    "write_comparison",
]

COMPARED_METRICS: tuple[tuple[str, str, float], ...] = (
    ("diagnosis", "Diagnosis accuracy", 1.0),
    ("gracious_diagnosis", "Gracious diagnosis accuracy", 1.0),
    ("laboratory_tests_fraction", "Required lab categories hit (fraction of the pathology's categories)", 1.0),
    ("imaging", "Imaging score (0-2)", 2.0),
    ("treatment_recall", "Treatment recall per case (requested and required / required)", 1.0),
)
"""(metric, title, y-axis maximum) of each comparison plot; each becomes ``compare_<metric>.png``."""


def run_labels(run_dirs: Sequence[Path]) -> list[str]:
    """Short distinct labels for runs: the directory names, with parents added where names repeat."""
    paths = [Path(p).resolve() for p in run_dirs]
    for depth in range(1, max((len(p.parts) for p in paths), default=1) + 1):
        labels = ["/".join(p.parts[-depth:]) for p in paths]
        if len(set(labels)) == len(labels):
            return labels
    return [str(p) for p in paths]


def plot_pathologies(summaries: Sequence[Summary]) -> list[str]:
    """The pathologies a plot shows: the benchmark's four (one without a case says n=0), then any other seen."""
    seen = list(PATHOLOGIES)
    for summary in summaries:
        seen += [p for p in summary.pathologies if p != OVERALL and p not in seen]
    return seen


def comparison_figure(
    summaries: Sequence[Summary], labels: Sequence[str], metric: str, title: str, top: float
) -> Figure | None:
    """One metric of several runs: bars per pathology and overall, one colour per run (None: no run has it)."""
    groups = [*plot_pathologies(summaries), OVERALL]
    series = [(label, [s.get(p, metric) for p in groups]) for label, s in zip(labels, summaries, strict=True)]
    if not any(has_cases(row) for _, rows in series for row in rows):
        return None
    figure, (ax,) = new_figure(min(12.0, max(7.0, 0.45 * len(groups) * len(summaries) + 3)), 4.4)
    grouped_bars(ax, groups, series, annotate=len(summaries) <= 4)
    ax.set_ylim(0, top * 1.12)
    ax.tick_params(axis="x", labelsize=9)
    ax.set_title(f"{title} (95% CI)", fontsize=10)
    ax.legend(title="run", loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    return figure


def plot_summaries(summaries: Sequence[Summary], labels: Sequence[str], out_dir: Path) -> list[Path]:
    """Draw one ``compare_<metric>.png`` per ``COMPARED_METRICS`` entry that some run has; returns the paths."""
    out_dir = ensure_dir(Path(out_dir))
    drawn = []
    for metric, title, top in COMPARED_METRICS:
        figure = comparison_figure(summaries, labels, metric, title, top)
        if figure is not None:
            drawn.append(save_png(figure, out_dir / f"compare_{metric}.png"))
    return drawn


def write_comparison(summaries: Sequence[Summary], labels: Sequence[str], out_dir: Path) -> Path:
    """Write ``comparison.csv``: every run's summary rows in long format with a leading ``run`` column."""
    frames = [s.to_frame().assign(run=label) for label, s in zip(labels, summaries, strict=True)]
    table = pd.concat(frames, ignore_index=True)
    table = table[["run", *(c for c in table.columns if c != "run")]]
    path = ensure_dir(Path(out_dir)) / "comparison.csv"
    atomic_write_text(path, table.to_csv(index=False, lineterminator="\n"))
    return path


def plot_runs(run_dirs: Sequence[Path], out_dir: Path, allow_mixed_protocols: bool = False) -> list[Path]:
    """Summarize each run directory's scores and draw the comparison plots into ``out_dir``.

    Args:
        run_dirs: run directories, each with a ``scores.jsonl``; the plot legend names them by directory.
        out_dir: where the ``compare_*.png`` files go (created if needed).
        allow_mixed_protocols: plot runs of different protocols side by side (refused by default).

    Returns:
        The paths of the PNGs written (``comparison.csv``, all runs' summary rows, is written beside them).

    Raises:
        ConfigError: no run directory was given, or the runs mix protocols (without ``allow_mixed_protocols``).
        DataSourceError: a run directory or its ``scores.jsonl`` is missing (the message names it).
    """
    if not run_dirs:
        raise ConfigError("no runs to plot; pass them as runs=[outputs/run_a,outputs/run_b].")
    check_same_protocol(run_dirs, allow_mixed_protocols, what="runs to plot")
    summaries = [read_run(Path(d)) for d in run_dirs]
    labels = run_labels(run_dirs)
    write_comparison(summaries, labels, out_dir)
    return plot_summaries(summaries, labels, out_dir)
