"""``diagnosis_only``: one diagnosis step from the full record (CDMv1's full-information setting)."""

from __future__ import annotations

import dspy

from cdmbench.cases import Case
from cdmbench.programs.answer import diagnose_and_plan
from cdmbench.programs.registry import register_program
from cdmbench.programs.rendering import check_order, render_case
from cdmbench.signatures import Diagnose

__all__ = ["DiagnosisOnly"]


@register_program("diagnosis_only")
class DiagnosisOnly(dspy.Module):
    """The whole case rendered as text (history first) and diagnosed in one step; no treatment, no tools.

    Args:
        order: section order after the history, letters p (examination), l (labs), i (imaging).
        abnormal_only: show only lab values outside their reference range.
        reference_ranges: show reference ranges on lab lines.
    """

    def __init__(self, order: str = "pli", abnormal_only: bool = False, reference_ranges: bool = True) -> None:
        super().__init__()
        self.order = check_order(order)
        self.abnormal_only = bool(abnormal_only)
        self.reference_ranges = bool(reference_ranges)
        self.diagnose = dspy.ChainOfThought(Diagnose)

    def forward(self, case: Case) -> dspy.Prediction:
        """Run on a case without ground truth (see ``program_input``)."""
        record = render_case(
            case, order=self.order, abnormal_only=self.abnormal_only, reference_ranges=self.reference_ranges
        )
        return diagnose_and_plan(self.diagnose, None, record, {"tool_calls": [], "trajectory": {}})
