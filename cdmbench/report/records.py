"""The records of the report: score and prediction lines read in, the summary written out.

``ScoreRecord`` and ``PredictionRecord`` validate the lines of ``scores.jsonl`` and ``predictions.jsonl``
(docs/formats.md) leniently: only the fields the summary needs are checked, anything else is ignored. ``Summary``
is what ``summarize`` returns and ``summary.json`` holds: one ``MetricRow`` per pathology and metric.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CI_METHODS", "OVERALL", "MetricRow", "PredictionRecord", "ScoreAnswers", "ScoreRecord", "Summary"]

OVERALL = "overall"
"""The pathology name of the rows that pool all cases."""

CI_METHODS: dict[str, str] = {
    "wilson": "share of cases; 95% Wilson score interval",
    "bootstrap": "mean per case; 95% percentile bootstrap interval of the mean (seeded)",
    "median": "median per case; no interval",
    "count": "number of lines; no interval",
}
"""How each ``MetricRow.method`` computes its mean and interval."""


class ScoreAnswers(BaseModel):
    """The parts of a scores line's ``answers`` the summary reads."""

    model_config = ConfigDict(extra="ignore")

    treatment_required: dict[str, bool] = Field(default_factory=dict)
    """Treatment key -> the case's ground truth requires it."""
    treatment_requested: dict[str, bool] = Field(default_factory=dict)
    """Treatment key -> the model's treatment text requests it."""
    correct_laboratory_tests: dict[str, list[Any]] = Field(default_factory=dict)
    """Required lab category -> the requested itemids that hit it."""
    unnecessary_laboratory_tests: list[Any] = Field(default_factory=list)
    """Requested tests neither required nor neutral."""
    correct_imaging: list[Any] = Field(default_factory=list)
    """Valid imaging requests, in request order ({region, modality})."""
    unnecessary_imaging: list[Any] = Field(default_factory=list)
    """Invalid or repeated imaging requests, in request order."""


class ScoreRecord(BaseModel):
    """One line of ``scores.jsonl``; a line without ``scores`` counts only as an error."""

    model_config = ConfigDict(extra="ignore")

    hadm_id: int
    """The admission the line scores."""
    pathology: str | None = None
    """The case's pathology (None: unknown)."""
    status: str = "ok"
    """"ok" or "error"."""
    error_kind: str | None = None
    """"lm_error" or "format_error" on error lines that say which."""
    scores: dict[str, float | None] | None = None
    """Metric name -> per-case value (docs/formats.md "Scores file")."""
    answers: ScoreAnswers | None = None
    """What the scores were computed from (null on error lines)."""


class PredictionRecord(BaseModel):
    """One line of ``predictions.jsonl``: the fields the summary reads (status, tools, usage, latency)."""

    model_config = ConfigDict(extra="ignore")

    hadm_id: int
    """The admission predicted."""
    status: str = "ok"
    """"ok" or "error"."""
    error_kind: str | None = None
    """"lm_error" or "format_error" on error lines that say which."""
    parsing: dict[str, Any] | None = None
    """CDMv1's parsing failures of the case: action (count), diagnosis, treatment (0/1)."""
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    """The tool calls in order: {"name", "args"}."""
    latency_s: float | None = None
    """Wall-clock seconds the program took for the case."""
    usage: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """LM name -> token counts ({prompt_tokens, completion_tokens, ...})."""


class MetricRow(BaseModel):
    """One pathology x metric cell of the summary."""

    pathology: str
    """A pathology, or ``"overall"``."""
    metric: str
    """The metric name, e.g. ``diagnosis`` or ``treatment_cdmv1:appendectomy``."""
    mean: float | None
    """The mean (a share for Wilson rows, a median or a count for those methods); None when n is 0."""
    n: int
    """Number of cases the value is computed over."""
    ci_low: float | None = None
    """Lower end of the 95% interval (None when the method has none or n is 0)."""
    ci_high: float | None = None
    """Upper end of the 95% interval."""
    method: str
    """One of ``CI_METHODS``."""


class Summary(BaseModel):
    """Per pathology and overall, per metric: mean, n and 95% interval, with the methods stated."""

    pathologies: list[str]
    """Column order: the pathologies seen, then ``"overall"``."""
    rows: list[MetricRow]
    """One row per pathology and metric, metrics in a fixed order."""
    n_cases: int
    """Number of score lines read."""
    errors: int
    """Number of cases with an error (score or prediction status "error"); they count in every metric as 0."""
    error_kinds: dict[str, int] = Field(default_factory=dict)
    """Failed cases per kind: ``lm_error``, ``format_error`` (``unknown`` for lines that do not say)."""
    confidence: float = 0.95
    """Confidence level of every interval."""
    bootstrap_resamples: int
    """Resamples of each bootstrap interval."""
    bootstrap_seed: int
    """Seed of each bootstrap interval."""
    ci_methods: dict[str, str] = Field(default_factory=lambda: dict(CI_METHODS))
    """Method name -> how its mean and interval are computed."""
    metric_notes: dict[str, str] = Field(default_factory=dict)
    """Metric name (or prefix ending in ':') -> a sentence on what it measures."""
    protocol: str | None = None
    """The protocol the run was made under (``cdmv1`` or ``cdmbench``; None when summarized without a run)."""

    def get(self, pathology: str, metric: str) -> MetricRow | None:
        """Return the row of ``pathology`` and ``metric``, or None."""
        return next((r for r in self.rows if r.pathology == pathology and r.metric == metric), None)

    def metrics(self) -> list[str]:
        """The metric names in row order, each once."""
        return list(dict.fromkeys(r.metric for r in self.rows))

    def to_frame(self) -> pd.DataFrame:
        """The rows as a long table: pathology, metric, mean, n, ci_low, ci_high, method."""
        columns = ["pathology", "metric", "mean", "n", "ci_low", "ci_high", "method"]
        return pd.DataFrame([r.model_dump() for r in self.rows], columns=columns)
