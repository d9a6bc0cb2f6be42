"""Peak memory of ``cdmbench evaluate`` (evaluating and scoring) over 2,400 synthetic cases.

Synthesizes the cases, starts an instant loopback OpenAI-compatible LM in this process, and runs the real command
line (``python -m cdmbench evaluate``) as a child process. It samples the child's resident set size while it runs
(so growth with the number of finished cases shows) and prints the peak RSS from ``wait4`` (target: < 1 GB).

Usage:
    uv run python benchmarks/memory.py [--n-cases 2400] [--program diagnosis_only] [--num-threads 4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.runs.loopback_lm import LoopbackLM  # noqa: E402

TARGET_MB = 1024


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-cases", type=int, default=2400)
    parser.add_argument("--program", default="diagnosis_only", help="cdm_agent makes ~8 LM calls a case")
    parser.add_argument("--num-threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from cdmbench.data_export.synthetic import generate

    with tempfile.TemporaryDirectory(prefix="cdmbench-memory-") as tmp, LoopbackLM() as server:
        out = Path(tmp)
        generate(out / "data", n_admissions=args.n_cases, seed=args.seed, distractor_fraction=0.0)
        cases = out / "data" / "truth.json"
        print(f"{args.n_cases} synthetic cases: {cases.stat().st_size / 1e6:.1f} MB cases file")
        command = [
            sys.executable,
            "-m",
            "cdmbench",
            "evaluate",
            f"data={cases}",
            f"program={args.program}",
            "lm=vllm",
            "lm.model=loopback-model",
            f"lm.api_base={server.api_base}",
            f"lm.cache_dir={out / 'cache'}",
            f"output_dir={out / 'outputs'}",
            "run=memory",
            f"num_threads={args.num_threads}",
            "log_level=WARNING",
        ]
        env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
        predictions = out / "outputs" / "memory" / "predictions.jsonl"
        samples: list[tuple[int, float]] = []
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(1.0):
                rss = _rss_mb(child.pid)
                if rss is not None:
                    samples.append((_lines(predictions), rss))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        sampler.join()
        wall = time.perf_counter() - start
        done = _lines(predictions)
        scored = _lines(out / "outputs" / "memory" / "scores.jsonl")
        peak_mb = usage.ru_maxrss / 1024
        print(f"evaluate {args.program}: exit {child.returncode}, {done} predictions, {scored} scores, {wall:.0f} s")
        print(f"LM requests: {server.stats['chat']}")
        for fraction in (0.1, 0.25, 0.5, 0.75, 1.0):
            target = fraction * args.n_cases
            seen = [rss for n, rss in samples if n >= target]
            if seen:
                print(f"  RSS after {int(target):>5} cases: {seen[0]:7.1f} MB")
        print(f"peak RSS: {peak_mb:.0f} MB (target < {TARGET_MB} MB): {'ok' if peak_mb < TARGET_MB else 'OVER'}")
        return 0 if child.returncode == 0 and peak_mb < TARGET_MB and done == scored == args.n_cases else 1


if __name__ == "__main__":
    sys.exit(main())
