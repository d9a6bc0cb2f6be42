"""Failed cases count: in every summary metric as 0 and in n, by kind, and in the exit code (``max_error_rate``).

``evaluate`` runs in-process against a loopback server that decodes like a constrained decoder
(tests/lm/constrained_lm.py); chosen cases fail by their own history: one with an answer that cannot be read
(``format_error``), one with HTTP 500 (``lm_error``, retried by ``retry_errors=true``).
"""

from __future__ import annotations

import hashlib
import json

import pytest
from loguru import logger

from cdmbench.cases import load_cases_file
from cdmbench.config import compose
from cdmbench.runs import evaluate
from tests.lm.constrained_lm import ConstrainedLM, Reply, Request, default_reply
from tests.runs.conftest import read_jsonl

N_CASES = 4
FAIL_MARK = "summary-that-breaks-the-diagnosis"


class _Policy:
    def __init__(self, format_history: str, lm_history: str) -> None:
        self.format_history, self.lm_history = format_history, lm_history
        self.lm_down = True

    def __call__(self, request: Request) -> Reply:
        if request.kind == "synthesize" and self.lm_history in request.prompt and self.lm_down:
            return Reply(status=500)
        if request.kind == "synthesize" and self.format_history in request.prompt:
            return Reply({"summary": FAIL_MARK})
        if request.kind == "diagnose" and FAIL_MARK in request.prompt:
            return Reply(text="Most likely an inflamed")  # not JSON: the diagnosis cannot be read
        return default_reply(request)


def _overrides(cases_file, server, tmp_path, *extra):
    return [
        f"data={cases_file}",
        f"limit={N_CASES}",
        "program=full_info",
        "lm=vllm",
        "lm.model=served-model",
        f"lm.api_base={server.api_base}",
        "lm.num_retries=0",
        "lm.cache=false",
        f"output_dir={tmp_path}",
        "run=failures",
        "plots=false",
        "abort_after_errors=100",
        *extra,
    ]


def test_failed_cases_count_as_misses_by_kind_and_retry_errors_reruns_the_lm_error(tmp_path, cases_file, capfd):
    cases = load_cases_file(cases_file).cases[:N_CASES]
    format_case, lm_case = cases[1], cases[2]
    policy = _Policy(format_case.patient_history[:80], lm_case.patient_history[:80])
    logged: list[str] = []
    sink = logger.add(logged.append, level="DEBUG", format="{message}")
    with ConstrainedLM(policy) as server:
        try:
            code = evaluate.run(compose("evaluate", _overrides(cases_file, server, tmp_path)))
        finally:
            logger.remove(sink)
        assert code == 0  # 2 of 4 failed: not above max_error_rate=0.5
        run_dir = tmp_path / "failures"
        predictions = {p["hadm_id"]: p for p in read_jsonl(run_dir / "predictions.jsonl")}
        assert predictions[format_case.hadm_id]["error_kind"] == "format_error"
        assert predictions[lm_case.hadm_id]["error_kind"] == "lm_error"
        scores = {s["hadm_id"]: s for s in read_jsonl(run_dir / "scores.jsonl")}
        assert scores[format_case.hadm_id]["scores"]["diagnosis"] == 0
        summary = json.loads((run_dir / "summary.json").read_text())
        rows = {(r["pathology"], r["metric"]): r for r in summary["rows"]}
        assert rows[("overall", "diagnosis")]["n"] == N_CASES  # failed cases count in n
        assert rows[("overall", "imaging")]["n"] == N_CASES
        assert rows[("overall", "error_rate")]["mean"] == 0.5
        assert summary["error_kinds"] == {"lm_error": 1, "format_error": 1}
        assert rows[("overall", "diagnosis_parsing")]["mean"] == 0.25
        stderr = capfd.readouterr().err + "".join(logged)
        for case in cases:  # no patient text reaches a log, only the hadm_id and kind of a failing case
            history = case.patient_history
            assert all(history[i : i + 40] not in stderr for i in range(0, max(1, len(history) - 40), 40))
        assert f"case {format_case.hadm_id} failed: format_error" in stderr
        assert f"case {lm_case.hadm_id} failed: lm_error" in stderr

        policy.lm_down = False
        code = evaluate.run(compose("evaluate", _overrides(cases_file, server, tmp_path, "retry_errors=true")))
        predictions = {p["hadm_id"]: p for p in read_jsonl(run_dir / "predictions.jsonl")}
        assert len(predictions) == N_CASES
        assert predictions[lm_case.hadm_id]["status"] == "ok"
        assert predictions[format_case.hadm_id]["error_kind"] == "format_error"  # the model's answer is the same


