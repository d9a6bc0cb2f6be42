"""``CaseReAct`` unit logic with DSPy's DummyLM: a failing tool and stray arguments."""

from __future__ import annotations

import dspy
from dspy.utils.dummies import DummyLM

from cdmbench.environment.lab_tool import LabTool
from cdmbench.programs import CdmAgent


def _step(name: str, args: dict) -> dict:
    return {"next_thought": f"call {name}", "next_tool_name": name, "next_tool_args": args}


ANSWERS = [
    _step("physical_examination", {"region": "Abdomen"}),  # a stray argument: recorded, never passed on
    _step("laboratory_tests", {"tests": ["CBC"]}),
    _step("finish", {"reason": "done"}),
    {"reasoning": "r", "findings": "tender abdomen"},
    {"summary": "abdominal pain"},
    {"reasoning": "r", "diagnosis": "Acute appendicitis", "differential": []},
    {"reasoning": "r", "treatments": ["Appendectomy"]},
]


def test_a_failing_tool_reads_as_a_clinical_message_and_is_an_invalid_action(case, monkeypatch):
    def broken(self, tests):
        raise RuntimeError("/opt/cdmbench/environment/lab_tool.py: KeyError in the parser")

    monkeypatch.setattr(LabTool, "request", broken)
    with dspy.context(lm=DummyLM(ANSWERS)):
        prediction = CdmAgent(max_iters=5)(case=case)
    observation = prediction.trajectory["observation_1"]
    assert observation.startswith("The laboratory_tests request could not be carried out.")
    for leak in ("RuntimeError", "KeyError", ".py", "Traceback", "Execution error"):
        assert leak not in observation
    steps = prediction.steps
    assert steps[1]["status"] == "tool_error" and steps[1]["reason"] == "RuntimeError"
    assert prediction.tool_calls[0] == {"name": "physical_examination", "args": {"region": "Abdomen"}}
    assert prediction.tool_calls[1]["name"] == "laboratory_tests"
    assert steps[2] == {**steps[2], "tool": "finish", "args": {"reason": "done"}}
    assert prediction.trajectory["observation_2"] == "Completed."
    assert prediction.diagnosis == "Acute appendicitis"


def test_a_failed_examination_scores_as_an_invalid_call_not_an_examination(case, monkeypatch):
    from cdmbench.environment import CaseEnvironment
    from cdmbench.metrics import score_case
    from tests.environment.conftest import make_case

    monkeypatch.setattr(CaseEnvironment, "call", _failing_examination(CaseEnvironment.call))
    answers = [_step("physical_examination", {}), *ANSWERS[1:]]
    with dspy.context(lm=DummyLM(answers)):
        prediction = CdmAgent(max_iters=5)(case=case)
    assert prediction.tool_calls[0] == {"name": "physical_examination", "args": {}, "failed": True}
    record = {"diagnosis": prediction.diagnosis, "treatments": [], "tool_calls": prediction.tool_calls}
    score = score_case(make_case(), record)
    assert (score.scores.physical_examination, score.scores.late_physical_examination) == (0, 0)
    assert score.scores.invalid_tools == 1
    assert "the physical_examination call failed" in score.explanations["invalid_tools"]


def _failing_examination(call):
    def wrapped(self, name, args=None):
        if name == "physical_examination":
            raise RuntimeError("the examination could not be read")
        return call(self, name, args)

    return wrapped
