"""The agent's protocol differences with DummyLM: free-text tool names and ``max_iters`` without ``finish``."""

from __future__ import annotations

import dspy
import pytest
from dspy.utils.dummies import DummyLM

from cdmbench.cases import Case
from cdmbench.programs import CdmAgent, build_program

SYNTH = {"summary": "Febrile patient with postprandial pain."}
DIAG = {"reasoning": "r", "diagnosis": "Acute condition X", "differential": []}
TREAT = {"reasoning": "r", "treatments": ["IV fluids"]}
FINDINGS = {"reasoning": "r", "findings": "f"}


def _step(name: str, args: dict) -> dict:
    return {"next_thought": f"call {name}", "next_tool_name": name, "next_tool_args": args}


@pytest.mark.parametrize(
    ("protocol", "diagnosis", "stopped"), [("cdmbench", "Acute condition X", None), ("cdmv1", "", "max_iters")]
)
def test_max_iters_without_finish(case: Case, protocol: str, diagnosis: str, stopped: str | None) -> None:
    answers = [_step("physical_examination", {})] * 2 + [FINDINGS, SYNTH, DIAG, TREAT]
    with dspy.context(lm=DummyLM(answers)):
        prediction = CdmAgent(max_iters=2, protocol=protocol)(case=case)
    assert prediction.diagnosis == diagnosis  # CDMv1: LangChain stopped the agent without a final answer
    assert prediction.get("stopped") == stopped
    assert len(prediction.tool_calls) == 2


@pytest.mark.parametrize("protocol", ["cdmbench", "cdmv1"])
def test_finishing_at_the_last_step_is_a_diagnosis_in_both(case: Case, protocol: str) -> None:
    answers = [_step("physical_examination", {}), _step("finish", {}), FINDINGS, SYNTH, DIAG, TREAT]
    with dspy.context(lm=DummyLM(answers)):
        prediction = CdmAgent(max_iters=2, protocol=protocol)(case=case)
    assert prediction.diagnosis == "Acute condition X"


@pytest.mark.parametrize(
    ("protocol", "recorded"),
    [("cdmbench", "Laboratory Tests"), ("cdmv1", "laboratory_tests")],
)
def test_free_text_tool_name(case: Case, protocol: str, recorded: str) -> None:
    answers = [_step("Laboratory Tests", {"tests": ["Lipase"]}), _step("finish", {}), FINDINGS, SYNTH, DIAG, TREAT]
    with dspy.context(lm=DummyLM(answers)):
        # cdmbench names are constrained unless free_tool_names=true; cdmv1 always reads free text
        prediction = CdmAgent(free_tool_names=protocol == "cdmbench", protocol=protocol)(case=case)
    assert prediction.tool_calls[0]["name"] == recorded
    assert ("Lipase: 32.0 IU/L" in prediction.observations[0]) is (protocol == "cdmv1")


def test_build_program_hands_over_the_protocol(case: Case) -> None:
    program = build_program({"name": "cdm_agent"}, cases=[case], protocol="cdmv1")
    assert program.protocol.name == "cdmv1"
    assert "Bilirubin" not in program.dictionary or 50885 not in program.dictionary.itemids("Bilirubin")


@pytest.mark.parametrize("name", ["Final Diagnosis", "final diagnosis", "Final Diagnosis - appendicitis"])
def test_final_diagnosis_ends_the_episode_under_cdmv1(case: Case, name: str) -> None:
    answers = [_step("physical_examination", {}), _step(name, {}), FINDINGS, SYNTH, DIAG, TREAT]
    with dspy.context(lm=DummyLM(answers)):
        prediction = CdmAgent(max_iters=2, protocol="cdmv1")(case=case)
    assert prediction.tool_calls == [{"name": "physical_examination", "args": {}}]  # not an invalid action
    assert prediction.steps[1]["tool"] == "finish" and prediction.steps[1]["requested_name"] == name
    assert prediction.get("stopped") is None  # it finished at the last step: not out of steps
    assert prediction.diagnosis == "Acute condition X"


def test_final_diagnosis_is_an_invalid_tool_under_cdmbench(case: Case) -> None:
    steps = [_step("physical_examination", {}), _step("Final Diagnosis", {}), _step("finish", {})]
    with dspy.context(lm=DummyLM([*steps, FINDINGS, SYNTH, DIAG, TREAT])):
        prediction = CdmAgent(max_iters=3, free_tool_names=True, protocol="cdmbench")(case=case)
    assert [c["name"] for c in prediction.tool_calls] == ["physical_examination", "Final Diagnosis"]
    assert prediction.steps[1]["tool"] == "Final Diagnosis" and prediction.steps[2]["tool"] == "finish"
    assert prediction.diagnosis == "Acute condition X"
