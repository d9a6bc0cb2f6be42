"""``cdmbench optimize`` reports honestly: a held-out val with its paired interval, the cost before and after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdmbench.cases import load_cases_file, save_cases
from cdmbench.config import compose
from cdmbench.errors import ConfigError
from cdmbench.optimize import read_bundle
from cdmbench.optimize.holdout import paired_lift, slice_val
from tests.optimize.test_command import _optimize, _overrides
from tests.runs.loopback_lm import LoopbackLM


def _scores(run_dir: Path) -> list[dict]:
    return json.loads((run_dir / "optimize_scores.json").read_text())


def test_val_is_held_out_and_its_paired_interval_is_in_the_manifest(tmp_path, splits_dir, dummy_sessions) -> None:
    overrides = _overrides(splits_dir, tmp_path, "program=full_info", "optimizer=labeled_fewshot", "run=val")
    assert _optimize(overrides) == 0
    run_dir = tmp_path / "val"
    manifest = read_bundle(run_dir).manifest
    train_ids = {c.hadm_id for c in load_cases_file(splits_dir / "train.json").cases}
    rows = _scores(run_dir)
    dev_ids = {r["hadm_id"] for r in rows if r["set"] == "dev"}
    val_ids = {r["hadm_id"] for r in rows if r["set"] == "val"}
    assert val_ids and dev_ids and not (val_ids & dev_ids) and not (val_ids | dev_ids) & train_ids
    assert manifest.val.n == len(val_ids) and manifest.dev.n == len(dev_ids) and manifest.train.n == len(train_ids)
    assert manifest.val.cases_hash != manifest.dev.cases_hash
    lift = manifest.val_lift
    assert lift is not None and lift.n == manifest.val.n and lift.ci_low is not None and lift.ci_high is not None
    assert lift.ci_low <= lift.mean <= lift.ci_high
    before = [r["before"] for r in rows if r["set"] == "val"]
    after = [r["after"] for r in rows if r["set"] == "val"]
    assert lift.mean == pytest.approx(sum(after) / len(after) - sum(before) / len(before), abs=1e-6)
    assert manifest.dev_score_selection_biased is False  # labeled_fewshot never looks at dev
    assert manifest.metric["name"] == "cdm_score" and manifest.metric["threshold"]["require_diagnosis"] == "exact"
    assert manifest.estimate.optimizer_runs == 0 and manifest.usage["task"].calls > 0


def test_a_val_file_that_overlaps_dev_is_refused(tmp_path, splits_dir, dummy_sessions) -> None:
    dev = load_cases_file(splits_dir / "dev.json")
    val = tmp_path / "val.json"
    save_cases(val, dev.cases[:1], source="synthetic")
    with pytest.raises(ConfigError, match="dev and val share 1 case"):
        _optimize(_overrides(splits_dir, tmp_path, f"val={val}", "run=overlap"))
    with pytest.raises(ConfigError, match="is a test split file"):
        _optimize(_overrides(splits_dir, tmp_path, f"val={splits_dir / 'test.json'}", "run=test"))
    assert dummy_sessions == [] and not (tmp_path / "overlap").exists()


def test_the_val_slice_is_seeded_and_stratified(synthetic_cases) -> None:
    selection, val = slice_val(synthetic_cases, 0.5, seed=3)
    assert (selection, val) == slice_val(synthetic_cases, 0.5, seed=3)
    pathologies = [c.pathology for c in synthetic_cases]
    assert {c.pathology for c in val} == {p for p in pathologies if pathologies.count(p) >= 2}  # each its share
    assert not {c.hadm_id for c in selection} & {c.hadm_id for c in val}
    assert paired_lift([0.0, 0.5, 1.0], [1.0, 0.5, 1.0]).mean == pytest.approx(1 / 3)


def test_the_estimate_refuses_above_max_lm_calls(tmp_path, splits_dir, dummy_sessions) -> None:
    overrides = _overrides(
        splits_dir,
        tmp_path,
        "program=cdm_agent",
        "program.max_iters=4",
        "optimizer=gepa",
        "optimizer.auto=light",
        "max_lm_calls=50",
        "run=costly",
    )
    with pytest.raises(ConfigError, match=r"would make about \d+ LM calls .* above max_lm_calls=50"):
        _optimize(overrides)
    assert not (tmp_path / "costly").exists()  # nothing written


def test_usage_totals_equal_the_servers_count_of_calls(tmp_path, splits_dir) -> None:
    with LoopbackLM() as server:
        overrides = [
            f"train={splits_dir / 'train.json'}",
            f"dev={splits_dir / 'dev.json'}",
            "lm=vllm",
            "lm.model=loopback-model",
            f"lm.api_base={server.api_base}",
            "lm.cache=false",
            "program=full_info",
            "optimizer=bootstrap_fewshot",
            "optimizer.max_bootstrapped_demos=1",
            f"output_dir={tmp_path}",
            "run=usage",
        ]
        from cdmbench.optimize.command import run

        assert run(compose("optimize", overrides)) == 0
        served = server.stats["chat"]
    usage = read_bundle(tmp_path / "usage").manifest.usage
    assert set(usage) == {"task"}
    assert usage["task"].requests == served and usage["task"].calls == served
    assert usage["task"].prompt_tokens == 10 * served and usage["task"].completion_tokens == 5 * served


def test_lab_interpretation_optimizes_against_accuracy(tmp_path, splits_dir, dummy_sessions) -> None:
    overrides = _overrides(splits_dir, tmp_path, "program=lab_interpretation", "run=labs")
    assert _optimize(overrides) == 0
    manifest = read_bundle(tmp_path / "labs").manifest
    assert manifest.metric["name"] == "lab_accuracy" and manifest.metric["threshold"]["min_score"] == 1.0
    assert 0.0 < manifest.dev_score_before.mean < 1.0  # SchemaLM reads every value normal: some right, not all
    assert manifest.predictors["interpret"].n_demos == 0  # no case read entirely right: no demo


def test_metric_override_and_teacher_are_recorded(tmp_path, splits_dir, dummy_sessions) -> None:
    overrides = _overrides(
        splits_dir,
        tmp_path,
        "program=diagnosis_only",
        "metric=diagnosis",
        "teacher_lm=vllm",
        "teacher_lm.cache=false",
        "run=teacher",
    )
    assert _optimize(overrides) == 0
    manifest = read_bundle(tmp_path / "teacher").manifest
    assert manifest.metric["name"] == "diagnosis" and manifest.lms["teacher"].kind == "vllm"
    assert manifest.usage["teacher"].calls > 0  # the teacher ran the program while demos were bootstrapped
    with pytest.raises(ConfigError, match="takes no teacher"):
        _optimize([*overrides[:-1], "optimizer=gepa", "run=teacher-gepa"])
