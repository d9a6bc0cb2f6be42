"""The memory and harness benchmarks run (small sizes): peak RSS is measured and far under the target."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.runs.loopback_lm import LoopbackLM

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_memory_benchmark_streams_a_small_run(capsys):
    assert _load("memory").main(["--n-cases", "40", "--num-threads", "2"]) == 0
    out = capsys.readouterr().out
    assert "40 predictions, 40 scores" in out
    peak = float(out.split("peak RSS: ")[1].split(" MB")[0])
    assert 50 < peak < 1024


@pytest.mark.slow
def test_harness_benchmark_counts_agent_calls_and_replays_them():
    harness = _load("harness")
    cases = harness._cases(4)
    with LoopbackLM() as server:
        _seconds, calls, failed = harness.run_agent(server, cases, 2)
        assert failed == 0 and calls == server.stats["chat"] >= 4 * 4  # ReAct steps, extract, synthesize, ...
        assert harness.run_raw(server, server.last_body, calls, 2) > 0
        assert server.stats["chat"] == 2 * calls
