"""PNG plots of one run's summary, and of several runs side by side (``plot_runs``).

``plot_summary`` draws, from a ``Summary``:

- ``diagnosis.png``: diagnosis and gracious diagnosis per pathology and overall, with 95% Wilson CI bars;
- ``treatment.png``: per pathology and treatment, the share of cases requiring it, requesting it, and CDMv1's
  figure (requested among those requiring it with gracious diagnosis 1), with CI bars;
- ``lab_categories.png``: per pathology, the share of cases hitting each required lab category;
- ``first_imaging.png``: the modality of the first imaging request per pathology, stacked; the pathology's
  preferred (2-point) modality is hatched and outlined.

Figures are drawn on matplotlib's Agg canvas without pyplot, so importing this module changes no global state.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.patches import Patch

from cdmbench.io import ensure_dir
from cdmbench.report._draw import COLORS, grouped_bars, new_figure, save_png
from cdmbench.report._reference import preferred_modalities, treatments
from cdmbench.report.compare import plot_runs
from cdmbench.report.first_imaging import NO_IMAGING, OTHER_IMAGING
from cdmbench.report.records import OVERALL, Summary
from cdmbench.vocabulary.imaging import MODALITIES

__all__ = ["plot_runs", "plot_summary"]

_IMAGING_ORDER = (*MODALITIES, OTHER_IMAGING, NO_IMAGING)
_IMAGING_COLORS = {**dict(zip(MODALITIES, COLORS, strict=False)), OTHER_IMAGING: "#B0B0B0", NO_IMAGING: "#E8E8E8"}
_IMAGING_LABELS = {OTHER_IMAGING: "unrecognized request", NO_IMAGING: "no imaging"}


def _pathologies(summary: Summary) -> list[str]:
    return [p for p in summary.pathologies if p != OVERALL]


def plot_diagnosis(summary: Summary, path: Path) -> Path:
    """Diagnosis and gracious diagnosis per pathology and overall, with CI bars."""
    groups = summary.pathologies
    figure, (ax,) = new_figure(max(6.0, 1.6 * len(groups)), 4.2)
    series = [
        (label, [summary.get(p, metric) for p in groups])
        for metric, label in (("diagnosis", "diagnosis"), ("gracious_diagnosis", "gracious diagnosis"))
    ]
    grouped_bars(ax, groups, series)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("share of cases correct")
    ax.set_title("Diagnostic accuracy (95% Wilson CI)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return save_png(figure, path)


def plot_treatment(summary: Summary, path: Path) -> Path:
    """Per pathology: share of cases requiring, requesting, and CDMv1's requested-when-required figure."""
    pathologies = _pathologies(summary)
    cols = 2 if len(pathologies) > 1 else 1
    rows = (len(pathologies) + cols - 1) // cols or 1
    figure, axes = new_figure(6.0 * cols, 3.6 * rows, rows, cols, sharey=True)
    labels = (
        ("treatment_required", "required (share of cases)"),
        ("treatment_requested", "requested (share of cases)"),
        ("treatment_cdmv1", "CDMv1: requested | required & gracious dx"),
    )
    for ax, pathology in zip(axes, pathologies, strict=False):
        keys = [k for k in treatments(pathology) if summary.get(pathology, f"treatment_required:{k}")] or list(
            treatments(pathology)
        )
        series = [(label, [summary.get(pathology, f"{prefix}:{k}") for k in keys]) for prefix, label in labels]
        grouped_bars(ax, keys, series, annotate=False)
        ax.set_title(pathology)
        ax.set_ylim(0, 1.05)
        ax.tick_params(axis="x", labelsize=8)
    for ax in axes[len(pathologies) :]:
        ax.set_visible(False)
    axes[0].set_ylabel("share")
    handles = [Patch(color=COLORS[i], label=label) for i, (_, label) in enumerate(labels)]
    figure.legend(handles=handles, loc="outside lower center", ncols=3 if cols > 1 else 1, frameon=False)
    figure.suptitle("Treatment requested vs required (95% Wilson CI)")
    return save_png(figure, path)


