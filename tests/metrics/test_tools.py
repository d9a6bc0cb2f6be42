"""Physical examination first/late, invalid tool calls and rounds (scoring-rules.md sections 3 and 7)."""

from __future__ import annotations

import pytest

from cdmbench.metrics.core import ToolCallInput
from cdmbench.metrics.physical_exam import score_physical_exam
from cdmbench.metrics.tools import invalid_reason, lab_request_items, score_tools
from tests.metrics.helpers import imaging, labs, pe


def calls(*specs: dict) -> list[ToolCallInput]:
    return [ToolCallInput.model_validate(s) for s in specs]


def test_physical_examination_first() -> None:
    result = score_physical_exam(calls(pe(), labs("CBC")))
    assert (result.first, result.late) == (1, 1)


def test_physical_examination_late() -> None:
    result = score_physical_exam(calls(labs("CBC"), pe()))
    assert (result.first, result.late) == (0, 1)
    assert "call 2" in result.explanation


def test_invalid_call_before_the_examination_makes_it_late() -> None:
    result = score_physical_exam(calls({"name": "vitals", "args": {}}, pe()))
    assert (result.first, result.late) == (0, 1)


def test_no_examination() -> None:
    assert (score_physical_exam(calls(labs("CBC"))).first, score_physical_exam([]).late) == (0, 0)


@pytest.mark.parametrize(
    "call",
    [
        {"name": "vital_signs", "args": {}},
        {"name": "Physical Examination", "args": {}},  # names are exact, as in the environment
        imaging("Abdomen", "thermography"),  # modality not normalizable
        imaging("left big toe nail", "CT"),  # region not normalizable
        imaging(None, None),
        labs(),  # no test
        {"name": "laboratory_tests", "args": {"tests": {"a": 1}}},
    ],
)
def test_invalid_calls(call: dict) -> None:
    assert invalid_reason(ToolCallInput.model_validate(call)) is not None


@pytest.mark.parametrize(
    "call",
    [
        pe(),
        labs("CBC", 50956),
        imaging("RUQ", "US"),
        imaging(None, "CT scan of the abdomen and pelvis"),
        imaging("Pelvis", "MRI"),
    ],
)
def test_valid_calls(call: dict) -> None:
    assert invalid_reason(ToolCallInput.model_validate(call)) is None


def test_invalid_tools_and_rounds_count_every_call() -> None:
    result = score_tools(calls(pe(), {"name": "xray", "args": {}}, imaging("Abdomen", "thermography"), labs("CBC")))
    assert (result.invalid_tools, result.rounds) == (2, 4)
    assert "call 2" in result.explanation and "call 3" in result.explanation
    assert score_tools([]).rounds == 0


def test_lab_request_items() -> None:
    assert lab_request_items("CBC") == ["CBC"]
    assert lab_request_items(["CBC", "50956", 50861]) == ["CBC", 50956, 50861]
    assert lab_request_items([]) is None
    assert lab_request_items([True]) is None
    assert lab_request_items(None) is None
