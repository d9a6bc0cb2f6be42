"""The programs with DummyLM: the prediction fields, the ReAct trajectory and its tool_calls record."""

from __future__ import annotations

import copy
import json
import threading

import dspy
import pytest
from dspy.utils.dummies import DummyLM

from cdmbench.cases import Case
from cdmbench.environment import CaseEnvironment
from cdmbench.programs import CdmAgent, DiagnosisOnly, FullInfo, LabInterpretation, lab_dictionary, use_environment
from cdmbench.programs.tools import case_tools

SYNTH = {"summary": "Febrile patient with postprandial pain and leukocytosis."}
DIAG = {"reasoning": "r", "diagnosis": "Acute condition X", "differential": ["Condition Y", "Condition Z"]}
TREAT = {"reasoning": "r", "treatments": ["IV fluids", "Analgesia", "Procedure P"]}


def _step(name: str, args: dict) -> dict:
    return {"next_thought": f"call {name}", "next_tool_name": name, "next_tool_args": args}


def _check_common(prediction: dspy.Prediction) -> None:
    assert isinstance(prediction.diagnosis, str)
    assert isinstance(prediction.treatments, list)
    assert isinstance(prediction.tool_calls, list)
    json.dumps(dict(prediction.items()))  # everything JSON-serializable


def test_full_info(case: Case) -> None:
    lm = DummyLM([SYNTH, DIAG, TREAT])
    with dspy.context(lm=lm):
        prediction = FullInfo(order="lpi")(case=case)
    _check_common(prediction)
    assert prediction.diagnosis == "Acute condition X"
    assert prediction.differential == ["Condition Y", "Condition Z"]
    assert prediction.treatments == ["IV fluids", "Analgesia", "Procedure P"]
    assert prediction.tool_calls == [] and prediction.trajectory == {}
    first_prompt = lm.history[0]["messages"][-1]["content"]
    assert first_prompt.index("Laboratory results:") < first_prompt.index("Physical examination:")
    assert "(Blood) Lipase: 32.0 IU/L | RR: [0.0 - 60.0]" in first_prompt
    assert "SECRET" not in json.dumps([h["messages"] for h in lm.history])


def test_diagnosis_only(case: Case) -> None:
    lm = DummyLM([DIAG])
    with dspy.context(lm=lm):
        prediction = DiagnosisOnly()(case=case)
    _check_common(prediction)
    assert prediction.diagnosis == "Acute condition X"
    assert prediction.treatments == [] and prediction.tool_calls == []
    prompt = lm.history[0]["messages"][-1]["content"]
    assert "Patient history:" in prompt and "Imaging:" in prompt and "Lungs are clear." in prompt
    assert len(lm.history) == 1


def test_lab_interpretation(case: Case) -> None:
    answers = [{"interpretation": a} for a in ("high", "low", "normal", "high")]
    with dspy.context(lm=DummyLM(answers)):
        prediction = LabInterpretation()(case=case)
    _check_common(prediction)
    assert prediction.diagnosis == "" and prediction.treatments == [] and prediction.tool_calls == []
    rows = prediction.interpretations
    assert [r["itemid"] for r in rows] == [51301, 51222, 50956, 50885]  # specific gravity has no range
    assert [r["predicted"] for r in rows] == ["high", "low", "normal", "high"]
    assert [r["expected"] for r in rows] == ["high", "normal", "normal", "high"]
    assert rows[0]["reference_range"] == "[4.0 - 10.0]"


def _agent_answers() -> list[dict]:
    return [
        _step("physical_examination", {}),
        _step("laboratory_tests", {"tests": ["CBC", 50956]}),
        _step("order_ct", {"what": "abdomen"}),  # not a tool: recorded invalid, the episode goes on
        _step("imaging", {"region": "Abdomen", "modality": "US"}),
        _step("imaging", {"region": "abdominal", "modality": "ultrasound"}),
        _step("finish", {}),
        {"reasoning": "r", "findings": "Tender right upper abdomen, WBC 15.1."},
        SYNTH,
        DIAG,
        TREAT,
    ]


