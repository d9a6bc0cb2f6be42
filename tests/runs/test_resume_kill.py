"""kill -9 of `cdmbench evaluate` at random moments, five times, then a final rerun: every case exactly once,
every line whole, and the same scores as an uninterrupted run."""

from __future__ import annotations

import json
import random
import signal
import time

import pytest

from cdmbench.config import compose
from cdmbench.runs import evaluate
from tests.runs.conftest import evaluate_overrides, evaluate_process, read_jsonl
from tests.runs.loopback_lm import LoopbackLM


def _count_lines(path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _scores(run_dir):
    return {r["hadm_id"]: (r["status"], r["scores"], r["answers"]) for r in read_jsonl(run_dir / "scores.jsonl")}


@pytest.mark.slow
def test_kill_nine_five_times_then_rerun(tmp_path, cases_file):
    rng = random.Random(20240611)
    with LoopbackLM(delay_s=0.04) as server:
        reference = tmp_path / "reference"
        ref_overrides = evaluate_overrides(cases_file, server.api_base, reference, "run", "num_threads=2")
        assert evaluate.run(compose("evaluate", ref_overrides)) == 0

        out = tmp_path / "killed"
        overrides = evaluate_overrides(cases_file, server.api_base, out, "run", "num_threads=2")
        predictions = out / "run" / "predictions.jsonl"
        landed = 0
        for _attempt in range(5):
            before = _count_lines(predictions)
            process = evaluate_process(overrides)
            deadline = time.monotonic() + 60
            while process.poll() is None and _count_lines(predictions) == before and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.6))  # a random moment after this session's first finished case
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                landed += 1
            process.wait(timeout=30)
            assert process.returncode in (0, -signal.SIGKILL), process.stdout.read()
            process.stdout.close()
        assert landed >= 3, "most kills should land while the run is still going"
        assert _count_lines(predictions) < 12 or landed < 5

        final = evaluate_process(overrides)
        output, _ = final.communicate(timeout=120)
        assert final.returncode == 0, output

    run_dir = out / "run"
    for name in ("predictions.jsonl", "scores.jsonl"):
        text = (run_dir / name).read_text(encoding="utf-8")
        assert text.endswith("\n")
        records = [json.loads(line) for line in text.splitlines()]  # every line is whole JSON
        ids = [r["hadm_id"] for r in records]
        assert len(ids) == len(set(ids)) == 12, name
    assert _scores(run_dir) == _scores(reference / "run")
    assert all(status == "ok" for status, _, _ in _scores(run_dir).values())
