"""Run a program over cases with bounded concurrency; one case failing is data, not a crash."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import dspy

from cdmbench.cases import Case
from cdmbench.io import jsonable
from cdmbench.runs.records import PredictionRecord

__all__ = ["prediction_to_record", "run_case", "run_cases"]


def prediction_to_record(hadm_id: int, prediction: dspy.Prediction, latency_s: float) -> dict[str, Any]:
    """Turn a program's ``dspy.Prediction`` into a predictions.jsonl line."""
    fields = dict(prediction.items())
    treatments = fields.pop("treatments", [])
    record = PredictionRecord(
        hadm_id=hadm_id,
        status="ok",
        diagnosis=str(fields.pop("diagnosis", "") or ""),
        treatments=treatments if isinstance(treatments, list | str) else [str(treatments)],
        tool_calls=fields.pop("tool_calls", []) or [],
        latency_s=round(latency_s, 3),
    ).model_dump(mode="json", exclude_none=True)
    record.update({k: jsonable(v) for k, v in fields.items()})
    try:
        usage = prediction.get_lm_usage() or {}
    except Exception:  # usage tracking is best effort
        usage = {}
    record["usage"] = jsonable(usage)
    return record


def run_case(program: dspy.Module, case: Case, to_input: Callable[[Case], Case]) -> dict[str, Any]:
    """Run one case; exceptions become a ``status: "error"`` record with the reason."""
    start = time.perf_counter()
    try:
        prediction = program(case=to_input(case))
        return prediction_to_record(case.hadm_id, prediction, time.perf_counter() - start)
    except Exception as exc:  # one case failing is data
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())
        return PredictionRecord(
            hadm_id=case.hadm_id,
            status="error",
            error=reason[:2000],
            latency_s=round(time.perf_counter() - start, 3),
        ).model_dump(mode="json", exclude_none=True)


def run_cases(
    program: dspy.Module,
    cases: Iterable[Case],
    to_input: Callable[[Case], Case],
    num_threads: int = 1,
) -> Iterator[dict[str, Any]]:
    """Yield one record per case as each finishes, with at most ``num_threads`` cases in flight."""
    if num_threads <= 1:
        for case in cases:
            yield run_case(program, case, to_input)
        return
    iterator = iter(cases)
    with ThreadPoolExecutor(max_workers=num_threads, thread_name_prefix="cdmbench-case") as pool:
        pending: set[Future] = set()

        def submit_next() -> bool:
            case = next(iterator, None)
            if case is None:
                return False
            # each case runs in a copy of this thread's context, so dspy.context(lm=...) reaches the workers
            context = contextvars.copy_context()
            pending.add(pool.submit(context.run, run_case, program, case, to_input))
            return True

        while len(pending) < num_threads and submit_next():
            pass
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.discard(future)
                yield future.result()
                submit_next()