def test_the_exit_code_follows_max_error_rate_after_everything_is_written(tmp_path, cases_file):
    cases = load_cases_file(cases_file).cases[:N_CASES]
    policy = _Policy(cases[0].patient_history[:80], cases[1].patient_history[:80])
    with ConstrainedLM(policy) as server:
        code = evaluate.run(compose("evaluate", _overrides(cases_file, server, tmp_path, "max_error_rate=0.25")))
    assert code == 3
    run_dir = tmp_path / "failures"
    for name in ("predictions.jsonl", "scores.jsonl", "summary.json", "summary.csv", "report.html"):
        assert (run_dir / name).is_file(), name
    assert len(read_jsonl(run_dir / "scores.jsonl")) == N_CASES


def test_a_model_whose_answers_cannot_be_read_is_measured_not_aborted(tmp_path, cases_file):
    def unreadable(request: Request) -> Reply:
        return Reply(text="no JSON here") if request.kind == "diagnose" else default_reply(request)

    with ConstrainedLM(unreadable) as server:
        overrides = _overrides(cases_file, server, tmp_path, "abort_after_errors=2")
        code = evaluate.run(compose("evaluate", overrides))
    assert code == 3  # every case failed (format_error): above max_error_rate, but the LM was up: no abort
    run_dir = tmp_path / "failures"
    assert [p["error_kind"] for p in read_jsonl(run_dir / "predictions.jsonl")] == ["format_error"] * N_CASES
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["error_kinds"] == {"lm_error": 0, "format_error": N_CASES}


def _realistic(request: Request) -> Reply:
    """A seeded mix by request content: cut off, malformed, empty, a thought, HTTP 500, else a good answer."""
    draw = int(hashlib.sha256(request.prompt.encode()).hexdigest()[:8], 16) % 20
    if draw == 0:
        return Reply(status=500)
    if draw == 1:
        return Reply(default_reply(request).value, truncate=True)
    if draw == 2:
        return Reply(text='{"next_thought": "unfinished')
    if draw == 3:
        return Reply(text="")
    reply = default_reply(request)
    if draw < 8:
        return Reply(reply.value, reasoning="thinking it over", think_in_content=draw % 2 == 0)
    return reply


@pytest.mark.parametrize("program", ["cdm_agent", "full_info", "diagnosis_only"])
def test_every_program_runs_to_the_end_on_a_server_with_realistic_faults(tmp_path, cases_file, program):
    n_cases = 12
    with ConstrainedLM(_realistic) as server:
        overrides = [o for o in _overrides(cases_file, server, tmp_path) if not o.startswith(("program=", "limit="))]
        overrides += [f"program={program}", f"limit={n_cases}", "max_error_rate=1.0"]
        if program == "cdm_agent":
            overrides.append("program.max_iters=5")
        code = evaluate.run(compose("evaluate", overrides))
        cut_off = sum(reply["finish_reason"] == "length" for reply in server.replies)
    assert code == 0 and cut_off > 0  # the mix really had faults
    run_dir = tmp_path / "failures"
    predictions = read_jsonl(run_dir / "predictions.jsonl")
    assert len(predictions) == n_cases and {p["status"] for p in predictions} <= {"ok", "error"}
    assert all(p["error_kind"] in ("lm_error", "format_error") for p in predictions if p["status"] == "error")
    assert sum(p["status"] == "ok" for p in predictions) >= n_cases // 2
    for prediction in predictions:
        for key, value in (prediction.get("trajectory") or {}).items():
            assert not key.startswith("observation_") or "Traceback" not in str(value)
    summary = json.loads((run_dir / "summary.json").read_text())
    rows = {(r["pathology"], r["metric"]): r for r in summary["rows"]}
    assert rows[("overall", "diagnosis")]["n"] == n_cases and summary["n_cases"] == n_cases


def test_the_cli_exits_non_zero_above_max_error_rate_and_logs_no_case_text(tmp_path, cases_file):
    import os
    import subprocess
    import sys

    from tests.runs.conftest import ROOT

    cases = load_cases_file(cases_file).cases[:N_CASES]
    policy = _Policy(cases[0].patient_history[:80], cases[1].patient_history[:80])
    with ConstrainedLM(policy) as server:
        overrides = _overrides(cases_file, server, tmp_path, "max_error_rate=0.25", "html_report=false")
        done = subprocess.run(
            [sys.executable, "-m", "cdmbench", "evaluate", *overrides],
            cwd=ROOT,
            env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert done.returncode == 3, done.stderr[-2000:]
    logs = done.stdout + done.stderr
    assert "above max_error_rate=0.25" in logs
    assert f"case {cases[0].hadm_id} failed: format_error" in logs
    for case in cases:
        history = case.patient_history
        assert all(history[i : i + 40] not in logs for i in range(0, max(1, len(history) - 40), 40))
    assert (tmp_path / "failures" / "summary.json").is_file()
