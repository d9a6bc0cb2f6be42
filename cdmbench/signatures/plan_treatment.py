"""``PlanTreatment``: the treatment plan for a diagnosed patient."""

from __future__ import annotations

import dspy

__all__ = ["PlanTreatment"]


class PlanTreatment(dspy.Signature):
    """Plan the treatment of this admitted patient for the given diagnosis, as the responsible
    physician would order it today. Include the definitive treatment (medical, endoscopic,
    interventional or surgical, naming the procedure), the supportive care (fluids, analgesia,
    monitoring, nutrition) and any medication such as antimicrobials, each only when indicated
    for this patient. Follow current guidelines and respect contraindications in the summary."""

    summary: str = dspy.InputField(desc="the clinical summary of the patient")
    diagnosis: str = dspy.InputField(desc="the primary diagnosis")
    treatments: list[str] = dspy.OutputField(desc="the treatments to give, one short item each, most important first")
