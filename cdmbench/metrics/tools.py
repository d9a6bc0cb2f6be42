"""Invalid tool calls and rounds (scoring-rules.md section 7 and the Decisions).

A call is invalid when its name is not one of the three tools, when an imaging call's modality or region
cannot be normalized (the same ``normalize_imaging_request`` the imaging tool uses), or when a laboratory call
gives no usable test list (as the lab tool answers it: CDMv1 also counted calls without usable input), or when
the tool failed carrying it out (``"failed": true`` in the predictions file; the PE, lab and imaging scorers also
skip such a call: the tool counts as not used).
Rounds are all tool calls, invalid ones included. Tool names are read by the protocol, as the environment reads
them (``resolve_calls``): ``cdmbench`` compares them exactly, ``cdmv1`` matches them as CDMv1's parser did (fuzzy
ratio above 80, its shortcuts), and reads imaging requests with CDMv1's dictionaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cdmbench.metrics.core import ToolCallInput

if TYPE_CHECKING:
    from cdmbench.protocols import Protocol

__all__ = [
    "IMAGING",
    "LABORATORY_TESTS",
    "PHYSICAL_EXAMINATION",
    "TOOL_NAMES",
    "ToolsResult",
    "invalid_reason",
    "lab_request_items",
    "resolve_calls",
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


def resolve_calls(calls: Sequence[ToolCallInput], protocol: Protocol | None = None) -> list[ToolCallInput]:
    """The calls with their tool names (and the input a name carried) read as the protocol's environment reads them."""
    from cdmbench.protocols import get_protocol

    protocol = get_protocol(protocol)
    out = []
    for call in calls:
        tool, args = protocol.resolve_call(call.name, call.args)
        out.append(ToolCallInput(name=tool, args=args, failed=call.failed) if tool is not None else call)
    return out


def invalid_reason(call: ToolCallInput, protocol: Protocol | None = None) -> str | None:
    """Why ``call`` (its name already read by ``resolve_calls``) is an invalid tool call, or None when it is valid."""
    from cdmbench.protocols import get_protocol

    if call.failed:
        return f"the {call.name or '(no name)'} call failed"
    if call.name not in TOOL_NAMES:
        return f"{call.name!r} is not a tool (use {', '.join(TOOL_NAMES)})"
    if call.name == IMAGING:
        normalize = get_protocol(protocol).normalize_imaging
        request = normalize(_text(call.args.get("region")), _text(call.args.get("modality")))
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


def score_tools(calls: Sequence[ToolCallInput], protocol: Protocol | None = None) -> ToolsResult:
    """Count the invalid calls and the rounds of a trajectory (names already read by ``resolve_calls``)."""
    reasons = [(i, r) for i, call in enumerate(calls) if (r := invalid_reason(call, protocol)) is not None]
    if reasons:
        listed = "; ".join(f"call {i + 1}: {r}" for i, r in reasons)
        explanation = f"{len(reasons)} invalid tool call(s): {listed}."
    else:
        explanation = "No invalid tool calls."
    return ToolsResult(len(reasons), len(calls), explanation, f"{len(calls)} tool call(s) in the trajectory.")
