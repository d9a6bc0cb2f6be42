"""Overhead of the cdmbench harness (program, DSPy, LM client, case runner) over raw HTTP calls.

(a) Against an instant loopback OpenAI-compatible server: ``cdm_agent`` over N cases versus the same number of
    raw HTTP calls (the agent's own last request body, replayed) at the same concurrency. Target: ratio <= 2x.
(b) Against a server with 100 ms latency, at concurrency 32: the agent's wall time versus the ideal
    ``calls x latency / concurrency``. Target: ratio <= 1.15x.

The LM cache is off, so every call reaches the server. Prints both ratios.

Usage:
    uv run python benchmarks/harness.py [--cases 64] [--concurrency 8] [--latency 0.1] [--latency-concurrency 32]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from tests.runs.loopback_lm import LoopbackLM  # noqa: E402


def _cases(n: int):
    from cdmbench.cases import load_cases_file
    from cdmbench.data_export.synthetic import generate

    with tempfile.TemporaryDirectory(prefix="cdmbench-harness-") as tmp:
        generate(Path(tmp), n_admissions=n, seed=0, distractor_fraction=0.0)
        return load_cases_file(Path(tmp) / "truth.json").cases


def run_agent(server: LoopbackLM, cases, concurrency: int) -> tuple[float, int, int]:
    """Run cdm_agent over ``cases``; return (seconds, LM calls, failed cases)."""
    from cdmbench.lm import LMSettings, lm_session
    from cdmbench.programs import build_program, program_input
    from cdmbench.runs.executor import run_cases

    settings = LMSettings(kind="vllm", model="loopback-model", api_base=server.api_base, cache=False)
    program = build_program({"name": "cdm_agent"}, cases=cases)
    before = server.stats["chat"]
    with lm_session(settings, data_source="synthetic"):
        start = time.perf_counter()
        records = list(run_cases(program, cases, program_input, num_threads=concurrency))
        elapsed = time.perf_counter() - start
    return elapsed, server.stats["chat"] - before, sum(r["status"] != "ok" for r in records)


def run_raw(server: LoopbackLM, body: dict, calls: int, concurrency: int) -> float:
    """``calls`` POSTs of ``body`` over keep-alive connections, ``concurrency`` at once; return seconds."""
    payload = json.dumps(body).encode()
    local = threading.local()

    def call(_: int) -> None:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        local.conn.request("POST", "/v1/chat/completions", payload, {"Content-Type": "application/json"})
        response = local.conn.getresponse()
        json.loads(response.read())

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(call, range(calls)))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=8, help="(a): cases and raw calls in flight")
    parser.add_argument("--latency", type=float, default=0.1, help="(b): server latency in seconds")
    parser.add_argument("--latency-concurrency", type=int, default=32, help="(b): cases in flight")
    args = parser.parse_args(argv)
    from cdmbench.logging import setup_logging

    setup_logging("WARNING")
    cases = _cases(args.cases)

    with LoopbackLM() as server:
        run_agent(server, cases[: min(4, len(cases))], 1)  # warm-up: imports, schema building, connections
        agent_s, calls, failed = run_agent(server, cases, args.concurrency)
        raw_s = run_raw(server, server.last_body or {}, calls, args.concurrency)
    ratio_a = agent_s / raw_s
    print(
        f"(a) instant server, concurrency {args.concurrency}: cdm_agent {len(cases)} cases, {calls} LM calls "
        f"({failed} failed cases) in {agent_s:.2f} s; {calls} raw calls in {raw_s:.2f} s"
    )
    print(f"(a) harness / raw ratio: {ratio_a:.1f}x (target <= 2x): {'ok' if ratio_a <= 2 else 'OVER'}")

    with LoopbackLM(delay_s=args.latency) as server:
        run_agent(server, cases[:1], 1)
        agent_s, calls, failed = run_agent(server, cases, args.latency_concurrency)
    ideal = calls * args.latency / args.latency_concurrency
    ratio_b = agent_s / ideal
    print(
        f"(b) {args.latency * 1000:.0f} ms server, concurrency {args.latency_concurrency}: {calls} LM calls "
        f"({failed} failed cases) in {agent_s:.2f} s; ideal {ideal:.2f} s"
    )
    print(f"(b) wall / ideal ratio: {ratio_b:.2f}x (target <= 1.15x): {'ok' if ratio_b <= 1.15 else 'OVER'}")
    return 0 if ratio_a <= 2 and ratio_b <= 1.15 else 1


if __name__ == "__main__":
    sys.exit(main())
