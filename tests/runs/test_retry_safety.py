"""``retry_errors=true`` reruns only ``lm_error`` cases, never loses a case or replays a cached answer; an answer that
failed to parse is never replayed from the cache; a replaced bundle is another run."""

from __future__ import annotations

import json

import pytest
from loguru import logger

from cdmbench.cli import main
from cdmbench.config import compose
from cdmbench.runs import evaluate
from tests.runs.conftest import evaluate_overrides, read_jsonl
from tests.runs.loopback_lm import LoopbackLM


def _overrides(cases_file, api_base, tmp_path, *extra):
    # max_error_rate=1: the first runs fail on purpose; the exit status is not what these tests look at
    return evaluate_overrides(
        cases_file,
        api_base,
        tmp_path,
        "retry",
        "program=diagnosis_only",
        "html_report=false",
        "max_error_rate=1",
        *extra,
    )


def _by_id(path):
    return {r["hadm_id"]: r for r in read_jsonl(path)}


@pytest.mark.slow
def test_an_aborted_retry_keeps_every_line_and_a_consistent_summary(tmp_path, cases_file):
    with LoopbackLM(fault_rate=0.5, faults=("http500",), seed=3) as flaky:
        first = _overrides(cases_file, flaky.api_base, tmp_path, "lm.num_retries=0", "abort_after_errors=1000")
        assert evaluate.run(compose("evaluate", first)) == 0
    run_dir = tmp_path / "retry"
    before = _by_id(run_dir / "predictions.jsonl")
    errors = {h for h, r in before.items() if r["status"] == "error"}
    assert len(before) == 12 and 2 <= len(errors) < 12
    summary_before = json.loads((run_dir / "summary.json").read_text())

    with LoopbackLM(fault_rate=1.0, faults=("http500",)) as dead:  # answers /models, fails every chat
        again = _overrides(
            cases_file, dead.api_base, tmp_path, "lm.num_retries=0", "abort_after_errors=2", "retry_errors=true"
        )
        with pytest.raises(evaluate.LMUnavailableError) as info:
            evaluate.run(compose("evaluate", again))
        assert dead.stats["chat"] >= 2
    message = str(info.value)
    assert "hadm_id" in message and "text" not in message.lower()
    after = _by_id(run_dir / "predictions.jsonl")
    lines = read_jsonl(run_dir / "predictions.jsonl")
    scores = read_jsonl(run_dir / "scores.jsonl")
    assert len(lines) == len(after) == 12 and set(after) == set(before)
    assert sorted(s["hadm_id"] for s in scores) == sorted(after)
    assert {h for h, r in after.items() if r["status"] == "ok"} == set(before) - errors
    assert json.loads((run_dir / "summary.json").read_text()) == summary_before
    assert not list(run_dir.glob(".*.tmp"))


@pytest.mark.slow
def test_a_retry_after_a_malformed_http_answer_reaches_the_server_and_recovers(tmp_path, cases_file):
    with LoopbackLM(fault_rate=1.0, faults=("malformed",)) as broken:  # a cut-off HTTP body: the LM failed
        first = _overrides(cases_file, broken.api_base, tmp_path, "lm.num_retries=0", "abort_after_errors=1000")
        assert evaluate.run(compose("evaluate", first)) == 0
    run_dir = tmp_path / "retry"
    assert all(r["error_kind"] == "lm_error" for r in read_jsonl(run_dir / "predictions.jsonl"))

    with LoopbackLM() as healthy:
        again = _overrides(cases_file, healthy.api_base, tmp_path, "retry_errors=true")
        assert evaluate.run(compose("evaluate", again)) == 0
        assert healthy.stats["chat"] >= 12  # every retried case asked the server, none got a cached answer
    predictions = read_jsonl(run_dir / "predictions.jsonl")
    assert len(predictions) == 12 and all(r["status"] == "ok" for r in predictions)
    assert len(read_jsonl(run_dir / "scores.jsonl")) == 12


