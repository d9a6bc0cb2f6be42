"""Run a program over cases with bounded concurrency; one case failing is data, not a crash."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import dspy
from loguru import logger

from cdmbench.cases import Case
from cdmbench.config import redact_urls
from cdmbench.io import jsonable
from cdmbench.lm.failures import failure_kind
from cdmbench.lm.transcript import recording
from cdmbench.programs.answer import PARTIAL_ATTRIBUTE
from cdmbench.runs.records import PredictionRecord

__all__ = ["prediction_to_record", "run_case", "run_cases"]


def prediction_to_record(hadm_id: int, prediction: dspy.Prediction, latency_s: float) -> dict[str, Any]:
    """Turn a program's ``dspy.Prediction`` into a predictions.jsonl line.

    A prediction with ``failure`` (its diagnosis could not be read) becomes a ``status: "error"`` line of that
    ``error_kind`` that keeps everything else the program recorded.
    """
    fields = dict(prediction.items())
    treatments = fields.pop("treatments", [])
    failure = fields.pop("failure", None)
    record = PredictionRecord(
        hadm_id=hadm_id,
        status="error" if failure else "ok",
        error=f"{failure.get('step', 'answer')}: {failure.get('reason', 'unusable answer')}" if failure else None,
        error_kind=failure.get("kind", "format_error") if failure else None,
        diagnosis=str(fields.pop("diagnosis", "") or ""),
        treatments=treatments if isinstance(treatments, list | str) else [str(treatments)],
        tool_calls=fields.pop("tool_calls", []) or [],
        parsing=fields.pop("parsing", {}) or {},
        latency_s=round(latency_s, 3),
    ).model_dump(mode="json", exclude_none=True)
    if failure:
        record["failure"] = jsonable(failure)
    record.update({k: jsonable(v) for k, v in fields.items()})
    try:
        usage = prediction.get_lm_usage() or {}
    except Exception:  # usage tracking is best effort
        usage = {}
    record["usage"] = jsonable(usage)
    return record


def _error_record(case: Case, exc: Exception, latency_s: float) -> dict[str, Any]:
    kind = failure_kind(exc)
    reason = redact_urls(" ".join(f"{type(exc).__name__}: {exc}".split()))  # no URL user info in the record
    partial = getattr(exc, PARTIAL_ATTRIBUTE, None) or {}
    record = PredictionRecord(
        hadm_id=case.hadm_id,
        status="error",
        error=reason[:2000],
        error_kind=kind,
        tool_calls=partial.get("tool_calls", []),
        latency_s=round(latency_s, 3),
    ).model_dump(mode="json", exclude_none=True)
    record.update({k: jsonable(v) for k, v in partial.items() if k != "tool_calls"})
    # hadm_id and kind only: the exception text may quote the model's answer or the case
    logger.warning("case {} failed: {} ({})", case.hadm_id, kind, type(exc).__name__)
    return record


def run_case(
    program: dspy.Module, case: Case, to_input: Callable[[Case], Case], transcript: bool = True
) -> dict[str, Any]:
    """Run one case; exceptions become a ``status: "error"`` record with the reason and ``error_kind``.

    Args:
        transcript: keep the messages sent in each LM call of the record's ``transcript`` (the completions,
            reasoning, finish reasons, usage and latency are kept either way).
    """
    start = time.perf_counter()
    with recording(keep_messages=transcript) as calls:
        try:
            prediction = program(case=to_input(case))
            record = prediction_to_record(case.hadm_id, prediction, time.perf_counter() - start)
        except Exception as exc:  # one case failing is data
            record = _error_record(case, exc, time.perf_counter() - start)
    if calls.calls:
        record["transcript"] = calls.records()
    if record["status"] == "error" and "failure" in record:
        logger.warning("case {} failed: {} ({})", case.hadm_id, record["error_kind"], record["failure"].get("step"))
    return record


def run_cases(
    program: dspy.Module,
    cases: Iterable[Case],
    to_input: Callable[[Case], Case],
    num_threads: int = 1,
    transcript: bool = True,
) -> Iterator[dict[str, Any]]:
    """Yield one record per case as each finishes, with at most ``num_threads`` cases in flight."""
    if num_threads <= 1:
        for case in cases:
            yield run_case(program, case, to_input, transcript)
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
            pending.add(pool.submit(context.run, run_case, program, case, to_input, transcript))
            return True

        while len(pending) < num_threads and submit_next():
            pass
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.discard(future)
                yield future.result()
                submit_next()
