"""Benchmark create-benchmark against a raw ``COPY (SELECT ...) TO STDOUT`` of the rows it reads.

Starts its own embedded PostgreSQL (the test suite's server code), synthesizes admissions into a temporary
directory, loads them with db-load, then times in the same run:

- ``export``: ``export_cases`` (SQL, streaming, text helpers, Case validation);
- ``raw copy``: the same cohort table and the same queries, each as ``COPY (...) TO STDOUT`` into nothing.

It prints the ratio (target: export within 3x of the raw copy) and peak memory (process RSS, and the Python heap
peak of one traced export run).

Usage:
    uv run python benchmarks/export.py [--n-admissions 2400] [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from loguru import logger  # noqa: E402

from cdmbench.data_export.export import QUERIES, create_cohort_table, export_cases, export_sql  # noqa: E402
from cdmbench.data_export.load import load_mimic  # noqa: E402
from cdmbench.logging import setup_logging  # noqa: E402
from tests.postgres import connect_to, fresh_database, start_server  # noqa: E402


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_copy(conn: psycopg.Connection, dropped: list[int], extended: bool = False) -> tuple[float, int]:
    """Time a raw COPY of every query the export runs (the admissions the note rules exclude removed as the export
    does).

    Returns:
        (seconds, bytes copied).
    """
    params = {"extended": extended, "per_item": 3 if extended else 1}
    client = psycopg.ClientCursor(conn)
    start = time.perf_counter()
    total = 0
    with conn.transaction():
        create_cohort_table(conn)
        for name in ("not_in_cohort", "discharge", *QUERIES):
            if name == "labs":  # the export drops the note-excluded admissions after reading the notes
                conn.execute("DELETE FROM cdm_cohort WHERE hadm_id = ANY(%s)", (dropped,))
            query = client.mogrify(export_sql(name), params)
            with client.copy(f"COPY ({query}) TO STDOUT") as copy:
                for block in copy:
                    total += len(block)
    return time.perf_counter() - start, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-admissions", type=int, default=2400)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each side (the best counts)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    setup_logging("WARNING")
    with tempfile.TemporaryDirectory(prefix="cdmbench-bench-") as tmp, start_server(Path(tmp)) as server:
        source = Path(tmp) / "synthetic"
        t0 = time.perf_counter()
        # in a child process, so that the peak RSS below is the load's and the export's, not the generator's
        synthesize = [sys.executable, "-m", "cdmbench", "synthesize", f"out={source}"]
        synthesize += [f"n_admissions={args.n_admissions}", f"seed={args.seed}", "log_level=WARNING"]
        subprocess.run(synthesize, check=True, cwd=ROOT)
        print(f"synthesize {args.n_admissions} admissions: {time.perf_counter() - t0:.1f} s")
        with fresh_database(server, "cdmbench_bench") as dbname, connect_to(server, dbname) as conn:
            summary = load_mimic(conn, source, progress=False)
            rows = sum(v or 0 for v in summary.rows.values())
            print(f"db-load: {summary.total_seconds:.1f} s, {rows:,} rows; peak RSS so far {_peak_rss_mib():.0f} MiB")
            # one untimed run of each side warms caches and plans; then they alternate
            result = export_cases(conn, progress=False)
            after_notes = ("not_in_cohort", "no_labs", "no_abdominal_imaging")  # decided by the later queries
            dropped = [h for h, r in result.excluded.items() if r not in after_notes]
            raw_copy(conn, dropped)
            export_times, copy_times = [], []
            copied = 0
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                result = export_cases(conn, progress=False)
                export_times.append(time.perf_counter() - t0)
                seconds, copied = raw_copy(conn, dropped)
                copy_times.append(seconds)
            rss_mib = _peak_rss_mib()
            tracemalloc.start()
            export_cases(conn, progress=False)
            _, heap_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    export_s, copy_s = min(export_times), min(copy_times)
    print(f"cases: {len(result.cases)}; exclusions: {result.exclusions}")
    print(f"export:   {export_s:.3f} s (best of {args.repeat}: {', '.join(f'{t:.3f}' for t in export_times)})")
    print(f"raw copy: {copy_s:.3f} s ({copied / 2**20:.1f} MiB; {', '.join(f'{t:.3f}' for t in copy_times)})")
    print(f"ratio export / raw copy: {export_s / copy_s:.2f}x (target <= 3x)")
    print(
        f"peak memory: process RSS (load + export) {rss_mib:.0f} MiB; Python heap peak of one export {heap_peak / 2**20:.1f} MiB"
    )
    return 0


if __name__ == "__main__":
    logger.remove()
    sys.exit(main())
