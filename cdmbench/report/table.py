"""The summary as a plain-text table for the terminal: metrics as rows, pathologies as columns.

Example:
    >>> from cdmbench.report.summary import summarize
    >>> text = format_summary(summarize([{"hadm_id": 1, "pathology": "appendicitis", "scores": {"diagnosis": 1}}]))
    >>> text.splitlines()[2].split()
    ['diagnosis', '1.00', '[0.21-1.00]', '1.00', '[0.21-1.00]']
"""

from __future__ import annotations

from cdmbench.report.records import MetricRow, Summary

__all__ = ["format_cell", "format_summary"]

_DETAIL_PREFIXES = ("treatment_required:", "treatment_requested:", "first_imaging:")


def _number(value: float, scale: float) -> str:
    if scale >= 100:
        return f"{value:.0f}"
    if scale >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_cell(row: MetricRow | None) -> str:
    """One cell: ``0.83 [0.71-0.91]`` for a mean with interval, a bare number otherwise, ``-`` when missing."""
    if row is None or row.mean is None:
        return "-"
    if row.method == "count":
        return str(int(row.mean))
    scale = abs(row.mean)
    text = _number(row.mean, scale)
    if row.ci_low is not None and row.ci_high is not None:
        text += f" [{_number(row.ci_low, scale)}-{_number(row.ci_high, scale)}]"
    return text


def format_summary(summary: Summary, detail: bool = False) -> str:
    """Render ``summary`` as an aligned table with a line stating the interval methods.

    Args:
        summary: what ``summarize`` returned.
        detail: also show the per-treatment required/requested shares and the first-imaging shares
            (always in ``summary.csv``).

    Returns:
        The table as text, one metric a row; ``-`` where a metric does not apply to a pathology.
    """
    metrics = [m for m in summary.metrics() if detail or not m.startswith(_DETAIL_PREFIXES)]
    table = [["metric", *summary.pathologies]]
    errors = {r.pathology: r for r in summary.rows if r.metric == "errors"}
    table.append(["cases", *(str(errors[p].n) if p in errors else "-" for p in summary.pathologies)])
    index = {(r.pathology, r.metric): r for r in summary.rows}
    table += [[m, *(format_cell(index.get((p, m))) for p in summary.pathologies)] for m in metrics]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in table
    ]
    if summary.protocol:
        lines.append(f"protocol: {summary.protocol} (docs/protocols.md)")
    lines.append(
        f"[low-high]: {summary.confidence:.0%} interval; shares (diagnosis, examination, lab categories, treatment_cdmv1, "
        f"error_rate): Wilson score; means: percentile bootstrap ({summary.bootstrap_resamples} resamples, "
        f"seed {summary.bootstrap_seed})."
    )
    return "\n".join(lines)
