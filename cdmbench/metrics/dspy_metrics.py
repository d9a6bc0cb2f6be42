"""DSPy metrics over the CDMv1 scorer: one for ``dspy.Evaluate`` and bootstrapping, one with feedback for GEPA.

The example carries the full ``Case`` (ground truth included) in its field ``case``; the prediction carries
``diagnosis``, ``treatments`` and ``tool_calls`` (a list of ``{"name", "args"}``). The case is scored with
``score_case`` and the parts are combined into one number in [0, 1]:

    (w_dx * diagnosis + w_gr * gracious + w_pe * PE first + w_lab * categories hit / required
     + w_img * imaging / 2 + w_tx * treatment recall) / (sum of those weights)
    - penalty * invalid tool calls, floored at 0.

Example:
    >>> metric = make_metric(MetricWeights(), threshold=0.8)
    >>> metric(dspy.Example(case=case).with_inputs(), dspy.Prediction(diagnosis="Acute appendicitis", ...))
    0.83
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import dspy
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cdmbench.cases import Case
from cdmbench.metrics.core import CaseScore
from cdmbench.metrics.imaging import MAX_IMAGING_SCORE
from cdmbench.metrics.pathologies import pathology_config
from cdmbench.metrics.scorer import score_case
from cdmbench.vocabulary.lab_dictionary import LabDictionary

if TYPE_CHECKING:
    from cdmbench.protocols import Protocol

__all__ = [
    "MetricWeights",
    "make_feedback_metric",
    "make_metric",
    "metric_components",
    "score_prediction",
    "weighted_score",
]

_COMPONENTS = ("diagnosis", "gracious_diagnosis", "physical_examination", "laboratory_tests", "imaging", "treatment")
_FEEDBACK_ORDER = ("diagnosis", "physical_examination", "laboratory_tests", "imaging", "treatment", "invalid_tools")


class MetricWeights(BaseModel):
    """Weights of the CDM score (``configs/metric/cdm_score.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    diagnosis: float = Field(1.0, ge=0)
    """Weight of diagnosis (0/1)."""
    gracious_diagnosis: float = Field(1.0, ge=0)
    """Weight of gracious diagnosis (0/1)."""
    physical_examination: float = Field(0.5, ge=0)
    """Weight of the physical examination as the first call (0/1)."""
    laboratory_tests: float = Field(0.5, ge=0)
    """Weight of the share of required lab categories hit."""
    imaging: float = Field(0.5, ge=0)
    """Weight of imaging / 2."""
    treatment: float = Field(1.0, ge=0)
    """Weight of the share of required treatments requested."""
    invalid_tool_penalty: float = Field(0.05, ge=0)
    """Subtracted per invalid tool call after weighting (the result is floored at 0)."""


def metric_components(score: CaseScore) -> dict[str, float]:
    """The metric's parts of one scored case, each in [0, 1] (error lines give all zeros, as in ``evaluate``)."""
    if score.status == "error" or score.scores is None or score.answers is None or score.pathology is None:
        return dict.fromkeys(_COMPONENTS, 0.0)
    s, a = score.scores, score.answers
    needed = [k for k, v in a.treatment_required.items() if v]
    recall = sum(a.treatment_requested.get(k, False) for k in needed) / len(needed) if needed else 1.0
    return {
        "diagnosis": float(s.diagnosis),
        "gracious_diagnosis": float(s.gracious_diagnosis),
        "physical_examination": float(s.physical_examination),
        "laboratory_tests": s.laboratory_tests / max(1, pathology_config(score.pathology).max_laboratory_score),
        "imaging": min(s.imaging, MAX_IMAGING_SCORE) / MAX_IMAGING_SCORE,
        "treatment": recall,
    }


def weighted_score(score: CaseScore, weights: MetricWeights) -> float:
    """Combine a scored case into one number in [0, 1] (see the module docstring)."""
    parts = metric_components(score)
    total_weight = sum(getattr(weights, name) for name in parts)
    value = sum(getattr(weights, name) * part for name, part in parts.items()) / total_weight if total_weight else 0.0
    invalid = score.scores.invalid_tools if score.scores else 0
    return max(0.0, min(1.0, value - weights.invalid_tool_penalty * invalid))


def _case(example: Any) -> Case:
    case = example.get("case") if isinstance(example, Mapping) else getattr(example, "case", None)
    if isinstance(case, Case):
        return case
    if isinstance(case, Mapping):
        return Case.model_validate(case)
    raise TypeError("the DSPy example needs the full cdmbench Case in its field 'case'")


def _prediction(pred: Any) -> dict[str, Any]:
    get = pred.get if isinstance(pred, Mapping) else (lambda key, default=None: getattr(pred, key, default))
    failure = get("failure", None)
    if failure:  # the diagnosis could not be read: a failed case, scored 0 as ``evaluate`` scores it
        kind = failure.get("kind", "format_error") if isinstance(failure, Mapping) else "format_error"
        return {"status": "error", "error": "the final answer could not be read", "error_kind": kind}
    return {"diagnosis": get("diagnosis", ""), "treatments": get("treatments", []), "tool_calls": get("tool_calls", [])}


def score_prediction(
    case: Case, pred: Any, dictionary: LabDictionary | None = None, protocol: Protocol | str | None = None
) -> tuple[CaseScore | None, str]:
    """Score a program's prediction against ``case`` under ``protocol`` (default ``cdmbench``): the scored case,
    or None and why it could not be read."""
    try:
        return score_case(case, _prediction(pred), dictionary, protocol), ""
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        return None, f"The prediction could not be read: field {field!r}: {err['msg']}."


def _score(example: Any, pred: Any, dictionary: LabDictionary | None) -> tuple[CaseScore | None, str | None]:
    score, problem = score_prediction(_case(example), pred, dictionary)
    return score, problem or None


def make_metric(
    weights: MetricWeights | None = None, threshold: float | None = None, dictionary: LabDictionary | None = None
) -> Callable[..., float | bool]:
    """Build the DSPy metric ``metric(example, pred, trace=None) -> float | bool``.

    Args:
        weights: the weights (defaults as ``configs/metric/cdm_score.yaml``).
        threshold: when set and ``trace`` is not None (bootstrapping), return ``score >= threshold``.
        dictionary: the lab label dictionary to map lab requests (default: reference labels plus the case's own).
    """
    weights = weights or MetricWeights()

    def metric(example: Any, pred: Any, trace: Any = None) -> float | bool:
        score, _ = _score(example, pred, dictionary)
        value = weighted_score(score, weights) if score is not None else 0.0
        if trace is not None and threshold is not None:
            return value >= threshold
        return value

    return metric


def _feedback(score: CaseScore, weights: MetricWeights, value: float) -> str:
    parts = metric_components(score)
    breakdown = ", ".join(f"{name} {part:.2f}" for name, part in parts.items())
    lines = [f"Score {value:.2f} for a case of {score.pathology} ({breakdown})."]
    lines += [f"- {score.explanations[key]}" for key in _FEEDBACK_ORDER if key in score.explanations]
    if score.scores and score.scores.invalid_tools:
        lines.append(f"- Each invalid tool call costs {weights.invalid_tool_penalty:.2f}.")
    return "\n".join(lines)


def make_feedback_metric(
    weights: MetricWeights | None = None, dictionary: LabDictionary | None = None
) -> Callable[..., dspy.Prediction]:
    """Build the GEPA metric ``(gold, pred, trace, pred_name, pred_trace) -> dspy.Prediction(score, feedback)``.

    The feedback is the scorer's explanations: whether the diagnosis was right or negated, when the physical
    examination came, which lab category was missed, how imaging was scored, which treatment is missing, and
    the invalid tool calls.
    """
    weights = weights or MetricWeights()

    def feedback_metric(
        gold: Any, pred: Any, trace: Any = None, pred_name: str | None = None, pred_trace: Any = None
    ) -> dspy.Prediction:
        score, problem = _score(gold, pred, dictionary)
        if score is None:
            return dspy.Prediction(score=0.0, feedback=problem)
        value = weighted_score(score, weights)
        return dspy.Prediction(score=value, feedback=_feedback(score, weights, value))

    return feedback_metric
