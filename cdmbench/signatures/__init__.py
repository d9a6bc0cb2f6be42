"""DSPy signatures of the clinical decision-making steps; each docstring is the step's instruction.

The signatures say what a step does, never which conditions the benchmark contains: a program built from
them must work for any acute presentation.

Public API: ``GatherInformation``, ``SynthesizeFindings``, ``Diagnose``, ``PlanTreatment``, ``InterpretLab``.
"""

from cdmbench.signatures.diagnose import Diagnose
from cdmbench.signatures.gather_information import GatherInformation
from cdmbench.signatures.interpret_lab import InterpretLab
from cdmbench.signatures.plan_treatment import PlanTreatment
from cdmbench.signatures.synthesize_findings import SynthesizeFindings

__all__ = ["Diagnose", "GatherInformation", "InterpretLab", "PlanTreatment", "SynthesizeFindings"]
