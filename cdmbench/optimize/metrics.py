"""The optimization metric of each program, registered by name (Hydra group ``metric``).

A program's config names its metric (``configs/program/<name>.yaml``: ``metric: cdm_score``); ``metric=<name>``
overrides it. Each metric scores one case in [0, 1], says whether a bootstrapped trace may become a demo (its
threshold), and writes GEPA feedback per predictor:

- ``cdm_score`` (cdm_agent, full_info): the weighted CDMv1 score (``cdmbench.metrics.weighted_score``);
- ``diagnosis`` / ``gracious_diagnosis`` (diagnosis_only): 1 when the diagnosis is (graciously) right;
- ``lab_accuracy`` (lab_interpretation): the share of lab values read correctly as low / normal / high.

The threshold: with ``trace`` given (DSPy bootstraps a demo), the metric returns whether the trace passes:
the diagnosis is right (``require_diagnosis``: exact, gracious or none), the score reaches ``min_score``, and
(``clean``) the prediction holds no format failure, failed step or invalid tool call. ``min_score`` also goes
to every optimizer that takes a ``metric_threshold``.

Every metric scores under the protocol the optimize run chose (``protocol=cdmv1|cdmbench``, ``case_scorer``): the
metric, the dev and val scores and GEPA's feedback read a trajectory as that protocol's ``evaluate`` run does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import dspy
from loguru import logger
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cdmbench.cases import Case
from cdmbench.errors import ConfigError, UnknownNameError
from cdmbench.metrics.core import CaseScore
from cdmbench.optimize.case_scorer import PredictionScorer
from cdmbench.optimize.examples import gold_case
from cdmbench.optimize.feedback import diagnosis_feedback, lab_feedback, scrub, stage_feedback, stage_of
from cdmbench.protocols import Protocol

__all__ = ["METRICS", "MetricConfig", "ProgramMetric", "Threshold", "build_metric", "register_metric"]


class Threshold(BaseModel):
    """When a bootstrapped trace may become a demo."""

    model_config = ConfigDict(extra="forbid")

    require_diagnosis: Literal["exact", "gracious", "none"] = "exact"
    """The trace's diagnosis must be right (exact), graciously right, or anything (none)."""
    min_score: float | None = Field(None, ge=0, le=1)
    """The metric must reach this (also DSPy's ``metric_threshold``); null: no bound."""
    clean: bool = True
    """No format failure, failed step or invalid tool call in the trace's prediction."""


class MetricConfig(BaseModel):
    """``configs/metric/<name>.yaml``."""

    model_config = ConfigDict(extra="forbid")

    name: str
    """The registered metric."""
    weights: dict[str, float] | None = None
    """``cdm_score`` only: the weights (``cdmbench.metrics.MetricWeights``)."""
    threshold: Threshold = Field(default_factory=Threshold)
    """The demo threshold."""


Scorer = Callable[[Case, Any], tuple[float, CaseScore | None, str]]
"""``(case, prediction) -> (value, scored case or None, problem text)``."""


@dataclass
class ProgramMetric:
    """A registered metric, ready for DSPy."""

    config: MetricConfig
    score: Scorer
    feedback_text: Callable[[Case, CaseScore | None, Any, str | None, float], str]
    protocol: str = "cdmbench"
    """The protocol the metric scores under."""

    @property
    def metric_threshold(self) -> float | None:
        """DSPy's ``metric_threshold`` (``threshold.min_score``)."""
        return self.config.threshold.min_score

    def rejects(self, case: Case, pred: Any) -> str | None:
        """Why a trace with this prediction may not become a demo (None: it may)."""
        value, score, _ = self.score(case, pred)
        t = self.config.threshold
        if t.min_score is not None and value < t.min_score:
            return f"score {value:.2f} below {t.min_score}"
        if t.require_diagnosis != "none":
            s = score.scores if score is not None else None
            key = "diagnosis" if t.require_diagnosis == "exact" else "gracious_diagnosis"
            if s is None or not getattr(s, key):
                return "diagnosis wrong" if t.require_diagnosis == "exact" else "diagnosis not even graciously right"
        if t.clean and not _clean(pred, score):
            return "a format failure, failed step or invalid tool call"
        return None

    def passes(self, case: Case, pred: Any) -> bool:
        """Whether a trace with this prediction may become a demo."""
        return self.rejects(case, pred) is None

    def metric(self, example: Any, pred: Any, trace: Any = None) -> float | bool:
        """``metric(example, pred, trace=None)``: the score; with a trace, whether it passes the threshold."""
        case = gold_case(example)
        if trace is not None:
            reason = self.rejects(case, pred)
            logger.debug(
                "threshold: a trace of a {} case {}", case.pathology, "passes" if reason is None else f"fails: {reason}"
            )
            return reason is None
        return self.score(case, pred)[0]

    def feedback_metric(
        self, gold: Any, pred: Any, trace: Any = None, pred_name: str | None = None, pred_trace: Any = None
    ) -> dspy.Prediction:
        """GEPA's metric: the same score, with feedback for the predictor ``pred_name``."""
        case = gold_case(gold)
        value, score, problem = self.score(case, pred)
        text = problem or self.feedback_text(case, score, pred, pred_name, value)
        return dspy.Prediction(score=value, feedback=scrub(text, case))

    def describe(self) -> dict[str, Any]:
        """The manifest's record of the metric: name, weights, threshold."""
        return self.config.model_dump(mode="json")


