"""CaseEnvironment: the three tools, the call record, invalid calls, and no ground truth."""

from __future__ import annotations

import json

import pytest

from cdmbench.cases import Case
from cdmbench.environment import NO_EXAMINATION, TOOL_NAMES, CaseEnvironment, ToolCall
from cdmbench.programs import lab_dictionary


@pytest.fixture
def env(case: Case) -> CaseEnvironment:
    return CaseEnvironment(case, lab_dictionary([case]))


def test_physical_examination_returns_the_exam(env: CaseEnvironment) -> None:
    assert env.physical_examination() == "T 38.4 HR 104. Tender on deep palpation below the right costal margin."
    assert env.calls[0] == ToolCall(
        index=0,
        name="physical_examination",
        args={},
        normalized_args={},
        observation=env.calls[0].observation,
        valid=True,
    )


def test_missing_examination(case: Case) -> None:
    case.physical_exam_text = ""
    assert CaseEnvironment(case, lab_dictionary()).physical_examination() == NO_EXAMINATION


def test_calls_are_recorded_in_order_in_the_predictions_format(env: CaseEnvironment) -> None:
    env.call("physical_examination", {})
    env.laboratory_tests(["CBC", 50956])
    env.imaging("Abdomen", "US")
    env.call("consult_surgery", {"why": "pain"})
    assert env.tool_calls_record() == [
        {"name": "physical_examination", "args": {}},
        {"name": "laboratory_tests", "args": {"tests": ["CBC", 50956]}},
        {"name": "imaging", "args": {"region": "Abdomen", "modality": "US"}},
        {"name": "consult_surgery", "args": {"why": "pain"}},
    ]
    assert [c.index for c in env.calls] == [0, 1, 2, 3]
    assert [c.valid for c in env.calls] == [True, True, True, False]
    assert env.calls[2].normalized_args == {"region": "Abdomen", "modality": "Ultrasound"}
    json.dumps([c.model_dump() for c in env.calls])  # the record is JSON-serializable


def test_unknown_tool_is_invalid_and_lists_the_valid_tools(env: CaseEnvironment) -> None:
    observation = env.call("Physical Examination", {})
    assert "Unknown tool 'Physical Examination'" in observation
    for name in TOOL_NAMES:
        assert name in observation
    assert env.calls[-1].valid is False


def test_lab_request_as_one_string_is_recorded_as_a_list(env: CaseEnvironment) -> None:
    env.call("laboratory_tests", {"tests": "CBC, lipase"})
    assert env.tool_calls_record() == [{"name": "laboratory_tests", "args": {"tests": ["CBC, lipase"]}}]
    assert "(Blood) Lipase: 32.0 IU/L" in env.calls[0].observation


@pytest.mark.parametrize("args", [{}, {"tests": []}, {"tests": {"a": 1}}, {"tests": None}])
def test_unusable_lab_request_is_invalid(env: CaseEnvironment, args: dict) -> None:
    observation = env.call("laboratory_tests", args)
    assert env.calls[-1].valid is False
    assert "Cannot interpret the laboratory request" in observation
    assert "Valid tools" in observation


def test_unnormalizable_imaging_is_invalid(env: CaseEnvironment) -> None:
    observation = env.imaging("somewhere", "a picture")
    call = env.calls[-1]
    assert call.valid is False
    assert call.args == {"region": "somewhere", "modality": "a picture"}
    assert "Cannot interpret the imaging request" in observation and "Valid tools" in observation
    missing = env.call("imaging", {"modality": "CT"})  # no region argument: CT implies none
    assert env.calls[-1].valid is False, missing


def test_environment_never_holds_ground_truth(env: CaseEnvironment) -> None:
    assert not hasattr(env, "case")
    for value in vars(env).values():
        assert "SECRET" not in repr(value)
        assert "cholecystitis" not in repr(value)


def test_same_calls_give_the_same_observations(case: Case) -> None:
    def run() -> list[str]:
        env = CaseEnvironment(case, lab_dictionary([case]))
        env.imaging("Abdomen", "Ultrasound")
        env.imaging("Abdomen", "Ultrasound")
        env.laboratory_tests(["Lipase"])
        return [c.observation for c in env.calls]

    assert run() == run()
