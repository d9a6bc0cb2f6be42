"""DSPy programs of the benchmark, registered by name (Hydra group ``program``).

Public API:
    Registry: ``PROGRAMS``, ``register_program``, ``get_program(name, **options)``,
    ``build_program(config, cases)``.
    Inputs: ``program_input(case)`` (the case without ground truth and pathology), ``render_case``.
    Programs: ``FullInfo`` (full_info), ``CdmAgent`` (cdm_agent), ``DiagnosisOnly`` (diagnosis_only),
    ``LabInterpretation`` (lab_interpretation).
    Tools: ``CaseReAct``, ``case_tools``, ``use_environment``, ``lab_dictionary``.

Every program's ``forward(case)`` returns a ``dspy.Prediction`` with ``diagnosis`` (str), ``treatments``
(list[str]), ``tool_calls`` (``[{"name", "args"}]``, docs/formats.md predictions format), ``trajectory`` (dict) and
``parsing`` (CDMv1's parsing failures: ``action``, ``diagnosis``, ``treatment``); a prediction whose diagnosis
could not be read carries ``failure`` (``kind: "format_error"``) and becomes a failed case.
"""

from cdmbench.programs.registry import PROGRAMS, build_program, get_program, register_program  # isort: skip
from cdmbench.programs.case_react import CaseReAct
from cdmbench.programs.cdm_agent import CdmAgent
from cdmbench.programs.diagnosis_only import DiagnosisOnly
from cdmbench.programs.full_info import FullInfo
from cdmbench.programs.inputs import program_input
from cdmbench.programs.lab_interpretation import LabInterpretation
from cdmbench.programs.rendering import render_case
from cdmbench.programs.tools import case_tools, lab_dictionary, use_environment

__all__ = [
    "PROGRAMS",
    "CaseReAct",
    "CdmAgent",
    "DiagnosisOnly",
    "FullInfo",
    "LabInterpretation",
    "build_program",
    "case_tools",
    "get_program",
    "lab_dictionary",
    "program_input",
    "register_program",
    "render_case",
    "use_environment",
]
