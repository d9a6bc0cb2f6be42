"""The programs against a server that decodes like vLLM's structured outputs (tests/lm/constrained_lm.py).

Each test runs a real program through the real LM layer (``lm_session``, ``SchemaJSONAdapter``, ``TranscriptLM``)
over HTTP on 127.0.0.1, with faults scripted at chosen calls: a step cut off at ``max_tokens``, malformed or
empty text, a reasoning model's ``reasoning_content`` or ``<think>`` block.
"""

from __future__ import annotations

import json

import dspy
import pytest

from cdmbench.lm import LMSettings, lm_session
from cdmbench.programs import CdmAgent, DiagnosisOnly, FullInfo, program_input
from cdmbench.runs.executor import run_case
from tests.lm.constrained_lm import ConstrainedLM, Reply, Script

LEAKS = ("Traceback", "Execution error", 'File "', ".py", "Error:", "Exception")


def _run(program, case, script: Script, transcript: bool = True) -> tuple[dict, ConstrainedLM]:
    with ConstrainedLM(script) as server:
        settings = LMSettings(
            kind="vllm", model="served-model", api_base=server.api_base, cache=False, num_retries=0, max_tokens=400
        )
        with lm_session(settings, data_source="synthetic"), dspy.context(disable_history=True, track_usage=True):
            record = run_case(program, case, program_input, transcript=transcript)
    return record, server


def _observations(record: dict) -> list[str]:
    return [str(v) for k, v in record["trajectory"].items() if k.startswith("observation_")]


def test_examination_and_finish_carry_no_arguments_and_observations_are_clean(case):
    record, server = _run(CdmAgent(max_iters=6), case, Script())
    assert record["status"] == "ok"
    assert record["tool_calls"] == [
        {"name": "physical_examination", "args": {}},
        {"name": "laboratory_tests", "args": {"tests": ["CBC", "CRP", "Lipase"]}},
        {"name": "imaging", "args": {"region": "Abdomen", "modality": "Ultrasound"}},
    ]
    finish = [s for s in record["steps"] if s["tool"] == "finish"]
    assert finish and finish[0]["args"] == {}
    for observation in _observations(record):
        assert not any(leak in observation for leak in LEAKS), observation
    step_requests = [b for b in server.requests if "next_tool_name" in json.dumps(b.get("response_format"))]
    schema = step_requests[0]["response_format"]["json_schema"]["schema"]["properties"]["next_tool_args"]
    assert {"type": "object", "properties": {}, "additionalProperties": False} in schema["anyOf"]
    assert record["diagnosis"] == "Acute appendicitis" and record["parsing"] == {
        "action": 0,
        "diagnosis": 0,
        "treatment": 0,
    }


@pytest.mark.parametrize(
    "fault,kind",
    [
        (Reply(truncate=True, value={"next_thought": "x" * 80, "next_tool_name": "imaging"}), "truncated"),
        (Reply(text='{"next_thought": "I will order"'), "malformed"),
        (Reply(text="I think the patient needs imaging."), "malformed"),
        (Reply(text=""), "empty"),
    ],
    ids=["truncated", "cut-json", "prose", "empty"],
)
def test_an_unreadable_step_is_recorded_and_the_case_goes_on(case, fault, kind):
    record, _ = _run(CdmAgent(max_iters=6), case, Script(overrides={("step", 2, 0): fault}))
    assert record["status"] == "ok", record.get("error")
    names = [c["name"] for c in record["tool_calls"]]
    assert names[:2] == ["physical_examination", "laboratory_tests"]  # the earlier calls are kept
    assert names[2] == "unreadable_step"  # a broken action is an invalid action (CDMv1)
    failed = [s for s in record["steps"] if s["status"] == "format_error"]
    assert len(failed) == 1 and failed[0]["reason"] == kind
    if kind != "empty":
        assert failed[0]["raw"]  # the raw text is kept in the record
    assert record["parsing"]["action"] == 1
    assert record["diagnosis"] == "Acute appendicitis" and record["treatments"]
    for observation in _observations(record):
        assert not any(leak in observation for leak in LEAKS), observation
    if kind == "truncated":
        assert any(call.get("finish_reason") == "length" for call in record["transcript"])


def test_reasoning_content_is_kept_per_step_and_in_the_transcript(case):
    record, _ = _run(CdmAgent(max_iters=6), case, Script(reasoning="weighing the findings"))
    assert record["status"] == "ok"
    assert all(s.get("reasoning_content", "").startswith("weighing the findings") for s in record["steps"])
    assert all(call.get("reasoning_content") for call in record["transcript"])


def test_a_think_block_is_split_off_the_answer(case):
    record, _ = _run(FullInfo(), case, Script(reasoning="long thought", think_in_content=True))
    assert record["status"] == "ok" and record["diagnosis"] == "Acute appendicitis"
    call = record["transcript"][0]
    assert call["reasoning_content"].startswith("long thought") and "<think>" not in call["completion"]


def test_a_truncated_thought_is_a_format_failure_of_its_step(case):
    script = Script(overrides={("step", 1, 0): Reply(text="<think>first I should consider the differen")})
    record, _ = _run(CdmAgent(max_iters=6), case, script)
    assert record["status"] == "ok"
    assert [s["status"] for s in record["steps"]][1] == "format_error"


def test_the_transcript_keeps_each_call_and_drops_messages_on_request(case):
    record, _ = _run(DiagnosisOnly(), case, Script())
    (call,) = record["transcript"]
    assert call["messages"][-1]["role"] == "user" and call["finish_reason"] == "stop"
    assert call["usage"]["completion_tokens"] > 0 and call["latency_s"] >= 0 and call["completion"]
    record, _ = _run(DiagnosisOnly(), case, Script(), transcript=False)
    (call,) = record["transcript"]
    assert "messages" not in call and call["completion"] and call["finish_reason"] == "stop"


@pytest.mark.parametrize(
    "program", [CdmAgent(max_iters=6), FullInfo(), DiagnosisOnly()], ids=lambda p: type(p).__name__
)
def test_an_unreadable_diagnosis_is_a_format_error_that_keeps_what_was_gathered(case, program):
    script = Script(overrides={("diagnose", 0, 0): Reply(text="The diagnosis is probably")})
    record, _ = _run(program, case, script)
    assert record["status"] == "error" and record["error_kind"] == "format_error"
    assert record["parsing"]["diagnosis"] == 1 and record["failure"]["raw"] == "The diagnosis is probably"
    if isinstance(program, CdmAgent):
        assert [c["name"] for c in record["tool_calls"]][:3] == ["physical_examination", "laboratory_tests", "imaging"]
    assert record["transcript"]  # the partial transcript is kept


def test_an_unreadable_summary_or_plan_does_not_fail_the_case(case):
    script = Script(
        overrides={("synthesize", 0, 0): Reply(text="{"), ("treat", 0, 0): Reply(truncate=True, value={"x": "y" * 99})}
    )
    record, _ = _run(FullInfo(), case, script)
    assert record["status"] == "ok" and record["diagnosis"] == "Acute appendicitis"
    assert record["treatments"] == [] and record["parsing"]["treatment"] == 1


def test_an_unreachable_lm_is_an_lm_error_with_the_partial_trajectory(case):
    script = Script(overrides={("step", 2, 0): Reply(status=500)})
    record, _ = _run(CdmAgent(max_iters=6), case, script)
    assert record["status"] == "error" and record["error_kind"] == "lm_error"
    assert [c["name"] for c in record["tool_calls"]] == ["physical_examination", "laboratory_tests"]
