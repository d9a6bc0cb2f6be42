"""``lab_interpretation``: CDMv1's lab-interpretation experiment, one ``InterpretLab`` call per lab value."""

from __future__ import annotations

from typing import Any

import dspy
from loguru import logger

from cdmbench.cases import Case
from cdmbench.environment.formatting import format_reference_range
from cdmbench.programs.lab_values import expected_interpretation
from cdmbench.programs.registry import register_program
from cdmbench.signatures import InterpretLab

__all__ = ["LabInterpretation"]


@register_program("lab_interpretation")
class LabInterpretation(dspy.Module):
    """Classify each lab value of a case that has a numeric value and a reference range as low/normal/high.

    ``interpretations`` holds one dict per lab: itemid, test_name, value, reference_range, predicted (None when
    the LM's answer could not be parsed) and expected (from the reference range).
    """

    def __init__(self) -> None:
        super().__init__()
        self.interpret = dspy.Predict(InterpretLab)

    def forward(self, case: Case) -> dspy.Prediction:
        """Run on a case without ground truth (see ``program_input``)."""
        interpretations: list[dict[str, Any]] = []
        for lab in case.lab_results:
            expected = expected_interpretation(lab)
            if expected is None:
                continue
            reference_range = format_reference_range(lab.ref_range_lower, lab.ref_range_upper) or ""
            test = f"({lab.fluid}) {lab.test_name}" if lab.fluid else lab.test_name
            try:
                predicted = self.interpret(test=test, value=lab.value or "", reference_range=reference_range)
                answer: str | None = predicted.interpretation
            except (ValueError, dspy.utils.exceptions.AdapterParseError) as exc:
                logger.warning(
                    "case {}: itemid {}: unparseable interpretation ({})", case.hadm_id, lab.itemid, type(exc).__name__
                )
                answer = None
            interpretations.append(
                {
                    "itemid": lab.itemid,
                    "test_name": lab.test_name,
                    "value": lab.value,
                    "reference_range": reference_range,
                    "predicted": answer,
                    "expected": expected,
                }
            )
        return dspy.Prediction(
            interpretations=interpretations, diagnosis="", treatments=[], tool_calls=[], trajectory={}
        )