def test_cdm_agent_records_tool_calls_from_the_environment(case: Case) -> None:
    lm = DummyLM(_agent_answers())
    with dspy.context(lm=lm):
        prediction = CdmAgent(max_iters=10, free_tool_names=True)(case=case)
    _check_common(prediction)
    assert prediction.tool_calls == [
        {"name": "physical_examination", "args": {}},
        {"name": "laboratory_tests", "args": {"tests": ["CBC", 50956]}},
        {"name": "order_ct", "args": {"what": "abdomen"}},
        {"name": "imaging", "args": {"region": "Abdomen", "modality": "US"}},
        {"name": "imaging", "args": {"region": "abdominal", "modality": "ultrasound"}},
    ]
    trajectory = prediction.trajectory
    assert trajectory["tool_name_2"] == "order_ct"
    assert "Unknown tool 'order_ct'" in trajectory["observation_2"]
    assert trajectory["observation_3"].endswith("First ultrasound findings.")
    assert trajectory["observation_4"].endswith("Second ultrasound findings.")  # a repeat gets the next report
    assert trajectory["tool_name_5"] == "finish"
    assert prediction.observations[1].startswith("(Blood) White Blood Cells: 15.1 K/uL")
    assert prediction.findings == "Tender right upper abdomen, WBC 15.1."
    assert prediction.diagnosis == "Acute condition X"
    assert prediction.treatments == ["IV fluids", "Analgesia", "Procedure P"]
    json.dumps(trajectory)


def test_cdm_agent_stops_at_max_iters(case: Case) -> None:
    answers = [_step("physical_examination", {})] * 2 + [{"reasoning": "r", "findings": "f"}, SYNTH, DIAG, TREAT]
    with dspy.context(lm=DummyLM(answers)):
        prediction = CdmAgent(max_iters=2)(case=case)
    assert prediction.tool_calls == [{"name": "physical_examination", "args": {}}] * 2


def test_cdm_agent_prompt_lists_the_tools_and_hides_ground_truth(case: Case) -> None:
    lm = DummyLM(_agent_answers())
    with dspy.context(lm=lm):
        CdmAgent(free_tool_names=True)(case=case)
    system = lm.history[0]["messages"][0]["content"]
    for name in ("physical_examination", "laboratory_tests", "imaging", "finish"):
        assert name in system
    assert "SECRET" not in json.dumps([h["messages"] for h in lm.history])


def test_one_program_object_serves_many_cases_and_can_be_copied(case: Case) -> None:
    program = CdmAgent(free_tool_names=True)
    for _ in range(2):
        with dspy.context(lm=DummyLM(_agent_answers())):
            assert len(program(case=case).tool_calls) == 5
    clone = copy.deepcopy(program)
    with dspy.context(lm=DummyLM(_agent_answers())):
        assert len(clone(case=case).tool_calls) == 5
    assert program.dump_state()  # saveable DSPy state


def test_tools_dispatch_to_the_environment_of_their_own_thread(case: Case) -> None:
    tools = {tool.name: tool for tool in case_tools()}
    other = case.model_copy(update={"physical_exam_text": "Other patient's exam."})
    seen: dict[str, str] = {}

    def run(key: str, c: Case) -> None:
        with use_environment(CaseEnvironment(c, lab_dictionary())):
            seen[key] = tools["physical_examination"]()

    threads = [threading.Thread(target=run, args=(k, c)) for k, c in (("a", case), ("b", other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["b"] == "Other patient's exam."
    assert seen["a"].startswith("T 38.4")
    with pytest.raises(RuntimeError, match="outside a program's forward"):
        tools["imaging"](region="Abdomen", modality="CT")


def test_tool_descriptions_never_name_the_benchmark_conditions() -> None:
    from tests.signatures.test_signatures import LEAKY_STEMS

    text = json.dumps([[tool.name, tool.desc, tool.args] for tool in case_tools()]).lower()
    for stem in ("appendicitis", "cholecystitis", "diverticulitis", "pancreatitis", *LEAKY_STEMS):
        if stem != "abdom":  # Abdomen is one of the regions the imaging tool offers
            assert stem not in text, stem


def test_cdm_agent_constrains_tool_names_and_types_tool_arguments_by_default() -> None:
    from typing import get_args

    from cdmbench.lm.adapter import output_json_schema

    signature = CdmAgent().gather.react.signature
    assert set(get_args(signature.output_fields["next_tool_name"].annotation)) == {
        "physical_examination",
        "laboratory_tests",
        "imaging",
        "finish",
    }
    schema = output_json_schema(signature, 300)
    assert schema["properties"]["next_tool_name"]["enum"]
    branches = schema["properties"]["next_tool_args"]["anyOf"]
    # one closed branch per argument set: {} (examination, finish), {tests}, {region, modality}
    assert [sorted(b["properties"]) for b in branches] == [[], ["tests"], ["modality", "region"]]
    assert all(b["additionalProperties"] is False and b.get("required", []) == list(b["properties"]) for b in branches)
    free = CdmAgent(free_tool_names=True).gather.react.signature
    assert free.output_fields["next_tool_name"].annotation is str
