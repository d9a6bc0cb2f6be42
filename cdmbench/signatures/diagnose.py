"""``Diagnose``: the primary diagnosis and a short differential from what is known about a patient."""

from __future__ import annotations

import dspy

__all__ = ["Diagnose"]


class Diagnose(dspy.Signature):
    """Give the single most likely primary diagnosis that explains this patient's acute presentation
    and led to the admission, then a short differential diagnosis.
    Weigh the history, the examination and every result you are given; name the diagnosis as
    specifically as the evidence allows (the disease and, where known, its cause or complication),
    using standard clinical terms."""

    summary: str = dspy.InputField(desc="what is known about the patient: a clinical summary or the complete record")
    diagnosis: str = dspy.OutputField(desc="the one primary diagnosis, a short noun phrase, no differential")
    differential: list[str] = dspy.OutputField(desc="up to five alternative diagnoses, most likely first")
