"""The schema adapter: the JSON schema it builds and the response_format it sends in each dialect."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import dspy
import pydantic
import pytest

from cdmbench.lm import SchemaJSONAdapter, output_json_schema, response_format_for


class Finding(pydantic.BaseModel):
    name: str
    abnormal: bool


class Workup(dspy.Signature):
    """Plan the work-up."""

    history: str = dspy.InputField()
    plan: str = dspy.OutputField()
    tool: Literal["physical_examination", "laboratory_tests", "imaging"] = dspy.OutputField()
    args: dict[str, Any] = dspy.OutputField()
    findings: list[Finding] = dspy.OutputField()
    tests: list[str] = dspy.OutputField()


def test_schema_requires_every_field_and_caps_free_text():
    schema = output_json_schema(Workup, max_text_chars=200)
    assert schema["type"] == "object"
    assert schema["required"] == ["plan", "tool", "args", "findings", "tests"]
    assert schema["additionalProperties"] is False
    props = schema["properties"]
    assert props["plan"] == {"type": "string", "maxLength": 200}
    assert props["tool"]["enum"] == ["physical_examination", "laboratory_tests", "imaging"]
    assert "maxLength" not in props["tool"]
    assert props["args"] == {"type": "object"}  # open mapping: any keys, not forced empty
    assert props["tests"]["items"] == {"type": "string", "maxLength": 200}


def test_nested_models_are_inlined_and_closed():
    schema = output_json_schema(Workup)
    item = schema["properties"]["findings"]["items"]
    assert "$ref" not in str(schema) and "$defs" not in schema
    assert item["required"] == ["name", "abnormal"] and item["additionalProperties"] is False
    assert item["properties"]["name"] == {"type": "string"}  # no cap without max_text_chars


def test_dialects():
    sig = dspy.Signature("question -> answer")
    vllm = response_format_for(sig, "json_schema", 50)
    assert vllm["type"] == "json_schema"
    assert vllm["json_schema"]["schema"]["properties"]["answer"]["maxLength"] == 50
    assert vllm["json_schema"]["name"]
    llama = response_format_for(sig, "json_object_schema", 50)
    assert llama == {"type": "json_object", "schema": vllm["json_schema"]["schema"]}
    assert response_format_for(sig, "json_object") == {"type": "json_object"}
    assert response_format_for(sig, "none") is None
    with pytest.raises(ValueError, match="unknown schema dialect"):
        response_format_for(sig, "xml")


def test_react_signature_gets_a_full_schema_with_tool_names():
    def imaging(region: str, modality: str) -> str:
        """Request imaging."""
        return "done"

    react = dspy.ReAct("history -> diagnosis", tools=[imaging], max_iters=2)
    schema = output_json_schema(react.react.signature, max_text_chars=300)
    props = schema["properties"]
    assert props["next_tool_name"]["enum"] == ["imaging", "finish"]
    assert props["next_tool_args"] == {"type": "object"}
    assert props["next_thought"]["maxLength"] == 300


def test_adapter_rejects_unknown_dialect():
    with pytest.raises(ValueError):
        SchemaJSONAdapter("yaml")


BRANCHES = {"anyOf": [{"type": "object", "properties": {}, "additionalProperties": False}]}


class Step(dspy.Signature):
    """Act."""

    history: str = dspy.InputField()
    args: Annotated[dict, pydantic.WithJsonSchema(BRANCHES)] = dspy.OutputField()
    open_args: dict[str, Any] = dspy.OutputField()


def test_a_closed_empty_object_admits_only_braces_and_with_json_schema_is_sent():
    props = output_json_schema(Step)["properties"]
    assert props["args"]["anyOf"] == [{"type": "object", "properties": {}, "additionalProperties": False}]
    assert props["open_args"] == {"type": "object"}


def test_think_blocks_are_split_off():
    from cdmbench.lm.transcript import split_think

    assert split_think("<think>weigh it</think>\n{}") == ("\n{}", "weigh it")
    assert split_think("  <think>cut off mid-thou") == ("", "cut off mid-thou")
    assert split_think('{"a": 1}') == ('{"a": 1}', None)


def test_lists_get_max_items_when_capped():
    class Plan(dspy.Signature):
        """Plan."""

        history: str = dspy.InputField()
        tests: list[str] = dspy.OutputField()
        note: str = dspy.OutputField()

    capped = output_json_schema(Plan, max_text_chars=200, max_list_items=6)["properties"]
    assert capped["tests"]["maxItems"] == 6 and capped["tests"]["items"]["maxLength"] == 200
    assert capped["note"]["maxLength"] == 200
    assert "maxItems" not in output_json_schema(Plan)["properties"]["tests"]
    fmt = response_format_for(Plan, "json_object_schema", 200, 6)
    assert fmt["schema"]["properties"]["tests"]["maxItems"] == 6
