"""``SynthesizeFindings``: turn the history and the gathered results into a clinical summary."""

from __future__ import annotations

import dspy

__all__ = ["SynthesizeFindings"]


class SynthesizeFindings(dspy.Signature):
    """Write the concise clinical summary a physician would present on handover.
    Combine the patient history with the examination, laboratory and imaging findings:
    state the presenting complaint and its time course, the pertinent positive and negative
    examination signs, the abnormal laboratory values (with their values) and the key imaging
    findings. Report only what the sources say; do not invent results and do not name a
    diagnosis yet."""

    patient_history: str = dspy.InputField(
        desc="the history of present illness, past medical, social and family history"
    )
    findings: str = dspy.InputField(desc="examination, laboratory and imaging results gathered for this patient")
    summary: str = dspy.OutputField(desc="a concise clinical summary (a short paragraph)")
