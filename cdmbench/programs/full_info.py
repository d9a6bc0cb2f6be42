"""``full_info``: every piece of the case at once -> synthesize -> diagnose -> treat."""

from __future__ import annotations

import dspy

from cdmbench.cases import Case
from cdmbench.programs.answer import attempt, diagnose_and_plan
from cdmbench.programs.registry import register_program
from cdmbench.programs.rendering import check_order, render_case
from cdmbench.signatures import Diagnose, PlanTreatment, SynthesizeFindings

__all__ = ["FullInfo"]


@register_program("full_info")
class FullInfo(dspy.Module):
    """The examination, all labs and all imaging rendered as text, then summary, diagnosis and treatment.

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
        self.synthesize = dspy.Predict(SynthesizeFindings)
        self.diagnose = dspy.ChainOfThought(Diagnose)
        self.treat = dspy.ChainOfThought(PlanTreatment)

    def forward(self, case: Case) -> dspy.Prediction:
        """Run on a case without ground truth (see ``program_input``)."""
        findings = render_case(
            case,
            order=self.order,
            abnormal_only=self.abnormal_only,
            reference_ranges=self.reference_ranges,
            include_history=False,
        )
        synthesized, _ = attempt(self.synthesize, patient_history=case.patient_history, findings=findings)
        summary = str(synthesized.summary) if synthesized is not None else f"{case.patient_history}\n\n{findings}"
        record = {"summary": summary, "tool_calls": [], "trajectory": {}}
        return diagnose_and_plan(self.diagnose, self.treat, summary, record)
