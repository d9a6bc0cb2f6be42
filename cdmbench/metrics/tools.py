"""Invalid tool calls and rounds (scoring-rules.md section 7 and the Decisions).

A call is invalid when its name is not one of the three tools, when an imaging call's modality or region
cannot be normalized (the same ``normalize_imaging_request`` the imaging tool uses), or when a laboratory call
gives no usable test list (as the lab tool answers it: CDMv1 also counted calls without usable input).
Rounds are all tool calls, invalid ones included. Tool names are compared exactly, as the environment does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cdmbench.metrics.core import ToolCallInput
from cdmbench.vocabulary.imaging_requests import normalize_imaging_request

__all__ = [
    "IMAGING",
    "LABORATORY_TESTS",
    "PHYSICAL_EXAMINATION",
    "TOOL_NAMES",
    "ToolsResult",
    "invalid_reason",
    "lab_request_items",
    "score_tools",
]

PHYSICAL_EXAMINATION = "physical_examination"
LABORATORY_TESTS = "laboratory_tests"
IMAGING = "imaging"
TOOL_NAMES: tuple[str, ...] = (PHYSICAL_EXAMINATION, LABORATORY_TESTS, IMAGING)
"""The three tools; any other name is an invalid call."""


def lab_request_items(tests: Any) -> list[str | int] | None:
    """A lab call's ``tests`` argument as a list of names and itemids, or None when it is unusable.

    One string or number becomes a one-item list; digit-only strings become integer itemids. Anything else
    (a dict, a list holding non-scalars, an empty list, nothing) is unusable; this is the lab tool's rule.
    """
    if isinstance(tests, str | int) and not isinstance(tests, bool):
        tests = [tests]
    if not isinstance(tests, list | tuple):
        return None
    items: list[str | int] = []
    for item in tests:
        if isinstance(item, bool) or not isinstance(item, str | int):
            return None
        if isinstance(item, str) and item.strip().isdigit():
            items.append(int(item.strip()))
        else:
            items.append(item)
    return items or None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def invalid_reason(call: ToolCallInput) -> str | None:
    """Why ``call`` is an invalid tool call, or None when it is valid."""
    if call.name not in TOOL_NAMES:
        return f"{call.name!r} is not a tool (use {', '.join(TOOL_NAMES)})"
    if call.name == IMAGING:
        request = normalize_imaging_request(_text(call.args.get("region")), _text(call.args.get("modality")))
        if not request.valid:
            return f"imaging request not understood: {request.reason}"
    if call.name == LABORATORY_TESTS and lab_request_items(call.args.get("tests")) is None:
        return f"laboratory request {call.args.get('tests')!r} names no test"
    return None


@dataclass(frozen=True)
class ToolsResult:
    """Invalid calls and rounds, with explanations."""

    invalid_tools: int
    rounds: int
    explanation: str
    rounds_explanation: str


def score_tools(calls: Sequence[ToolCallInput]) -> ToolsResult:
    """Count the invalid calls and the rounds of a trajectory."""
    reasons = [(i, r) for i, call in enumerate(calls) if (r := invalid_reason(call)) is not None]
    if reasons:
        listed = "; ".join(f"call {i + 1}: {r}" for i, r in reasons)
        explanation = f"{len(reasons)} invalid tool call(s): {listed}."
    else:
        explanation = "No invalid tool calls."
    return ToolsResult(len(reasons), len(calls), explanation, f"{len(calls)} tool call(s) in the trajectory.")