def plot_lab_categories(summary: Summary, path: Path) -> Path:
    """Per pathology, the share of cases that hit each required lab category, with CI bars."""
    pathologies = _pathologies(summary)
    cats = {
        p: [m.split(":", 1)[1] for m in summary.metrics() if m.startswith("lab_category:") and summary.get(p, m)]
        for p in pathologies
    }
    shown = [p for p in pathologies if cats[p]] or pathologies
    ratios = [max(len(cats[p]), 1) for p in shown]
    figure, axes = new_figure(max(6.0, 1.3 * sum(ratios) + 1), 4.0, 1, len(shown), sharey=True, width_ratios=ratios)
    for ax, pathology in zip(axes, shown, strict=True):
        rows = [summary.get(pathology, f"lab_category:{c}") for c in cats[pathology]]
        grouped_bars(ax, cats[pathology], [("hit", rows)], colors=[COLORS[2]])
        ax.set_title(pathology, fontsize=10)
        ax.set_ylim(0, 1.12)
        ax.tick_params(axis="x", labelsize=8, rotation=20)
    axes[0].set_ylabel("share of cases hitting the category")
    figure.suptitle("Required laboratory categories hit (95% Wilson CI)")
    return save_png(figure, path)


def plot_first_imaging(summary: Summary, path: Path) -> Path:
    """Stacked shares of the first imaging modality per pathology; preferred modalities hatched and outlined."""
    pathologies = _pathologies(summary)
    present = [m for m in _IMAGING_ORDER if any(summary.get(p, f"first_imaging:{m}") for p in pathologies)]
    figure, (ax,) = new_figure(max(6.5, 1.5 * len(pathologies) + 3), 4.5)
    bottoms = [0.0] * len(pathologies)
    for modality in present:
        for i, pathology in enumerate(pathologies):
            row = summary.get(pathology, f"first_imaging:{modality}")
            if row is None or not row.mean:
                continue
            preferred = modality in preferred_modalities(pathology)
            ax.bar(
                i,
                row.mean,
                0.6,
                bottom=bottoms[i],
                color=_IMAGING_COLORS[modality],
                edgecolor="black" if preferred else "white",
                linewidth=2.0 if preferred else 0.5,
                hatch="//" if preferred else None,
            )
            if row.mean >= 0.06:
                ax.text(
                    i,
                    bottoms[i] + row.mean / 2,
                    f"{row.mean:.0%}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
                )
            bottoms[i] += row.mean
    ax.set_xticks(range(len(pathologies)), pathologies)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share of cases")
    ax.set_title("First imaging modality per pathology")
    handles = [Patch(facecolor=_IMAGING_COLORS[m], label=_IMAGING_LABELS.get(m, m)) for m in present]
    handles.append(Patch(facecolor="white", edgecolor="black", hatch="//", linewidth=2.0, label="preferred (2 points)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    return save_png(figure, path)


def plot_summary(summary: Summary, out_dir: Path) -> list[Path]:
    """Draw every single-run plot of ``summary`` into ``out_dir`` (created if needed); returns the PNG paths."""
    out_dir = ensure_dir(Path(out_dir))
    drawn = []
    if any(m in ("diagnosis", "gracious_diagnosis") for m in summary.metrics()):
        drawn.append(plot_diagnosis(summary, out_dir / "diagnosis.png"))
    if any(m.startswith("treatment_required:") for m in summary.metrics()):
        drawn.append(plot_treatment(summary, out_dir / "treatment.png"))
    if any(m.startswith("lab_category:") for m in summary.metrics()):
        drawn.append(plot_lab_categories(summary, out_dir / "lab_categories.png"))
    if any(m.startswith("first_imaging:") for m in summary.metrics()):
        drawn.append(plot_first_imaging(summary, out_dir / "first_imaging.png"))
    return drawn
