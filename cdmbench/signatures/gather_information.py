"""``GatherInformation``: the tool-using step of an agent (the signature given to ``dspy.ReAct``)."""

from __future__ import annotations

import dspy

__all__ = ["GatherInformation"]


class GatherInformation(dspy.Signature):
    """You are the physician who admits a patient presenting to the emergency department.
    Gather the information you need to reach a diagnosis, as you would at the bedside: examine
    the patient first, then order the laboratory tests and imaging that the history and the
    examination call for. Request only what helps decide between the plausible causes of the
    presentation; every unnecessary test costs time and money and can harm the patient.
    When you have enough information, stop and report what the examination, the laboratory
    tests and the imaging showed."""

    patient_history: str = dspy.InputField(
        desc="the history of present illness, past medical, social and family history"
    )
    findings: str = dspy.OutputField(
        desc="the relevant results the tools returned (examination, laboratory values with units, imaging findings), "
        "concise and factual, without a diagnosis"
    )
