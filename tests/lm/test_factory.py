"""build_lm and lm_session against a real HTTP server on loopback standing in for vLLM."""

from __future__ import annotations

import json

import dspy
import pytest

from cdmbench.lm import (
    DataUseError,
    LMServerError,
    LMSettings,
    LMSetupError,
    build_lm,
    cache_dir_for,
    lm_session,
    load_preset,
)
from tests.lm.fake_openai import FakeOpenAIServer, schema_of


def vllm_settings(server: FakeOpenAIServer, tmp_path, **overrides) -> LMSettings:
    values = {
        "kind": "vllm",
        "model": "served-model",
        "api_base": server.api_base,
        "max_tokens": 321,
        "num_retries": 2,
        "cache": False,
        "cache_dir": str(tmp_path / "cache"),
    }
    return LMSettings(**(values | overrides))


def test_request_carries_served_name_max_tokens_and_json_schema(fake_server, tmp_path):
    lm, adapter = build_lm(vllm_settings(fake_server, tmp_path))
    with dspy.context(lm=lm, adapter=adapter):
        result = dspy.Predict("question -> answer")(question="Which organ?")
    assert result.answer == "answer text"
    body = fake_server.bodies[-1]
    assert body["model"] == "served-model"
    assert body["max_tokens"] == 321 and "max_completion_tokens" not in body
    assert body["temperature"] == 0
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["schema"]["required"] == ["answer"]


def test_embedded_dialect_sends_json_object_with_schema(fake_server, tmp_path):
    settings = vllm_settings(fake_server, tmp_path, schema_dialect="json_object_schema", max_text_chars=120)
    lm, adapter = build_lm(settings)
    with dspy.context(lm=lm, adapter=adapter):
        dspy.Predict("question -> answer")(question="q")
    fmt = fake_server.bodies[-1]["response_format"]
    assert fmt["type"] == "json_object"
    assert fmt["schema"]["properties"]["answer"] == {"type": "string", "maxLength": 120}


def test_react_runs_with_a_schema_on_every_call(fake_server, tmp_path):
    calls = []

    def physical_examination() -> str:
        """Examine the patient."""
        calls.append("pe")
        return "tender right lower quadrant"

    def answer(body):
        props = schema_of(body)["properties"]
        if "next_tool_name" in props:
            done = any("tender right lower quadrant" in str(m.get("content")) for m in body["messages"])
            if done:
                return json.dumps({"next_thought": "enough", "next_tool_name": "finish", "next_tool_args": {}})
            return json.dumps(
                {"next_thought": "examine", "next_tool_name": "physical_examination", "next_tool_args": {}}
            )
        return json.dumps({"reasoning": "r", "diagnosis": "Acute appendicitis"})

    fake_server.answer = answer
    lm, adapter = build_lm(vllm_settings(fake_server, tmp_path))
    with dspy.context(lm=lm, adapter=adapter):
        result = dspy.ReAct("history -> diagnosis", tools=[physical_examination], max_iters=4)(history="pain")
    assert result.diagnosis == "Acute appendicitis"
    assert calls == ["pe"]
    assert len(fake_server.bodies) == 3  # two ReAct steps, one extract
    for body in fake_server.bodies:
        assert body["response_format"]["type"] == "json_schema"
    react_props = schema_of(fake_server.bodies[0])["properties"]
    assert react_props["next_tool_name"]["enum"] == ["physical_examination", "finish"]
    assert react_props["next_tool_args"] == {"type": "object"}


def test_http_500_is_retried(fake_server, tmp_path):
    fake_server.fail_next = 2
    lm, adapter = build_lm(vllm_settings(fake_server, tmp_path, num_retries=2))
    with dspy.context(lm=lm, adapter=adapter):
        result = dspy.Predict("question -> answer")(question="q")
    assert result.answer == "answer text"
    assert len(fake_server.requests) == 3


def test_persistent_http_500_gives_up_with_a_clear_error(fake_server, tmp_path):
    fake_server.fail_next = 100
    lm, adapter = build_lm(vllm_settings(fake_server, tmp_path, num_retries=1))
    with dspy.context(lm=lm, adapter=adapter), pytest.raises(dspy.LMError) as info:
        dspy.Predict("question -> answer")(question="q")
    assert len(fake_server.requests) == 2
    assert "engine overloaded" in str(info.value) and "served-model" in str(info.value)


