"""PNG plots of one run's summary, and of several runs side by side (``plot_runs``).

``plot_summary`` draws, from a ``Summary``:

- ``diagnosis.png``: diagnosis and gracious diagnosis per pathology and overall, with 95% Wilson CI bars;
- ``treatment.png``: per pathology and treatment (horizontal bars), the share of cases requiring it,
  requesting it, and CDMv1's figure (requested among those requiring it with gracious diagnosis 1), with CI bars;
- ``lab_categories.png``: per pathology, the share of cases hitting each required lab category;
- ``first_imaging.png``: the modality of the first imaging request per pathology (read under the run's protocol,
  ``first_imaging``), stacked; the pathology's preferred (2-point) modality is hatched and outlined.

Every plot shows the four pathologies of the benchmark (and any other the summary has): one without a scored
case says ``n=0``; tick labels and panel titles give the number of cases; a 95% interval is drawn only for a
cell computed from at least two cases (``_draw.MIN_N_FOR_INTERVAL``). Figures are sized for the report's
plot grid (about 560 px wide). The ``*_figure`` functions return the matplotlib ``Figure`` (for tests);
the ``plot_*`` functions save it. Figures are drawn on matplotlib's Agg canvas without pyplot, so importing
this module changes no global state.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from cdmbench.io import ensure_dir
from cdmbench.report._draw import COLORS, MUTED, grouped_bars, has_cases, new_figure, save_png
from cdmbench.report._reference import lab_categories, preferred_modalities, treatments
from cdmbench.report.compare import plot_pathologies, plot_runs
from cdmbench.report.first_imaging import NO_IMAGING, OTHER_IMAGING
from cdmbench.report.records import OVERALL, Summary
from cdmbench.vocabulary.imaging import MODALITIES

__all__ = [
    "diagnosis_figure",
    "first_imaging_figure",
    "lab_categories_figure",
    "plot_runs",
    "plot_summary",
    "treatment_figure",
]

_IMAGING_ORDER = (*MODALITIES, OTHER_IMAGING, NO_IMAGING)
_IMAGING_COLORS = {**dict(zip(MODALITIES, COLORS, strict=False)), OTHER_IMAGING: "#B0B0B0", NO_IMAGING: "#E8E8E8"}
_IMAGING_LABELS = {OTHER_IMAGING: "request not understood", NO_IMAGING: "no imaging"}
_TREATMENT_SERIES = (
    ("treatment_required", "required"),
    ("treatment_requested", "requested"),
    ("treatment_cdmv1", "CDMv1: requested | required, gracious dx"),
)
_NO_CASE = "(no case)"


def _pathologies(summary: Summary) -> list[str]:
    return plot_pathologies([summary])


def _cases(summary: Summary, pathology: str) -> int:
    """Cases of ``pathology`` in the summary (0 when it has none)."""
    row = summary.get(pathology, "errors")
    return row.n if row is not None else 0


def diagnosis_figure(summary: Summary) -> Figure:
    """Diagnosis and gracious diagnosis per pathology and overall, with CI bars."""
    groups = [*_pathologies(summary), OVERALL]
    figure, (ax,) = new_figure(6.8, 4.4)
    series = [
        (label, [summary.get(p, metric) for p in groups])
        for metric, label in (("diagnosis", "diagnosis"), ("gracious_diagnosis", "gracious diagnosis"))
    ]
    grouped_bars(ax, groups, series)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("share of cases correct")
    ax.tick_params(axis="x", labelsize=9)
    ax.set_title("Diagnostic accuracy (95% Wilson CI)", fontsize=11)
    figure.legend(loc="outside lower center", ncols=2, frameon=False)
    return figure


def treatment_figure(summary: Summary) -> Figure:
    """Per pathology (one panel each), per treatment: share requiring, requesting, and CDMv1's figure."""
    pathologies = _pathologies(summary)
    keys: dict[str, list[str]] = {}
    for pathology in pathologies:
        if not _cases(summary, pathology):
            keys[pathology] = [_NO_CASE]
            continue
        scored = list(treatments(pathology)) or [
            m.split(":", 1)[1] for m in summary.metrics() if m.startswith("treatment_required:")
        ]
        keys[pathology] = [k for k in scored if has_cases(summary.get(pathology, f"treatment_required:{k}"))] or [
            _NO_CASE
        ]
    ratios = [len(keys[p]) for p in pathologies]
    figure, axes = new_figure(
        6.8, 0.36 * sum(ratios) + 0.4 * len(pathologies) + 1.1, len(pathologies), 1, sharex=True, height_ratios=ratios
    )
    for ax, pathology in zip(axes, pathologies, strict=True):
        series = [
            (label, [summary.get(pathology, f"{prefix}:{k}") for k in keys[pathology]])
            for prefix, label in _TREATMENT_SERIES
        ]
        grouped_bars(ax, keys[pathology], series, annotate=False, horizontal=True)
        ax.set_title(f"{pathology} (n={_cases(summary, pathology)})", fontsize=10, loc="left")
        ax.set_xlim(0, 1.12)
        ax.tick_params(axis="y", labelsize=10, length=0)
    axes[-1].set_xlabel("share of cases")
    axes[-1].set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    handles = [Patch(color=COLORS[i], label=label) for i, (_, label) in enumerate(_TREATMENT_SERIES)]
    figure.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    figure.suptitle("Treatment required vs requested (95% Wilson CI)", fontsize=11)
    return figure


