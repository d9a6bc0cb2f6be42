"""The case environment: one admission behind the three tools, every call recorded for scoring.

Public API: ``CaseEnvironment`` (``physical_examination()``, ``laboratory_tests(tests)``,
``imaging(region, modality)``, ``call(name, args)``, ``calls``, ``tool_calls_record()``), ``ToolCall``,
``TOOL_NAMES``, and the text renderings ``format_lab_result``, ``format_microbiology_event``,
``format_radiology_report``, ``format_reference_range``.
"""

from cdmbench.environment.case_environment import NO_EXAMINATION, CaseEnvironment
from cdmbench.environment.formatting import (
    format_lab_result,
    format_microbiology_event,
    format_radiology_report,
    format_reference_range,
)
from cdmbench.environment.records import TOOL_NAMES, ToolCall, valid_tools_message

__all__ = [
    "NO_EXAMINATION",
    "TOOL_NAMES",
    "CaseEnvironment",
    "ToolCall",
    "format_lab_result",
    "format_microbiology_event",
    "format_radiology_report",
    "format_reference_range",
    "valid_tools_message",
]