def test_each_served_model_has_its_own_cache_dir(tmp_path):
    settings = LMSettings(kind="vllm", model="a", cache_dir=str(tmp_path))
    a = cache_dir_for(settings, "qwen3-4b", "http://127.0.0.1:8000/v1")
    b = cache_dir_for(settings, "llama-3.3-70b-instruct", "http://127.0.0.1:8000/v1")
    c = cache_dir_for(settings, "qwen3-4b", "http://10.0.0.7:8000/v1")
    assert len({a, b, c}) == 3
    assert all(p.parent == tmp_path for p in (a, b, c))
    # the embedded server's port changes every run; its cache must not
    assert cache_dir_for(settings, "m", "http://127.0.0.1:1234/v1") == cache_dir_for(
        settings, "m", "http://127.0.0.1:4321/v1"
    )


def test_session_caches_answers_per_model_and_cache_false_turns_it_off(tmp_path):
    with FakeOpenAIServer(json.dumps({"answer": "A"}), served=("model-a", "model-b")) as server:
        settings = vllm_settings(server, tmp_path, cache=True)
        for served in ("model-a", "model-a", "model-b"):
            with lm_session(settings.model_copy(update={"model": served}), data_source="synthetic") as session:
                assert dspy.Predict("question -> answer")(question="same").answer == "A"
                assert session.description["cache_dir"].endswith(f"vllm--{served}--127.0.0.1")
        assert len(server.requests) == 2  # the second model-a run came from its cache
        with lm_session(settings.model_copy(update={"cache": False, "model": "model-a"}), "synthetic") as session:
            dspy.Predict("question -> answer")(question="same")
            assert session.description["cache_dir"] is None
        assert len(server.requests) == 3
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        "vllm--model-a--127.0.0.1",
        "vllm--model-b--127.0.0.1",
    ]


def test_session_sets_dspy_context_and_describes_the_lm_without_secrets(fake_server, tmp_path, monkeypatch):
    monkeypatch.setenv("CDMBENCH_TEST_KEY", "sk-very-secret")
    settings = vllm_settings(fake_server, tmp_path, api_key_env="CDMBENCH_TEST_KEY")
    with lm_session(settings, data_source="mimic-iv") as session:
        assert dspy.settings.lm is session.lm and dspy.settings.adapter is session.adapter
        dspy.Predict("question -> answer")(question="q")
    assert dspy.settings.lm is not session.lm
    assert fake_server.requests[-1]["headers"]["Authorization"] == "Bearer sk-very-secret"
    text = json.dumps(session.description)
    assert "sk-very-secret" not in text and "CDMBENCH_TEST_KEY" not in text
    assert session.description["model"] == "hosted_vllm/served-model"
    assert session.description["api_base"] == fake_server.api_base


def test_session_refuses_credentialed_data_for_a_public_endpoint_before_connecting(tmp_path):
    settings = LMSettings(kind="openai_compatible", model="gpt-x", api_base="https://api.example.com/v1")
    with pytest.raises(DataUseError), lm_session(settings, data_source="mimic-iv"):
        pass
    with pytest.raises(DataUseError), lm_session(settings, data_source=None):
        pass


def test_session_fails_fast_when_the_server_is_down_or_serves_another_model(fake_server, tmp_path):
    other = vllm_settings(fake_server, tmp_path, model="other")
    with pytest.raises(LMServerError, match=r"serves \['served-model'\], not 'other'"), lm_session(other, "synthetic"):
        pass
    dead = LMSettings(kind="vllm", model="m", api_base="http://127.0.0.1:9/v1", cache=False)
    with pytest.raises(LMServerError, match="no LM server answers"), lm_session(dead, "synthetic"):
        pass


def test_vllm_settings_take_the_served_name_from_the_preset(tmp_path):
    preset = load_preset("qwen3_4b")
    lm, adapter = build_lm(LMSettings(kind="vllm", preset="qwen3_4b", cache=False))
    assert lm.model == f"hosted_vllm/{preset.served_name}"
    assert lm.kwargs["api_base"] == "http://127.0.0.1:8000/v1"
    assert adapter.dialect == "json_schema"
    with pytest.raises(LMSetupError, match="max-model-len"):
        build_lm(LMSettings(kind="vllm", preset="meditron_70b", max_tokens=8192))
    with pytest.raises(LMSetupError, match=r"lm\.preset"):
        build_lm(LMSettings(kind="vllm"))


def test_missing_api_key_variable_is_a_setup_error(monkeypatch):
    monkeypatch.delenv("CDMBENCH_MISSING_KEY", raising=False)
    settings = LMSettings(
        kind="openai_compatible", model="m", api_base="http://10.0.0.1/v1", api_key_env="CDMBENCH_MISSING_KEY"
    )
    with pytest.raises(LMSetupError, match="CDMBENCH_MISSING_KEY"):
        build_lm(settings)
