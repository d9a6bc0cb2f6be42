"""Physical examination first and late (scoring-rules.md section 3).

``physical_examination`` is 1 when the call at index 0 of all tool calls (invalid calls included) is the
physical examination; ``late_physical_examination`` is 1 when it was called at any point. A call that failed
(``failed``) is not an examination done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdmbench.metrics.core import ToolCallInput
from cdmbench.metrics.tools import PHYSICAL_EXAMINATION

__all__ = ["PhysicalExamResult", "score_physical_exam"]


@dataclass(frozen=True)
class PhysicalExamResult:
    """Physical examination first / at any point, with explanations."""

    first: int
    late: int
    explanation: str
    late_explanation: str


def score_physical_exam(calls: Sequence[ToolCallInput]) -> PhysicalExamResult:
    """Score when the physical examination was requested among ``calls`` (in order)."""
    positions = [i for i, call in enumerate(calls) if call.name == PHYSICAL_EXAMINATION and not call.failed]
    if not positions:
        tried = any(call.name == PHYSICAL_EXAMINATION for call in calls)
        none = "The physical examination call failed, so it was never done." if tried else ""
        none = none or "The physical examination was never requested."
        return PhysicalExamResult(0, 0, none + " It should be the first tool call.", none)
    at = positions[0]
    if at == 0:
        return PhysicalExamResult(
            1, 1, "The physical examination was the first tool call.", "The physical examination was requested."
        )
    first_name = calls[0].name or "(no name)"
    return PhysicalExamResult(
        0,
        1,
        f"The physical examination came late (tool call {at + 1}, after {first_name!r}); it should be the first call.",
        f"The physical examination was requested (tool call {at + 1}).",
    )
