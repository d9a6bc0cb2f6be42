"""kill -9 of `cdmbench evaluate` in the middle of a run, five times, then a final rerun: every case exactly once,
every line whole, and the same scores as an uninterrupted run.

The test decides the pace, not the machine: the loopback LM holds every chat request at a closed gate and the test
lets them through one at a time. Each killed session is let through until one more case has finished (plus a few
seeded extra requests, so the kill lands at varied points of the next case), then killed while it waits for an
answer it will never get on its own. Every kill therefore lands mid-run, on a fast machine as on a slow one.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from cdmbench.config import compose
from cdmbench.runs import evaluate
from tests.runs.conftest import evaluate_overrides, evaluate_process, read_jsonl
from tests.runs.loopback_lm import LoopbackLM

N_CASES = 12
KILLS = 5
DEADLINE_S = 300.0  # only a really stuck run gets near this


def _count_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _finished(path: Path) -> set[int]:
    """hadm_ids of the whole lines (a kill can leave a half-written last line, which the rerun removes)."""
    lines = path.read_text(encoding="utf-8").split("\n")[:-1] if path.exists() else []
    return {json.loads(line)["hadm_id"] for line in lines}


def _scores(run_dir: Path) -> dict:
    return {r["hadm_id"]: (r["status"], r["scores"], r["answers"]) for r in read_jsonl(run_dir / "scores.jsonl")}


def _output(process: subprocess.Popen) -> str:
    assert process.stdout is not None
    try:
        return process.stdout.read()
    finally:
        process.stdout.close()


def _run_until_one_more_case(server: LoopbackLM, process: subprocess.Popen, predictions: Path, extra: int) -> None:
    """Let requests through one at a time until a new prediction line lands, then ``extra`` more requests."""
    before = _count_lines(predictions)
    deadline = time.monotonic() + DEADLINE_S
    while _count_lines(predictions) == before:
        assert process.poll() is None, f"evaluate ended on its own mid-run:\n{_output(process)}"
        assert time.monotonic() < deadline, "no case finished: the run is stuck"
        if server.wait_for_waiting(timeout=0.5):
            server.release()
    for _ in range(extra):
        assert server.wait_for_waiting(timeout=DEADLINE_S), "the run stopped asking the LM"
        server.release()
    # the run now waits (or will wait) for an answer the gate holds back: it cannot finish by itself
    assert server.wait_for_waiting(timeout=DEADLINE_S), "the run stopped asking the LM"


@pytest.mark.slow
def test_kill_nine_five_times_then_rerun(tmp_path, cases_file):
    rng = random.Random(20240611)
    with LoopbackLM() as server:
        reference = tmp_path / "reference"
        ref_overrides = evaluate_overrides(cases_file, server.api_base, reference, "run", "num_threads=2")
        assert evaluate.run(compose("evaluate", ref_overrides)) == 0

        out = tmp_path / "killed"
        overrides = evaluate_overrides(cases_file, server.api_base, out, "run", "num_threads=2")
        predictions = out / "run" / "predictions.jsonl"
        for _attempt in range(KILLS):
            server.close_gate()
            process = evaluate_process(overrides)
            try:
                _run_until_one_more_case(server, process, predictions, extra=rng.randint(0, 3))
                assert process.poll() is None, "the kill must land mid-run"
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=DEADLINE_S)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            assert process.returncode == -signal.SIGKILL, _output(process)
            _output(process)
        # each killed session finished at least one case and none could finish the run
        assert KILLS <= len(_finished(predictions)) < N_CASES

        server.open_gate()
        final = evaluate_process(overrides)
        output, _ = final.communicate(timeout=DEADLINE_S)
        assert final.returncode == 0, output

    run_dir = out / "run"
    for name in ("predictions.jsonl", "scores.jsonl"):
        text = (run_dir / name).read_text(encoding="utf-8")
        assert text.endswith("\n")
        records = [json.loads(line) for line in text.splitlines()]  # every line is whole JSON
        ids = [r["hadm_id"] for r in records]
        assert len(ids) == len(set(ids)) == N_CASES, name
    assert _scores(run_dir) == _scores(reference / "run")
    assert all(status == "ok" for status, _, _ in _scores(run_dir).values())
