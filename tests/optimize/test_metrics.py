"""The metric of each program: its threshold keeps wrong traces out of the demos, its feedback speaks per stage."""

from __future__ import annotations

import dspy
import pytest

from cdmbench.errors import ConfigError, UnknownNameError
from cdmbench.optimize import to_example
from cdmbench.optimize.demo_sources import demo_pathologies
from cdmbench.optimize.metrics import METRICS, build_metric
from cdmbench.optimize.program_state import demo_counts
from cdmbench.programs import build_program, program_input
from tests.optimize.helpers import compile_tiny
from tests.optimize.schema_lm import SchemaLM


def _appendicitis(cases):
    return [c for c in cases if c.pathology == "appendicitis"]


@pytest.mark.parametrize("optimizer", ["bootstrap_fewshot", "bootstrap_random_search", "simba"])
def test_a_wrong_diagnosis_trace_never_becomes_a_demo(optimizer, synthetic_cases) -> None:
    train = _appendicitis(synthetic_cases)[:3]
    lm = SchemaLM(diagnosis="Acute cholecystitis")  # wrong on every appendicitis case
    with dspy.context(lm=lm, adapter=dspy.ChatAdapter()):
        compiled = compile_tiny(optimizer, "full_info", train, train[:2], lm)
    assert sum(demo_counts(compiled).values()) == 0

    right = SchemaLM()  # the same cases, diagnosed right: the traces pass and become demos
    with dspy.context(lm=right, adapter=dspy.ChatAdapter()):
        compiled = compile_tiny("bootstrap_fewshot", "full_info", train, train[:2], right)
    assert all(n == 1 for n in demo_counts(compiled).values())
    assert compiled.diagnose.predict.demos[0].diagnosis == "Acute appendicitis"


def test_bootstrapped_demos_come_only_from_cases_diagnosed_right(synthetic_cases, schema_lm) -> None:
    train = synthetic_cases[:4]  # one case of each pathology; the LM always says appendicitis
    compiled = compile_tiny("bootstrap_fewshot", "cdm_agent", train, train[:2], schema_lm)
    assert demo_counts(compiled)["gather.react"] == 1
    sources = demo_pathologies(compiled, None, train)
    assert sources["gather.react"] == ["appendicitis"]
    assert sources["diagnose.predict"] == ["appendicitis"]  # traced back through the summary of the same trace


def test_threshold_min_score_reaches_dspy(synthetic_cases, schema_lm) -> None:
    metric = build_metric({"name": "cdm_score", "threshold": {"min_score": 0.99, "require_diagnosis": "none"}})
    assert metric.metric_threshold == 0.99
    train = _appendicitis(synthetic_cases)[:2]
    compiled = compile_tiny(
        "bootstrap_fewshot",
        "full_info",
        train,
        train,
        schema_lm,
        metric=metric.metric,
        metric_threshold=metric.metric_threshold,
    )
    assert sum(demo_counts(compiled).values()) == 0  # SchemaLM's plan misses a treatment: below 0.99


def test_a_format_failure_never_becomes_a_demo(synthetic_cases) -> None:
    case = _appendicitis(synthetic_cases)[0]
    metric = build_metric({"name": "cdm_score"})
    good = dspy.Prediction(diagnosis="Acute appendicitis", treatments=[], tool_calls=[], parsing={"action": 0})
    failed = dspy.Prediction(diagnosis="Acute appendicitis", treatments=[], tool_calls=[], parsing={"action": 1})
    invalid = dspy.Prediction(diagnosis="Acute appendicitis", treatments=[], tool_calls=[{"name": "xray", "args": {}}])
    example = to_example(case)
    assert metric.metric(example, good, trace=[]) is True
    assert metric.metric(example, failed, trace=[]) is False
    assert metric.metric(example, invalid, trace=[]) is False
    assert isinstance(metric.metric(example, failed), float)  # without a trace: the score


def _feedback(metric_name: str, case, pred, pred_name):
    return build_metric({"name": metric_name}).feedback_metric(to_example(case), pred, None, pred_name, None)


def test_each_predictor_hears_about_its_own_stage(synthetic_cases) -> None:
    case = synthetic_cases[1]  # cholecystitis without a cholecystectomy in its hospital course
    assert case.pathology == "cholecystitis"
    pred = dspy.Prediction(
        diagnosis="Acute appendicitis",
        treatments=["Laparoscopic cholecystectomy"],
        tool_calls=[{"name": "laboratory_tests", "args": {"tests": ["CBC"]}}, {"name": "xray", "args": {}}],
        summary="Abdominal pain.",
    )
    names = ["gather.react", "synthesize", "diagnose.predict", "treat.predict"]
    results = {name: _feedback("cdm_score", case, pred, name) for name in names}
    texts = {name: r.feedback for name, r in results.items()}
    assert len(set(texts.values())) == len(names)  # each differs
    assert len({r.score for r in results.values()}) == 1  # the same score for every predictor
    assert "physical examination" in texts["gather.react"] and "xray" in texts["gather.react"]
    assert "lab" in texts["gather.react"].lower() and "imaging" in texts["gather.react"].lower()
    assert "Diagnosis wrong" in texts["diagnose.predict"] and "discharge diagnosis" in texts["diagnose.predict"]
    assert "physical examination" not in texts["diagnose.predict"]
    assert "Missing treatments" in texts["treat.predict"] and "antibiotics" in texts["treat.predict"]
    assert "Unnecessary treatments" in texts["treat.predict"] and "cholecystectomy" in texts["treat.predict"]
    assert "summary leaves out" in texts["synthesize"]
    for text in texts.values():
        assert str(case.hadm_id) not in text


