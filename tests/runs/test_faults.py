"""A faulty LM (HTTP 500, timeouts, dropped connections, malformed JSON): retries with back-off, failed cases
recorded as errors with their reason, and ``retry_errors=true`` reruns only those."""

from __future__ import annotations

import json
import time

import pytest

from cdmbench.config import compose
from cdmbench.lm import LMSettings, lm_session
from cdmbench.runs import evaluate
from tests.runs.conftest import evaluate_overrides, read_jsonl
from tests.runs.loopback_lm import LoopbackLM


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["http500", "drop", "timeout"])
def test_the_lm_layer_retries_with_backoff(fault):
    with LoopbackLM(fault_rate=1.0, faults=(fault,), hang_s=1.5) as server:
        settings = LMSettings(
            kind="vllm", model="loopback-model", api_base=server.api_base, num_retries=2, timeout_s=0.5, cache=False
        )
        with lm_session(settings, data_source="synthetic") as session:
            start = time.perf_counter()
            with pytest.raises(Exception):  # noqa: B017 - the LM layer's own error type is not the point here
                session.lm("hello")
            elapsed = time.perf_counter() - start
    assert server.stats["chat"] == 3  # the first try and num_retries=2 retries
    assert elapsed >= 2.5  # exponential back-off: 1 s, then 2 s


@pytest.mark.slow
def test_a_faulty_server_run_finishes_and_retry_errors_reruns_only_the_failures(tmp_path, cases_file):
    overrides = evaluate_overrides(
        cases_file,
        "http://127.0.0.1:1/v1",  # replaced below
        tmp_path,
        "faulty",
        "num_threads=4",
        "lm.num_retries=2",
        "lm.timeout_s=2",  # far above a healthy answer's latency on a busy machine, far below a hang
        "abort_after_errors=1000",
        "max_error_rate=1",  # 30% of the requests fail on purpose: the run must finish, whatever its error rate
    )
    # faults are drawn from each request's content and attempt, so the same cases fail on every machine
    with LoopbackLM(fault_rate=0.3, seed=1, hang_s=6.0) as server:
        overrides[3] = f"lm.api_base={server.api_base}"
        assert evaluate.run(compose("evaluate", overrides)) == 0
        stats = dict(server.stats)
    run_dir = tmp_path / "faulty"
    predictions = read_jsonl(run_dir / "predictions.jsonl")
    scores = read_jsonl(run_dir / "scores.jsonl")
    assert len(predictions) == len({p["hadm_id"] for p in predictions}) == 12
    assert sorted(s["hadm_id"] for s in scores) == sorted(p["hadm_id"] for p in predictions)
    faults = stats["chat"] - stats["answered"]
    assert faults >= 0.2 * stats["chat"]  # at least 20% of the requests failed
    assert stats["http500"] + stats["drop"] + stats["timeout"] > 0
    errors = {p["hadm_id"]: p for p in predictions if p["status"] == "error"}
    oks = [p for p in predictions if p["status"] == "ok"]
    assert errors and oks, stats
    assert all(p["error"] for p in errors.values())
    assert {s["hadm_id"] for s in scores if s.get("status") == "error"} == set(errors)
    lines = (run_dir / "predictions.jsonl").read_text().splitlines()
    ok_lines = [line for line in lines if json.loads(line)["status"] == "ok"]  # an error line may quote "ok" steps

    with LoopbackLM() as healthy:
        overrides[3] = f"lm.api_base={healthy.api_base}"
        assert evaluate.run(compose("evaluate", [*overrides, "retry_errors=true"])) == 0
        assert healthy.stats["chat"] > 0
    predictions = read_jsonl(run_dir / "predictions.jsonl")
    scores = read_jsonl(run_dir / "scores.jsonl")
    assert len(predictions) == len({p["hadm_id"] for p in predictions}) == 12
    assert len(scores) == len({s["hadm_id"] for s in scores}) == 12
    assert all(p["status"] == "ok" for p in predictions)
    lines = (run_dir / "predictions.jsonl").read_text().splitlines()
    assert lines[: len(ok_lines)] == ok_lines  # the good cases were kept untouched, not rerun
    assert {p["hadm_id"] for p in predictions[len(ok_lines) :]} == set(errors)
