"""The final steps every program shares: diagnose, then plan treatment, with unreadable answers as data.

A final step whose answer cannot be parsed does not crash the program: an unreadable diagnosis makes the case a
``format_error`` (no final diagnosis is a miss, as in CDMv1), recorded with what was gathered; an unreadable
treatment plan leaves the diagnosis standing with no treatments. ``parsing`` counts the failures per case, as
CDMv1's parsing metrics do: ``action`` (agent steps that could not be read), ``diagnosis``, ``treatment`` (0/1).

An exception that is not about the answer (the LM unreachable) propagates; ``keep_partial`` attaches what the
program had gathered so far, so a failed case still records its trajectory and tool calls.
"""

from __future__ import annotations

from typing import Any

import dspy

from cdmbench.lm.failures import FormatFailure, format_failure, is_format_error

__all__ = ["PARTIAL_ATTRIBUTE", "attempt", "diagnose_and_plan", "keep_partial"]

PARTIAL_ATTRIBUTE = "cdmbench_partial"
"""The exception attribute that carries a failed case's partial record (read by the executor)."""


def attempt(module: dspy.Module, **inputs: Any) -> tuple[dspy.Prediction | None, FormatFailure | None]:
    """Run ``module``; an unreadable answer gives ``(None, failure)`` instead of an exception."""
    try:
        return module(**inputs), None
    except Exception as err:
        if not is_format_error(err):
            raise
        return None, format_failure(err)


def keep_partial(exc: BaseException, **fields: Any) -> None:
    """Attach the partial record ``fields`` to ``exc`` (the first attachment wins)."""
    if not hasattr(exc, PARTIAL_ATTRIBUTE):
        setattr(exc, PARTIAL_ATTRIBUTE, fields)


def _failure(step: str, failure: FormatFailure) -> dict[str, Any]:
    return {"kind": "format_error", "step": step, "reason": failure.reason, "raw": failure.raw}


def diagnose_and_plan(
    diagnose: dspy.Module,
    treat: dspy.Module | None,
    summary: str,
    record: dict[str, Any],
    action_failures: int = 0,
) -> dspy.Prediction:
    """Diagnose from ``summary`` and (when ``treat`` is given) plan treatment; ``record`` holds the other fields.

    Returns:
        The program's prediction: ``record`` plus ``diagnosis``, ``differential``, ``treatments``, ``parsing``
        and, when the diagnosis could not be read, ``failure`` (kind ``format_error``, step, reason, raw text).
    """
    parsing = {"action": action_failures, "diagnosis": 0, "treatment": 0}
    format_failures: list[dict[str, Any]] = []
    diagnosis, failed = attempt(diagnose, summary=summary)
    if diagnosis is None:
        parsing["diagnosis"] = 1
        return dspy.Prediction(
            **record,
            diagnosis="",
            differential=[],
            treatments=[],
            parsing=parsing,
            failure=_failure("diagnosis", failed),
        )
    treatments: list[str] = []
    if treat is not None:
        plan, failed = attempt(treat, summary=summary, diagnosis=diagnosis.diagnosis)
        if plan is None:
            parsing["treatment"] = 1
            format_failures.append(_failure("treatment", failed))
        else:
            treatments = list(plan.treatments or [])
    extra = {"format_failures": format_failures} if format_failures else {}
    return dspy.Prediction(
        **record,
        diagnosis=diagnosis.diagnosis,
        differential=list(diagnosis.differential or []),
        treatments=treatments,
        parsing=parsing,
        **extra,
    )