def lab_categories_figure(summary: Summary) -> Figure:
    """Per pathology, the share of cases that hit each required lab category, with CI bars."""
    pathologies = _pathologies(summary)
    observed = [m.split(":", 1)[1] for m in summary.metrics() if m.startswith("lab_category:")]
    cats = {
        p: list(lab_categories(p)) or [c for c in observed if has_cases(summary.get(p, f"lab_category:{c}"))]
        for p in pathologies
    }
    shown = [p for p in pathologies if cats[p]] or pathologies
    ratios = [max(len(cats[p]), 1) for p in shown]
    figure, axes = new_figure(max(6.0, 0.75 * sum(ratios) + 1.0), 4.2, 1, len(shown), sharey=True, width_ratios=ratios)
    for ax, pathology in zip(axes, shown, strict=True):
        rows = [summary.get(pathology, f"lab_category:{c}") for c in cats[pathology]]
        grouped_bars(ax, cats[pathology], [("hit", rows)], colors=[COLORS[2]], counts=False)
        ax.set_title(f"{pathology}\nn={_cases(summary, pathology)}", fontsize=10)
        ax.set_ylim(0, 1.12)
        ax.tick_params(axis="x", labelsize=9, rotation=35)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    axes[0].set_ylabel("share of cases hitting it")
    figure.suptitle("Required laboratory categories hit (95% Wilson CI)", fontsize=11)
    return figure


def first_imaging_figure(summary: Summary) -> Figure:
    """Stacked shares of the first imaging modality per pathology; preferred modalities hatched and outlined."""
    pathologies = _pathologies(summary)
    present = [m for m in _IMAGING_ORDER if any(summary.get(p, f"first_imaging:{m}") for p in pathologies)]
    figure, (ax,) = new_figure(6.8, 4.4)
    bottoms = [0.0] * len(pathologies)
    counts = [0] * len(pathologies)
    for modality in present:
        for i, pathology in enumerate(pathologies):
            row = summary.get(pathology, f"first_imaging:{modality}")
            if row is None or not row.mean:
                counts[i] = max(counts[i], row.n if row is not None else 0)
                continue
            counts[i] = max(counts[i], row.n)
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
                    fontsize=8,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
                )
            bottoms[i] += row.mean
    for i, n in enumerate(counts):
        if not n:
            ax.annotate(
                "n=0",
                (i, 0),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=9,
                color=MUTED,
                style="italic",
            )
    ticks = [f"{p}\nn={n}" if n else p for p, n in zip(pathologies, counts, strict=True)]
    ax.set_xticks(range(len(pathologies)), ticks)
    ax.tick_params(axis="x", labelsize=9)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share of cases")
    read_as = f" (protocol {summary.protocol})" if summary.protocol else ""
    ax.set_title(f"First imaging modality per pathology{read_as}", fontsize=11)
    handles = [Patch(facecolor=_IMAGING_COLORS[m], label=_IMAGING_LABELS.get(m, m)) for m in present]
    handles.append(Patch(facecolor="white", edgecolor="black", hatch="//", linewidth=2.0, label="preferred (2 points)"))
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4), frameon=False, fontsize=9)
    return figure


def plot_diagnosis(summary: Summary, path: Path) -> Path:
    """Save ``diagnosis_figure`` to ``path``."""
    return save_png(diagnosis_figure(summary), path)


def plot_treatment(summary: Summary, path: Path) -> Path:
    """Save ``treatment_figure`` to ``path``."""
    return save_png(treatment_figure(summary), path)


def plot_lab_categories(summary: Summary, path: Path) -> Path:
    """Save ``lab_categories_figure`` to ``path``."""
    return save_png(lab_categories_figure(summary), path)


def plot_first_imaging(summary: Summary, path: Path) -> Path:
    """Save ``first_imaging_figure`` to ``path``."""
    return save_png(first_imaging_figure(summary), path)


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
