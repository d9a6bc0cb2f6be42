"""Every optimizer compiles full_info and cdm_agent under a dummy LM; the reloaded bundle behaves the same."""

from __future__ import annotations

import sys

import dspy
import pytest

from cdmbench.cases import Case
from cdmbench.errors import ConfigError, UnknownNameError
from cdmbench.optimize import OPTIMIZERS, OptimizerResources, load_bundle, prepare_optimizer
from cdmbench.optimize.program_state import demo_counts
from cdmbench.programs import program_input
from tests.optimize.helpers import PROGRAM_OPTIONS, TINY, compile_tiny, write_bundle
from tests.optimize.schema_lm import IMPROVED, SchemaLM


def _run(program: dspy.Module, case: Case) -> tuple[dict, list[str]]:
    """A prediction and the prompts it sent, under a fresh schema LM."""
    lm = SchemaLM()
    with dspy.context(lm=lm, adapter=dspy.ChatAdapter()):
        prediction = program(case=program_input(case))
    fields = {k: prediction[k] for k in ("diagnosis", "treatments", "tool_calls")}
    return fields, [f"{m['role']}: {m['content']}" for h in lm.history for m in h["messages"]]


def test_all_six_optimizers_are_registered() -> None:
    assert set(OPTIMIZERS) == set(TINY)


@pytest.mark.parametrize("program_name", ["full_info", "cdm_agent"])
@pytest.mark.parametrize("optimizer", sorted(TINY))
def test_compile_save_reload_gives_the_same_program(optimizer, program_name, synthetic_cases, schema_lm, tmp_path):
    if optimizer == "mipro_v2":
        pytest.importorskip("optuna", reason="mipro_v2 needs optuna (dspy[optuna])")
    train, dev = synthetic_cases[:4], synthetic_cases[4:7]
    if optimizer == "gepa":  # GEPA keeps a rewrite that scores better on dev; the schema LM's helps these cases
        dev = train[:3]
    compiled = compile_tiny(optimizer, program_name, train, dev, schema_lm)
    manifest = write_bundle(tmp_path, compiled, program_name, train)

    reloaded = load_bundle(tmp_path, program_name, PROGRAM_OPTIONS[program_name])
    assert reloaded is not compiled
    assert demo_counts(reloaded) == demo_counts(compiled)
    for (name, a), (_, b) in zip(compiled.named_predictors(), reloaded.named_predictors(), strict=True):
        assert a.signature.instructions == b.signature.instructions, name
    for case in dev[:2]:
        assert _run(reloaded, case) == _run(compiled, case)
    assert {n: i.n_demos for n, i in manifest.predictors.items()} == demo_counts(compiled)

    if optimizer == "labeled_fewshot":  # ground-truth demos reach exactly the diagnose and treat predictors
        assert {n for n, k in demo_counts(compiled).items() if k} == {"diagnose.predict", "treat.predict"}
        demo = compiled.diagnose.predict.demos[0]
        assert set(demo.keys()) == {"summary", "diagnosis"}  # a summary-shaped input, as the synthesizer writes
        assert "Patient history:" not in demo.summary and len(demo.summary) < 4000
    if optimizer == "bootstrap_fewshot":
        assert all(k == 1 for k in demo_counts(compiled).values())
    if optimizer == "gepa":  # the schema LM scores better under its own proposal: GEPA adopts it
        assert IMPROVED in compiled.treat.predict.signature.instructions
        assert manifest.predictors["treat.predict"].instructions_changed
    for predictor in [p for _, p in compiled.named_predictors()]:
        for demo in predictor.demos:  # no training example (full case, ground truth) rides along in a demo
            assert "gold_case" not in demo and "case" not in demo


def test_labeled_fewshot_reaches_the_lab_interpreter(synthetic_cases, schema_lm) -> None:
    from cdmbench.optimize import GroundTruthFewShot, to_examples
    from cdmbench.programs import get_program

    compiled = GroundTruthFewShot(k=2).compile(
        get_program("lab_interpretation"), trainset=to_examples(synthetic_cases[:3])
    )
    demos = compiled.interpret.demos
    assert len(demos) == 2 and demos[0].interpretation in ("low", "normal", "high")


def _resources() -> OptimizerResources:
    return OptimizerResources(
        metric=lambda *a: 0.0, feedback_metric=lambda *a: dspy.Prediction(score=0.0), task_lm=SchemaLM()
    )


def test_simba_batch_size_is_fitted_to_a_small_train_set() -> None:
    prepared = prepare_optimizer("simba", {"bsize": 32}, _resources(), n_train=3, n_dev=2)
    assert prepared.settings["bsize"] == 3 and prepared.teleprompter.bsize == 3


def test_settings_are_checked() -> None:
    with pytest.raises(UnknownNameError, match="known: bootstrap_fewshot"):
        prepare_optimizer("bootstrap", {}, _resources(), 3, 2)
    with pytest.raises(ConfigError, match=r"has no setting 'max_demos'.*max_bootstrapped_demos"):
        prepare_optimizer("bootstrap_fewshot", {"max_demos": 2}, _resources(), 3, 2)
    with pytest.raises(ConfigError, match="exactly one budget"):
        prepare_optimizer("gepa", {"auto": "light", "max_metric_calls": 5}, _resources(), 3, 2)
    with pytest.raises(ConfigError, match="training set is empty"):
        prepare_optimizer("bootstrap_fewshot", {}, _resources(), 0, 2)


def test_mipro_without_optuna_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(ConfigError, match=r"needs optuna.*dspy\[optuna\]"):
        prepare_optimizer("mipro_v2", {}, _resources(), 3, 2)


def test_mipro_settings_are_fitted_and_checked() -> None:
    pytest.importorskip("optuna", reason="mipro_v2 needs optuna (dspy[optuna])")
    prepared = prepare_optimizer("mipro_v2", {"auto": "medium"}, _resources(), 5, 4)
    assert prepared.compile_kwargs["minibatch_size"] == 4 and prepared.teleprompter.auto == "medium"
    with pytest.raises(ConfigError, match="num_candidates and num_trials"):
        prepare_optimizer("mipro_v2", {"auto": None}, _resources(), 5, 4)


@pytest.mark.parametrize("optimizer", ["bootstrap_fewshot", "simba"])
def test_same_seed_data_and_lm_give_the_same_program_json(optimizer, synthetic_cases, tmp_path) -> None:
    train, dev = synthetic_cases[:4], synthetic_cases[4:6]
    texts = []
    for attempt in ("a", "b"):
        lm = SchemaLM()
        with dspy.context(lm=lm, adapter=dspy.ChatAdapter()):
            compiled = compile_tiny(optimizer, "cdm_agent", train, dev, lm)
        write_bundle(tmp_path / attempt, compiled, "cdm_agent", train)
        texts.append((tmp_path / attempt / "program.json").read_bytes())
    assert texts[0] == texts[1]
