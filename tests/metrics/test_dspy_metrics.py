"""The DSPy metric (weights, threshold for bootstrapping) and the GEPA feedback metric."""

from __future__ import annotations

import dspy
import pytest
from omegaconf import OmegaConf

from cdmbench.config import config_dir
from cdmbench.metrics import MetricWeights, make_feedback_metric, make_metric, score_case, weighted_score
from tests.metrics.helpers import imaging, labs, make_case, pe

CASE = make_case("cholecystitis", procedures=[("Laparoscopic cholecystectomy", "5123")])


def example() -> dspy.Example:
    return dspy.Example(case=CASE).with_inputs()


def pred(**fields) -> dspy.Prediction:
    base = {
        "diagnosis": "Acute cholecystitis",
        "treatments": ["Laparoscopic cholecystectomy", "IV antibiotics", "IV fluids"],
        "tool_calls": [pe(), labs("CBC", "LFTs"), imaging("RUQ", "Ultrasound")],
    }
    return dspy.Prediction(**(base | fields))


def test_perfect_prediction_scores_one() -> None:
    assert make_metric(MetricWeights())(example(), pred()) == pytest.approx(1.0)


def test_weighted_mean_of_the_parts() -> None:
    weights = MetricWeights(
        diagnosis=1,
        gracious_diagnosis=0,
        physical_examination=0,
        laboratory_tests=1,
        imaging=1,
        treatment=0,
        invalid_tool_penalty=0,
    )
    p = pred(tool_calls=[labs("CBC"), imaging("Abdomen", "MRI")])  # 1/3 lab categories, imaging 1/2
    assert make_metric(weights)(example(), p) == pytest.approx((1 + 1 / 3 + 1 / 2) / 3)


def test_treatment_recall_and_wrong_diagnosis() -> None:
    weights = MetricWeights(
        diagnosis=1,
        gracious_diagnosis=0,
        physical_examination=0,
        laboratory_tests=0,
        imaging=0,
        treatment=1,
        invalid_tool_penalty=0,
    )
    p = pred(diagnosis="Acute pancreatitis", treatments=["IV antibiotics"])  # 1 of 3 treatments
    assert make_metric(weights)(example(), p) == pytest.approx((0 + 1 / 3) / 2)


def test_invalid_tools_are_penalized_and_floored() -> None:
    calls = [pe(), labs("CBC", "LFTs"), imaging("RUQ", "Ultrasound"), {"name": "xray", "args": {}}]
    assert make_metric(MetricWeights(invalid_tool_penalty=0.1))(example(), pred(tool_calls=calls)) == pytest.approx(0.9)
    many = [{"name": "xray", "args": {}}] * 30
    assert make_metric(MetricWeights(invalid_tool_penalty=0.1))(example(), pred(tool_calls=many)) == 0.0


def test_threshold_gives_a_bool_only_with_a_trace() -> None:
    metric = make_metric(MetricWeights(), threshold=0.9)
    assert metric(example(), pred(), trace=[]) is True
    assert metric(example(), pred(diagnosis="Gastritis"), trace=[]) is False
    assert isinstance(metric(example(), pred()), float)
    assert isinstance(make_metric(MetricWeights())(example(), pred(), trace=[]), float)  # no threshold


def test_unreadable_prediction_scores_zero() -> None:
    assert make_metric()(example(), pred(tool_calls="imaging")) == 0.0
    result = make_feedback_metric()(example(), pred(tool_calls="imaging"), None, None, None)
    assert result.score == 0.0 and "tool_calls" in result.feedback


def test_case_may_come_as_a_dict() -> None:
    ex = dspy.Example(case=CASE.model_dump(mode="json")).with_inputs()
    assert make_metric()(ex, pred()) == pytest.approx(1.0)
    assert make_metric()({"case": CASE}, pred()) == pytest.approx(1.0)  # a plain mapping (optimize.with_gold)


def test_feedback_metric_explains_what_was_missed() -> None:
    metric = make_feedback_metric(MetricWeights())
    p = pred(
        diagnosis="No cholecystitis",
        treatments=["IV fluids"],
        tool_calls=[labs("CBC"), imaging("Abdomen", "CT"), pe()],
    )
    result = metric(example(), p, None, "diagnose", None)
    assert isinstance(result, dspy.Prediction)
    assert result.score == pytest.approx(make_metric(MetricWeights())(example(), p))
    feedback = result.feedback
    assert "negated" in feedback  # diagnosis
    assert "came late" in feedback  # physical examination
    assert "missed: liver" in feedback and "gallbladder" in feedback  # lab categories
    assert "preferred first imaging for cholecystitis is Ultrasound or HIDA" in feedback
    assert "missing cholecystectomy" in feedback and "missing antibiotics" in feedback


def test_weighted_score_of_an_error_line_is_zero() -> None:
    error = score_case(CASE, {"status": "error", "error": "boom"})
    assert weighted_score(error, MetricWeights()) == 0.0


def test_default_config_matches_the_defaults() -> None:
    cfg = OmegaConf.load(config_dir() / "metric" / "cdm_score.yaml")
    assert MetricWeights.model_validate(OmegaConf.to_container(cfg.weights)) == MetricWeights()
    assert cfg.threshold.require_diagnosis == "exact" and cfg.threshold.min_score is None
