"""optimizer.log holds the optimizer's progress; ``cdmbench inspect`` shows instructions before/after and demo sources."""

from __future__ import annotations

import pytest
from loguru import logger

from cdmbench.cases import load_cases_file
from cdmbench.config import compose
from cdmbench.optimize import describe, read_bundle
from tests.optimize.schema_lm import IMPROVED
from tests.optimize.test_command import _optimize, _overrides


@pytest.fixture
def warnings():
    messages: list[str] = []
    sink = logger.add(lambda m: messages.append(str(m)), level="WARNING", format="{message}")
    yield messages
    logger.remove(sink)


def _inspect(run_dir, capsys) -> str:
    capsys.readouterr()
    assert describe.run(compose("inspect", [f"source={run_dir}"])) == 0
    return capsys.readouterr().out


def test_gepa_with_the_task_lm_reflecting_warns_counts_apart_and_shows_before_after(
    tmp_path, splits_dir, dummy_sessions, warnings, capsys
) -> None:
    overrides = _overrides(
        splits_dir,
        tmp_path,
        "program=full_info",
        "optimizer=gepa",
        "optimizer.auto=null",
        "optimizer.max_metric_calls=16",
        "optimizer.use_merge=false",
        "optimizer.component_selector=all",
        "run=gepa",
    )
    assert _optimize(overrides) == 0
    run_dir = tmp_path / "gepa"
    assert any("reflection_lm is the task LM" in w and "reflection_lm=vllm" in w for w in warnings)
    manifest = read_bundle(run_dir).manifest
    assert manifest.usage["reflection"].calls > 0 and manifest.usage["task"].calls > 0
    assert manifest.dev_score_selection_biased is True
    assert (run_dir / "gepa").is_dir()  # GEPA's state (log_dir) for a resumed rerun
    printed = _inspect(run_dir, capsys)
    assert "Instructions before:" in printed and "Instructions after:" in printed and IMPROVED in printed
    assert "val (held out" in printed and "selection-biased" in printed and "cost " in printed


def test_labeled_demos_show_their_pathology(tmp_path, splits_dir, dummy_sessions, capsys) -> None:
    assert _optimize(_overrides(splits_dir, tmp_path, "program=full_info", "optimizer=labeled_fewshot", "run=lab")) == 0
    manifest = read_bundle(tmp_path / "lab").manifest
    sources = manifest.demo_pathologies["diagnose.predict"]
    assert len(sources) == 3 and len(set(sources)) == 3  # stratified: three pathologies in three demos
    printed = _inspect(tmp_path / "lab", capsys)
    assert f"Demo 1 ({sources[0]}):" in printed


def test_optimizer_log_holds_the_bootstrap_progress(tmp_path, splits_dir, dummy_sessions) -> None:
    overrides = _overrides(splits_dir, tmp_path, "program=full_info", "optimizer.max_bootstrapped_demos=4", "run=bs")
    assert _optimize(overrides) == 0
    log = (tmp_path / "bs" / "optimizer.log").read_text()
    assert "threshold: a trace of a appendicitis case passes" in log
    assert "fails: diagnosis wrong" in log
    for case in load_cases_file(splits_dir / "train.json").cases:  # no patient text in the log
        assert case.patient_history.strip()[:60] not in log


@pytest.fixture
def infos():
    messages: list[str] = []
    sink = logger.add(lambda m: messages.append(str(m)), level="INFO", format="{message}")
    yield messages
    logger.remove(sink)


def test_gepa_resumes_only_the_same_run(tmp_path, splits_dir, dummy_sessions, infos) -> None:
    overrides = _overrides(
        splits_dir,
        tmp_path,
        "program=full_info",
        "optimizer=gepa",
        "optimizer.auto=null",
        "optimizer.max_metric_calls=8",
        "optimizer.use_merge=false",
        "run=resume",
    )
    assert _optimize(overrides) == 0
    (tmp_path / "resume" / "manifest.json").unlink()  # as if it had died before writing the bundle
    assert _optimize(overrides) == 0
    assert any(m.startswith("gepa: resuming from") for m in infos)
    infos.clear()
    assert _optimize([*overrides, "overwrite=true"]) == 0  # another config (and a finished run): afresh
    assert any(m.startswith("gepa: starting afresh") for m in infos)