@pytest.mark.slow
def test_retry_errors_reruns_the_lm_errors_and_keeps_the_format_errors(tmp_path, cases_file):
    with LoopbackLM(fault_rate=1.0, faults=("http500", "garbage"), seed=2) as broken:
        first = _overrides(cases_file, broken.api_base, tmp_path, "lm.num_retries=0", "abort_after_errors=1000")
        assert evaluate.run(compose("evaluate", first)) == 0
    run_dir = tmp_path / "retry"
    before = _by_id(run_dir / "predictions.jsonl")
    lm_errors = {h for h, r in before.items() if r.get("error_kind") == "lm_error"}
    format_errors = {h for h, r in before.items() if r.get("error_kind") == "format_error"}
    assert lm_errors and format_errors and len(lm_errors) + len(format_errors) == 12

    logged: list[str] = []
    sink = logger.add(logged.append, level="INFO", format="{message}")
    try:
        with LoopbackLM() as healthy:  # a re-sampled garbage answer would now parse: it must not be asked for
            again = _overrides(cases_file, healthy.api_base, tmp_path, "retry_errors=true")
            assert evaluate.run(compose("evaluate", again)) == 0
            assert healthy.stats["chat"] > 0
    finally:
        logger.remove(sink)
    after = _by_id(run_dir / "predictions.jsonl")
    assert len(read_jsonl(run_dir / "predictions.jsonl")) == 12
    assert {h for h, r in after.items() if r["status"] == "ok"} == lm_errors
    assert all(after[h] == before[h] for h in format_errors)  # the model's own answers, kept as they were
    scores = {s["hadm_id"]: s for s in read_jsonl(run_dir / "scores.jsonl")}
    assert all(scores[h]["status"] == "error" for h in format_errors)
    expected = f"rerunning {len(lm_errors)} lm_error case(s); keeping {len(format_errors)} format_error case(s)"
    assert any(expected in line for line in logged)


@pytest.mark.slow
def test_an_answer_that_failed_to_parse_is_not_replayed_from_the_cache_by_a_new_run(tmp_path, cases_file):
    with LoopbackLM(fault_rate=1.0, faults=("garbage",)) as server:  # an HTTP 200 whose answer is not JSON
        first = _overrides(cases_file, server.api_base, tmp_path, "lm.num_retries=0", "abort_after_errors=1000")
        assert evaluate.run(compose("evaluate", first)) == 0
        assert all(r["error_kind"] == "format_error" for r in read_jsonl(tmp_path / "retry" / "predictions.jsonl"))
        asked = server.stats["chat"]
        server.fault_rate = 0.0  # the same prompts are now answered well
        second = evaluate_overrides(  # a new run directory, the same LM cache (tmp_path / "cache")
            cases_file, server.api_base, tmp_path, "fresh", "program=diagnosis_only", "html_report=false"
        )
        assert evaluate.run(compose("evaluate", second)) == 0
        assert server.stats["chat"] >= asked + 12  # every case asked the server again, none replayed the garbage
    predictions = read_jsonl(tmp_path / "fresh" / "predictions.jsonl")
    assert len(predictions) == 12 and all(r["status"] == "ok" for r in predictions)


def _bundle(directory, score):
    from cdmbench.optimize.bundle import save_bundle
    from cdmbench.programs import get_program

    data = {"file": "train.json", "source": "synthetic", "n": 2, "cases_hash": "0" * 64}
    dev = {"mean": score, "ci_low": None, "ci_high": None, "n": 2}
    save_bundle(
        directory,
        get_program("diagnosis_only"),
        get_program("diagnosis_only"),
        program_name="diagnosis_only",
        program_options={},
        optimizer={"name": "labeled_fewshot", "settings": {}, "seed": 0, "seconds": 0.0},
        metric={"name": "default"},
        train=data,
        dev=data,
        dev_score_before=dev,
        dev_score_after=dev,
        lms={},
    )


@pytest.mark.slow
def test_a_replaced_bundle_refuses_to_resume(tmp_path, cases_file, loopback, capsys):
    bundle = tmp_path / "bundle"
    _bundle(bundle, 0.5)
    args = _overrides(cases_file, loopback.api_base, tmp_path, f"program.compiled={bundle}", "limit=2")
    assert main(["evaluate", *args]) == 0
    assert main(["evaluate", *args]) == 0  # the same bundle resumes (nothing left to do)
    _bundle(bundle, 0.75)  # another bundle at the same path
    capsys.readouterr()
    assert main(["evaluate", *args, "limit=3"]) == 2
    assert "different program" in capsys.readouterr().err
    assert len(read_jsonl(tmp_path / "retry" / "predictions.jsonl")) == 2
