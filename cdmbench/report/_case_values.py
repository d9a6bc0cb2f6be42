"""Per-case numbers from one scores line or one predictions line (what ``summarize`` keeps per case).

Example:
    >>> line = ScoreRecord.model_validate({"hadm_id": 1, "pathology": "appendicitis", "scores": {"imaging": 2}})
    >>> score_values(line)["imaging"]
    2.0
"""

from __future__ import annotations

from collections.abc import Mapping

from cdmbench.report._reference import TREATMENT_KEYS, lab_categories, max_lab_score, treatments
from cdmbench.report.records import PredictionRecord, ScoreAnswers, ScoreRecord

__all__ = [
    "BINARY_METRICS",
    "FAILED_CASE_ZEROS",
    "MEAN_METRICS",
    "PARSING_METRICS",
    "USAGE_METRICS",
    "parsing_values",
    "score_values",
    "treatment_values",
    "usage_values",
]

BINARY_METRICS: tuple[str, ...] = (
    "diagnosis",
    "gracious_diagnosis",
    "physical_examination",
    "late_physical_examination",
)
"""Per-case 0/1 scores, reported as shares with Wilson intervals."""

MEAN_METRICS: tuple[str, ...] = ("laboratory_tests", "imaging", "invalid_tools", "rounds")
"""Per-case counts or points, reported as means with bootstrap intervals."""

PARSING_METRICS: tuple[str, ...] = ("action_parsing", "diagnosis_parsing", "treatment_parsing")
"""CDMv1's parsing failures per case: agent steps that could not be read (count), diagnosis and treatment (0/1)."""

FAILED_CASE_ZEROS: tuple[str, ...] = (*BINARY_METRICS, "laboratory_tests", "imaging")
"""The scores a failed case without a scores object counts as 0 (older runs wrote error lines without scores)."""

USAGE_METRICS: tuple[str, ...] = ("prompt_tokens", "completion_tokens", "latency_s")
"""Per-case usage, reported as mean (bootstrap) and median."""


def score_values(record: ScoreRecord) -> dict[str, float]:
    """Metric name -> value of a scored line: the scores, lab fraction, lab categories, unnecessary counts, treatments."""
    scores = record.scores or {}
    values: dict[str, float] = {}
    for name in BINARY_METRICS:
        if scores.get(name) is not None:
            values[name] = 1.0 if scores[name] else 0.0
    for name in MEAN_METRICS:
        if scores.get(name) is not None:
            values[name] = float(scores[name])
    maximum = max_lab_score(record.pathology or "")
    if "laboratory_tests" in values and maximum:
        values["laboratory_tests_fraction"] = values["laboratory_tests"] / maximum
    answers = record.answers or ScoreAnswers()
    values["unnecessary_laboratory_tests"] = float(len(answers.unnecessary_laboratory_tests))
    values["unnecessary_imaging"] = float(len(answers.unnecessary_imaging))
    for category in lab_categories(record.pathology or ""):
        values[f"lab_category:{category}"] = 1.0 if answers.correct_laboratory_tests.get(category) else 0.0
    values.update(treatment_values(record))
    return values


def treatment_values(record: ScoreRecord) -> dict[str, float]:
    """Per treatment key: required, requested, CDMv1's requested-when-required-and-gracious; and the case's recall.

    The recall (requested-and-required / required) is left out when no treatment is required.
    """
    answers = record.answers or ScoreAnswers()
    required, requested = answers.treatment_required, answers.treatment_requested
    keys = [k for k in TREATMENT_KEYS if k in required or k in requested or k in treatments(record.pathology or "")]
    values: dict[str, float] = {}
    gracious = (record.scores or {}).get("gracious_diagnosis")
    for key in keys:
        if key in required:
            values[f"treatment_required:{key}"] = 1.0 if required[key] else 0.0
        if key in requested or key in required:
            values[f"treatment_requested:{key}"] = 1.0 if requested.get(key) else 0.0
        if required.get(key) and gracious:
            values[f"treatment_cdmv1:{key}"] = 1.0 if requested.get(key) else 0.0
    needed = [k for k, v in required.items() if v]
    if needed:
        values["treatment_recall"] = sum(1 for k in needed if requested.get(k)) / len(needed)
    return values


def usage_values(record: PredictionRecord) -> dict[str, float]:
    """Prompt and completion tokens summed over the LMs, and latency, of a predictions line."""
    values: dict[str, float] = {}
    for name in ("prompt_tokens", "completion_tokens"):
        counts = [u.get(name) for u in record.usage.values() if isinstance(u, Mapping)]
        counts = [c for c in counts if isinstance(c, int | float) and not isinstance(c, bool)]
        if counts:
            values[name] = float(sum(counts))
    if record.latency_s is not None:
        values["latency_s"] = float(record.latency_s)
    return values


def parsing_values(record: PredictionRecord) -> dict[str, float]:
    """CDMv1's parsing metrics of a predictions line (left out for an ok line that records none)."""
    parsing = record.parsing or {}
    if not parsing and record.status != "error":
        return {}
    return {f"{name}_parsing": float(parsing.get(name) or 0) for name in ("action", "diagnosis", "treatment")}