def test_diagnosis_only_feedback_asks_for_no_examination(synthetic_cases) -> None:
    case = synthetic_cases[0]
    pred = dspy.Prediction(diagnosis="Acute cholecystitis", treatments=[], tool_calls=[])
    result = _feedback("gracious_diagnosis", case, pred, "diagnose.predict")
    assert result.score == 0.0 and "Diagnosis wrong" in result.feedback
    for word in ("examination", "imaging", "laboratory", "treatment"):
        assert word not in result.feedback.lower()


def test_a_perfect_diagnosis_only_scores_one(synthetic_cases) -> None:
    case = synthetic_cases[0]
    pred = dspy.Prediction(diagnosis=case.ground_truth.primary_diagnosis[0], treatments=[], tool_calls=[])
    assert build_metric({"name": "gracious_diagnosis"}).metric(to_example(case), pred) == 1.0
    assert build_metric({"name": "diagnosis"}).metric(to_example(case), pred) == 1.0


def test_lab_interpretation_is_scored_by_accuracy(synthetic_cases, schema_lm) -> None:
    case = synthetic_cases[0]
    program = build_program({"name": "lab_interpretation"})
    pred = program(case=program_input(case))
    items = pred.interpretations
    expected = sum(i["expected"] == "normal" for i in items) / len(items)  # SchemaLM reads every value normal
    metric = build_metric({"name": "lab_accuracy"})
    assert 0 < expected < 1 and metric.metric(to_example(case), pred) == pytest.approx(expected)
    feedback = metric.feedback_metric(to_example(case), pred, None, "interpret", None).feedback
    assert "read wrongly" in feedback and ("expected high" in feedback or "expected low" in feedback)
    assert metric.metric(to_example(case), pred, trace=[]) is False  # not every value right: no demo


def test_metrics_are_registered_and_checked() -> None:
    assert set(METRICS) == {"cdm_score", "diagnosis", "gracious_diagnosis", "lab_accuracy"}
    with pytest.raises(UnknownNameError, match="known: cdm_score"):
        build_metric({"name": "accuracy"})
    with pytest.raises(ConfigError, match=r"threshold\.require_diagnosis"):
        build_metric({"name": "cdm_score", "threshold": {"require_diagnosis": "sometimes"}})
    with pytest.raises(ConfigError, match="weights belong to cdm_score"):
        build_metric({"name": "lab_accuracy", "weights": {"diagnosis": 1.0}})
    assert build_metric({"name": "lab_accuracy"}).metric_threshold == 1.0


def test_labelled_diagnose_demos_look_like_the_programs_input(synthetic_cases) -> None:
    from cdmbench.optimize import GroundTruthFewShot, to_examples
    from cdmbench.programs import render_case

    train = to_examples(synthetic_cases[:4])
    record = build_program({"name": "diagnosis_only", "order": "lpi", "abnormal_only": True})
    demo = GroundTruthFewShot(k=1, max_field_chars=100_000).compile(record, trainset=train).diagnose.predict.demos[0]
    case = next(c for c in synthetic_cases[:4] if c.ground_truth.primary_diagnosis[0] == demo.diagnosis)
    assert demo.summary == render_case(program_input(case), order="lpi", abnormal_only=True)  # what it is fed

    summary = GroundTruthFewShot(k=1).compile(build_program({"name": "full_info"}), trainset=train)
    text = summary.diagnose.predict.demos[0].summary  # shaped like SynthesizeFindings' summary, not the record
    assert "Abnormal labs:" in text and "Patient history:" not in text and "Laboratory" not in text


def test_gepa_reflects_on_each_predictor_with_its_own_feedback(synthetic_cases, schema_lm) -> None:
    from cdmbench.signatures import Diagnose, GatherInformation, PlanTreatment

    train = synthetic_cases[:3]
    compile_tiny("gepa", "cdm_agent", train, train, schema_lm)
    reflections = [p for p in schema_lm.prompts if "examples_with_feedback" in p]

    def feedback_for(signature) -> str:  # the feedback GEPA showed when it rewrote that predictor
        start = signature.instructions.split(".")[0]
        prompts = [p for p in reflections if start in p.split("examples_with_feedback")[0]]
        assert prompts, signature.__name__
        return "\n".join(p.split("examples_with_feedback")[-1] for p in prompts)

    gather, diagnose, treat = feedback_for(GatherInformation), feedback_for(Diagnose), feedback_for(PlanTreatment)
    assert "physical examination" in gather and "lab categories" in gather
    assert "Diagnosis " in diagnose and "physical examination" not in diagnose and "treatments" not in diagnose
    assert "treatments" in treat and "physical examination" not in treat
    for p in reflections:
        for case in train:
            assert str(case.hadm_id) not in p
