"""Aggregate per-case scores into a summary: per pathology and overall, per metric, mean, n and 95% CI.

``summarize`` reads score lines (and optionally prediction lines) one at a time and keeps a few numbers per
case, never the transcripts. A later line for the same ``hadm_id`` replaces an earlier one (a resumed run).
Shares of cases (diagnosis, physical examination, lab categories hit, treatments, first imaging, error rate)
get Wilson intervals; per-case means (lab score, imaging, tools, rounds, unnecessary requests, treatment recall,
tokens, latency) get seeded percentile bootstrap intervals. Errors are lines with ``"status": "error"`` in
either file. Every metric is over all cases: a failed case scores 0 (its scores line says so; an older error
line without ``scores`` counts 0 on diagnosis, examination, labs and imaging) and counts in n; ``errors``,
``error_rate`` and the two kinds (``lm_error``, ``format_error``) are reported beside, and CDMv1's parsing
metrics (``action_parsing``, ``diagnosis_parsing``, ``treatment_parsing``) from the predictions.

Treatment is reported two ways: CDMv1's figure ``treatment_cdmv1:<key>`` (among cases with the treatment
required and gracious diagnosis 1, the share in which it was requested) and the plain per-case recall
``treatment_recall`` (requested-and-required / required, over cases with at least one treatment required).

Example:
    >>> line = {"hadm_id": 1, "pathology": "appendicitis", "scores": {"diagnosis": 1}}
    >>> summarize([line]).get("appendicitis", "diagnosis").mean
    1.0
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from typing import Any

from loguru import logger
from pydantic import ValidationError

from cdmbench.errors import DataSourceError
from cdmbench.report._case_values import (
    BINARY_METRICS,
    FAILED_CASE_ZEROS,
    PARSING_METRICS,
    USAGE_METRICS,
    parsing_values,
    score_values,
    usage_values,
)
from cdmbench.report._reference import LAB_CATEGORIES, TREATMENT_KEYS
from cdmbench.report.files import write_summary
from cdmbench.report.first_imaging import (
    NO_IMAGING,
    OTHER_IMAGING,
    first_imaging_from_answers,
    first_imaging_from_tool_calls,
)
from cdmbench.report.intervals import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, bootstrap_interval, wilson_interval
from cdmbench.report.records import OVERALL, MetricRow, PredictionRecord, ScoreAnswers, ScoreRecord, Summary
from cdmbench.report.table import format_summary
from cdmbench.vocabulary.imaging import MODALITIES
from cdmbench.vocabulary.pathologies import PATHOLOGIES

__all__ = ["METRIC_NOTES", "format_summary", "summarize", "write_summary"]

ERROR_KINDS: tuple[str, ...] = ("lm_error", "format_error")
"""The kinds of failed case (``error_kind``; see ``cdmbench.lm.failures``)."""

IMAGING_VALUES: tuple[str, ...] = (*MODALITIES, OTHER_IMAGING, NO_IMAGING)

METRIC_NOTES: dict[str, str] = {
    "diagnosis": "answer names the pathology (CDMv1 diagnosis)",
    "gracious_diagnosis": "diagnosis, or a gracious-only alternative name (CDMv1's headline metric)",
    "physical_examination": "the first tool call is the physical examination",
    "late_physical_examination": "a physical examination was requested at any point",
    "laboratory_tests_fraction": "required lab categories hit / categories of the pathology (1 or 3)",
    "laboratory_tests": "required lab categories hit (raw, 0-1 or 0-3)",
    "lab_category:": "share of cases that hit this required lab category",
    "unnecessary_laboratory_tests": "requested tests neither required nor neutral, per case",
    "imaging": "imaging points 0-2",
    "unnecessary_imaging": "invalid or repeated imaging requests, per case",
    "first_imaging:": "share of cases whose first imaging request has this modality, read under the run's protocol "
    "('other': not understood; 'none': no imaging)",
    "treatment_recall": "per case, required treatments requested / treatments required",
    "treatment_cdmv1:": "CDMv1: among cases requiring it with gracious diagnosis 1, share that requested it",
    "treatment_required:": "share of cases whose ground truth requires this treatment",
    "treatment_requested:": "share of cases whose treatment plan requests it",
    "invalid_tools": "tool calls that are not one of the three tools, per case",
    "rounds": "tool calls per case",
    "action_parsing": "CDMv1: agent steps whose answer could not be read (each also an invalid tool), per case",
    "diagnosis_parsing": "CDMv1: share of cases whose diagnosis could not be read",
    "treatment_parsing": "CDMv1: share of cases whose treatment plan could not be read",
    "errors": "cases with status 'error' in scores or predictions (each counts as 0 in every metric above)",
    "error_rate": "errors / cases",
    "lm_error": "failed cases: the LM could not be reached or kept failing (retry_errors=true reruns them)",
    "format_error": "failed cases: the model's own output could not be used for the final answer",
    "prompt_tokens": "prompt tokens per case, all LMs",
    "completion_tokens": "completion tokens per case, all LMs",
    "latency_s": "seconds per case",
}


class _Case:
    """The few numbers kept per case."""

    __slots__ = ("error", "first_imaging", "kind", "pathology", "values")

    def __init__(self, pathology: str | None) -> None:
        self.pathology = pathology
        self.values: dict[str, float] = {}
        self.first_imaging: str | None = None
        self.error = False
        self.kind: str | None = None


def _validate(model, line: Any, index: int, source: str):
    if not isinstance(line, Mapping):
        raise DataSourceError(f"{source} line {index}: expected a JSON object, got {type(line).__name__}.")
    try:
        return model.model_validate(line)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(line)"
        raise DataSourceError(
            f"{source} line {index}: field {field!r}: {first['msg']}. Fix or remove the line (docs/formats.md)."
        ) from None


def _metric_order(observed: set[str]) -> list[str]:
    order = [*BINARY_METRICS, "laboratory_tests_fraction", "laboratory_tests"]
    order += [f"lab_category:{c}" for c in LAB_CATEGORIES]
    order += ["unnecessary_laboratory_tests", "imaging", "unnecessary_imaging"]
    order += [f"first_imaging:{m}" for m in IMAGING_VALUES]
    order += ["treatment_recall"]
    for key in TREATMENT_KEYS:
        order += [f"treatment_cdmv1:{key}", f"treatment_required:{key}", f"treatment_requested:{key}"]
    order += ["invalid_tools", "rounds", *PARSING_METRICS]
    order += [m for name in USAGE_METRICS for m in (name, f"{name}_median")]
    return [m for m in order if m in observed or m.removesuffix("_median") in observed]


def _is_share(metric: str) -> bool:
    return metric in (*BINARY_METRICS, "diagnosis_parsing", "treatment_parsing") or metric.split(":")[0] in (
        "lab_category",
        "first_imaging",
        "treatment_cdmv1",
        "treatment_required",
        "treatment_requested",
    )


def _row(pathology: str, metric: str, values: list[float], resamples: int, seed: int) -> MetricRow | None:
    if not values:
        return None
    n = len(values)
    if metric.endswith("_median"):
        return MetricRow(pathology=pathology, metric=metric, mean=statistics.median(values), n=n, method="median")
    if _is_share(metric):
        successes = round(sum(values))
        low, high = wilson_interval(successes, n)
        return MetricRow(
            pathology=pathology, metric=metric, mean=successes / n, n=n, ci_low=low, ci_high=high, method="wilson"
        )
    low, high = bootstrap_interval(values, n_resamples=resamples, seed=seed)
    return MetricRow(
        pathology=pathology, metric=metric, mean=sum(values) / n, n=n, ci_low=low, ci_high=high, method="bootstrap"
    )


def _columns(cases: dict[int, _Case]) -> list[str]:
    seen = {c.pathology for c in cases.values() if c.pathology is not None}
    return [p for p in PATHOLOGIES if p in seen] + sorted(seen - set(PATHOLOGIES))


def summarize(
    scores: Iterable[Mapping[str, Any]],
    predictions: Iterable[Mapping[str, Any]] | None = None,
    *,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    scores_source: str = "scores",
    predictions_source: str = "predictions",
    protocol: str | None = None,
) -> Summary:
    """Summarize score lines (and prediction lines) per pathology and overall.

    Args:
        scores: ``scores.jsonl`` lines as dicts (docs/formats.md "Scores file"); may be a generator.
        predictions: ``predictions.jsonl`` lines as dicts, for errors, tokens, latency and the first imaging
            request; None to summarize the scores alone.
        n_resamples: bootstrap resamples per interval.
        seed: bootstrap seed (same inputs and seed give the same summary).
        scores_source: how error messages name the scores lines (e.g. the file path).
        predictions_source: how error messages name the prediction lines.
        protocol: the run's protocol (default ``cdmbench``): how the first imaging request is read.

    Returns:
        The ``Summary``: rows per pathology (then ``"overall"``) and metric; metrics without cases are left out.

    Raises:
        DataSourceError: a line is not an object or lacks a required field (the message names the line).
    """
    cases: dict[int, _Case] = {}
    replaced = 0
    for index, line in enumerate(scores, start=1):
        record = _validate(ScoreRecord, line, index, scores_source)
        replaced += record.hadm_id in cases
        case = cases[record.hadm_id] = _Case(record.pathology or "unknown")
        case.error = record.status == "error"
        case.kind = record.error_kind if case.error else None
        if record.scores is not None:
            case.values = score_values(record)
            answers = record.answers or ScoreAnswers()
            case.first_imaging = first_imaging_from_answers(
                answers.correct_imaging, answers.unnecessary_imaging, protocol
            )
        elif case.error:  # a failed case is a miss: it counts as 0, never drops out of a mean
            case.values = {name: 0.0 for name in FAILED_CASE_ZEROS}
    n_scored = len(cases)
    scored_error = {hadm_id: case.error for hadm_id, case in cases.items()}
    for index, line in enumerate(predictions or (), start=1):
        record = _validate(PredictionRecord, line, index, predictions_source)
        case = cases.setdefault(record.hadm_id, _Case(None))
        # the last predictions line of a case counts (a retried error that then succeeded is no error)
        case.error = scored_error.get(record.hadm_id, False) or record.status == "error"
        if record.status == "error":
            case.kind = record.error_kind or case.kind
        elif not scored_error.get(record.hadm_id, False):
            case.kind = None
        case.values.update(usage_values(record))
        case.values.update(parsing_values(record))
        if case.first_imaging is not None:
            first = first_imaging_from_tool_calls(record.tool_calls, protocol)
            if first != OTHER_IMAGING or case.first_imaging in (NO_IMAGING, OTHER_IMAGING):
                case.first_imaging = first
    if replaced:
        logger.warning("{}: {} hadm_ids occur more than once; the last line of each counts", scores_source, replaced)
    return _aggregate(cases, n_scored, n_resamples, seed)


def _aggregate(cases: dict[int, _Case], n_scored: int, resamples: int, seed: int) -> Summary:
    columns = _columns(cases)
    groups = {p: [c for c in cases.values() if c.pathology == p] for p in columns}
    groups[OVERALL] = list(cases.values())
    observed = {m for c in cases.values() for m in c.values} | {
        f"first_imaging:{c.first_imaging}" for c in cases.values() if c.first_imaging
    }
    rows: list[MetricRow] = []
    for metric in _metric_order(observed):
        for pathology, members in groups.items():
            values = _values(members, metric)
            row = _row(pathology, metric, values, resamples, seed)
            if row is not None:
                rows.append(row)
    for pathology, members in groups.items():
        errors = sum(c.error for c in members)
        rows.append(MetricRow(pathology=pathology, metric="errors", mean=float(errors), n=len(members), method="count"))
        for kind in ERROR_KINDS:
            count = sum(c.error and c.kind == kind for c in members)
            rows.append(MetricRow(pathology=pathology, metric=kind, mean=float(count), n=len(members), method="count"))
        if members:
            low, high = wilson_interval(errors, len(members))
            rows.append(
                MetricRow(
                    pathology=pathology,
                    metric="error_rate",
                    mean=errors / len(members),
                    n=len(members),
                    ci_low=low,
                    ci_high=high,
                    method="wilson",
                )
            )
    return Summary(
        pathologies=[*columns, OVERALL],
        rows=rows,
        n_cases=n_scored,
        errors=sum(c.error for c in cases.values()),
        error_kinds=_error_kinds(cases),
        bootstrap_resamples=resamples,
        bootstrap_seed=seed,
        metric_notes=METRIC_NOTES,
    )


def _error_kinds(cases: dict[int, _Case]) -> dict[str, int]:
    kinds = {kind: 0 for kind in ERROR_KINDS}
    for case in cases.values():
        if case.error:
            key = case.kind if case.kind in kinds else "unknown"
            kinds[key] = kinds.get(key, 0) + 1
    return kinds


def _values(members: list[_Case], metric: str) -> list[float]:
    if metric.startswith("first_imaging:"):
        modality = metric.split(":", 1)[1]
        return [1.0 if c.first_imaging == modality else 0.0 for c in members if c.first_imaging is not None]
    name = metric.removesuffix("_median")
    return [c.values[name] for c in members if name in c.values]
