"""The outputs of ``cdmbench compare``: a terminal table, ``compare.csv`` / ``compare.json``, and ``compare.png``.

The plot is a forest plot of the overall rows: one line per metric, the difference B - A with its 95%
paired bootstrap interval, shares and fractions in the left panel, counts and points in the right one. A
difference whose interval excludes 0 is coloured (green: B higher, red: B lower); McNemar's p is written
beside each 0/1 metric.
"""

from __future__ import annotations

from pathlib import Path

from cdmbench.io import atomic_write_text, ensure_dir
from cdmbench.report._draw import new_figure, save_png
from cdmbench.report.paired_records import Comparison, PairedRow
from cdmbench.report.records import OVERALL

__all__ = ["COMPARE_CSV", "COMPARE_JSON", "COMPARE_PNG", "format_comparison", "plot_comparison", "write_comparison"]

COMPARE_CSV = "compare.csv"
COMPARE_JSON = "compare.json"
COMPARE_PNG = "compare.png"

_COUNT_METRICS = ("laboratory_tests", "imaging", "unnecessary_laboratory_tests", "unnecessary_imaging")
_COUNT_METRICS += ("invalid_tools", "rounds")


def _p(value: float | None) -> str:
    if value is None:
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def format_comparison(comparison: Comparison, label_a: str, label_b: str) -> str:
    """The overall rows as an aligned text table (per-pathology rows are in the CSV and JSON).

    Args:
        comparison: what ``compare_runs`` returned.
        label_a: how to name run A in the header.
        label_b: how to name run B.
    """
    header = ["metric", "n", "A", "B", "B - A", "95% CI", "A only", "B only", "McNemar p"]
    table = [header]
    for row in (r for r in comparison.rows if r.pathology == OVERALL):
        table.append(
            [
                row.metric,
                str(row.n),
                f"{row.mean_a:.3f}",
                f"{row.mean_b:.3f}",
                f"{row.difference:+.3f}",
                f"[{row.ci_low:+.3f}, {row.ci_high:+.3f}]",
                "" if row.a_only is None else str(row.a_only),
                "" if row.b_only is None else str(row.b_only),
                _p(row.mcnemar_p),
            ]
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True)))
        for line in table
    ]
    lines.insert(0, f"A = {label_a}   B = {label_b}   ({comparison.shared} shared cases)")
    lines.append(
        f"B - A: mean difference over the shared cases; 95% CI: paired percentile bootstrap "
        f"({comparison.bootstrap_resamples} resamples, seed {comparison.bootstrap_seed}); McNemar: exact, two-sided, "
        "0/1 metrics only; 'A only' / 'B only': discordant cases where only that run scored 1."
    )
    return "\n".join(lines)


def _color(row: PairedRow) -> str:
    if row.ci_low > 0:
        return "#2E7D32"
    if row.ci_high < 0:
        return "#C62828"
    return "#555555"


def _panel(ax, rows: list[PairedRow], title: str) -> None:
    for y, row in enumerate(rows):
        ax.errorbar(
            row.difference,
            y,
            xerr=[[row.difference - row.ci_low], [row.ci_high - row.difference]],
            fmt="o",
            color=_color(row),
            ecolor=_color(row),
            capsize=3,
            markersize=5,
        )
        if row.mcnemar_p is not None:
            ax.annotate(
                f"p={_p(row.mcnemar_p)}",
                (1.0, y),
                xycoords=("axes fraction", "data"),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
                color="#444444",
            )
    ax.axvline(0, color="black", linewidth=0.8)
    reach = max((max(abs(r.ci_low), abs(r.ci_high)) for r in rows), default=0.0)
    ax.set_xlim(-(reach or 0.05) * 1.15, (reach or 0.05) * 1.15)  # symmetric: 0 in the middle
    ax.set_yticks(range(len(rows)), [f"{r.metric} (n={r.n})" for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title, fontsize=9)


def plot_comparison(comparison: Comparison, path: Path, label_a: str, label_b: str) -> Path:
    """Draw the forest plot of the overall differences B - A into ``path`` (PNG, atomic)."""
    overall = [r for r in comparison.rows if r.pathology == OVERALL]
    shares = [r for r in overall if r.metric not in _COUNT_METRICS]
    counts = [r for r in overall if r.metric in _COUNT_METRICS]
    panels = [
        (rows, title) for rows, title in ((shares, "shares and fractions"), (counts, "counts and points")) if rows
    ]
    height = max(3.0, 0.28 * max(len(rows) for rows, _ in panels) + 1.6)
    figure, axes = new_figure(6.2 * len(panels), height, 1, len(panels))
    for ax, (rows, title) in zip(axes, panels, strict=True):
        _panel(ax, rows, title)
        ax.set_xlabel("B - A (95% paired bootstrap CI)", fontsize=8)
    figure.suptitle(f"B = {label_b}  vs  A = {label_a}  ({comparison.shared} shared cases)", fontsize=10)
    return save_png(figure, Path(path))


def write_comparison(comparison: Comparison, out_dir: Path, label_a: str, label_b: str) -> list[Path]:
    """Write ``compare.csv``, ``compare.json`` and ``compare.png`` into ``out_dir`` (atomically); returns the paths."""
    out_dir = ensure_dir(Path(out_dir))
    csv_path, json_path = out_dir / COMPARE_CSV, out_dir / COMPARE_JSON
    atomic_write_text(csv_path, comparison.to_frame().to_csv(index=False, lineterminator="\n"))
    atomic_write_text(json_path, comparison.model_dump_json(indent=2) + "\n")
    return [csv_path, json_path, plot_comparison(comparison, out_dir / COMPARE_PNG, label_a, label_b)]