def _clean(pred: Any, score: CaseScore | None) -> bool:
    get = pred.get if hasattr(pred, "get") else lambda k, d=None: getattr(pred, k, d)
    parsing = get("parsing", None) or {}
    if any(int(v or 0) for v in dict(parsing).values()) or get("failure", None) or get("format_failures", None):
        return False
    if any(step.get("status", "ok") != "ok" for step in get("steps", None) or [] if isinstance(step, dict)):
        return False
    interpretations = get("interpretations", None) or []
    if any(i.get("predicted") is None for i in interpretations):
        return False
    return not (score is not None and score.scores is not None and score.scores.invalid_tools)


Builder = Callable[[MetricConfig, PredictionScorer], ProgramMetric]
"""A metric builder: ``(config, scorer) -> ProgramMetric``; ``scorer`` scores a prediction under the protocol."""

METRICS: dict[str, Builder] = {}
"""Registered metric builders by name."""
_DEFAULT_THRESHOLDS: dict[str, dict[str, Any]] = {}


def register_metric(name: str, threshold: dict[str, Any] | None = None) -> Callable:
    """Register a metric builder under ``name`` (a duplicate is an error); ``threshold``: its default threshold."""

    def decorate(builder: Builder) -> Builder:
        if name in METRICS:
            raise ValueError(f"metric {name!r} is already registered")
        METRICS[name] = builder
        _DEFAULT_THRESHOLDS[name] = dict(threshold or {})
        return builder

    return decorate


def build_metric(
    settings: dict[str, Any], protocol: str | Protocol | None = None, cases: Sequence[Case] = ()
) -> ProgramMetric:
    """Build the metric ``settings['name']`` with its weights and threshold (``configs/metric/<name>.yaml``).

    Args:
        settings: the metric config (``name``, ``weights``, ``threshold``).
        protocol: the protocol it scores under (default ``cdmbench``).
        cases: every loaded case (train, dev, val): their lab labels make the one lab dictionary of the scorer.

    Raises:
        UnknownNameError: no metric has that name.
        ConfigError: a setting is unknown or invalid.
    """
    name = str(settings.get("name"))
    if name not in METRICS:
        raise UnknownNameError("metric", name, list(METRICS), "Use metric=<name> (configs/metric/).")
    data = dict(settings)
    data["threshold"] = {**_DEFAULT_THRESHOLDS[name], **dict(data.get("threshold") or {})}
    try:
        config = MetricConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise ConfigError(f"metric {name!r}: {where}: {first['msg']}. Fix configs/metric/{name}.yaml.") from None
    scorer = PredictionScorer.build(protocol, cases)
    metric = METRICS[name](config, scorer)
    metric.protocol = scorer.protocol.name
    return metric


@register_metric("cdm_score")
def _cdm_score(config: MetricConfig, scorer: PredictionScorer) -> ProgramMetric:
    from cdmbench.metrics.dspy_metrics import MetricWeights, weighted_score

    try:
        weights = MetricWeights(**(config.weights or {}))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"metric cdm_score: weights.{first['loc'][0]}: {first['msg']}.") from None
    config.weights = weights.model_dump()

    def score(case: Case, pred: Any) -> tuple[float, CaseScore | None, str]:
        scored, problem = scorer(case, pred)
        return (weighted_score(scored, weights) if scored else 0.0), scored, problem

    def feedback(case: Case, scored: CaseScore | None, pred: Any, pred_name: str | None, value: float) -> str:
        lines = stage_feedback(case, scored, pred, stage_of(pred_name), weights.invalid_tool_penalty)
        return "\n".join([f"Score {value:.2f} for a case of {case.pathology}.", *(f"- {x}" for x in lines)])

    return ProgramMetric(config, score, feedback)


def _diagnosis_metric(key: str) -> Builder:
    def build(config: MetricConfig, scorer: PredictionScorer) -> ProgramMetric:
        if config.weights:
            raise ConfigError(f"metric {config.name!r} has no weights; weights belong to cdm_score.")

        def score(case: Case, pred: Any) -> tuple[float, CaseScore | None, str]:
            scored, problem = scorer(case, pred)
            value = float(getattr(scored.scores, key)) if scored and scored.scores else 0.0
            return value, scored, problem

        def feedback(case: Case, scored: CaseScore | None, pred: Any, pred_name: str | None, value: float) -> str:
            return diagnosis_feedback(case, scored) if scored else "No diagnosis could be read."

        return ProgramMetric(config, score, feedback)

    return build


register_metric("diagnosis")(_diagnosis_metric("diagnosis"))
register_metric("gracious_diagnosis", {"require_diagnosis": "gracious"})(_diagnosis_metric("gracious_diagnosis"))


@register_metric("lab_accuracy", {"require_diagnosis": "none", "min_score": 1.0})
def _lab_accuracy(config: MetricConfig, scorer: PredictionScorer) -> ProgramMetric:
    if config.weights:
        raise ConfigError("metric 'lab_accuracy' has no weights; weights belong to cdm_score.")

    def score(case: Case, pred: Any) -> tuple[float, CaseScore | None, str]:
        items = _interpretations(pred)
        if not items:
            return 1.0, None, ""
        return sum(i.get("predicted") == i.get("expected") for i in items) / len(items), None, ""

    def feedback(case: Case, scored: CaseScore | None, pred: Any, pred_name: str | None, value: float) -> str:
        return f"Accuracy {value:.2f}. {lab_feedback(_interpretations(pred))}"

    return ProgramMetric(config, score, feedback)


def _interpretations(pred: Any) -> list[dict[str, Any]]:
    get = pred.get if hasattr(pred, "get") else lambda k, d=None: getattr(pred, k, d)
    return [dict(i) for i in (get("interpretations", None) or []) if isinstance(i, dict)]
