"""An answer that cannot be parsed never stays in DSPy's answer cache; a good answer does."""

from __future__ import annotations

import json

import dspy
import pytest
from dspy.utils.exceptions import AdapterParseError

from cdmbench.lm import LMSettings, lm_session
from tests.lm.fake_openai import FakeOpenAIServer


def _settings(server: FakeOpenAIServer, tmp_path) -> LMSettings:
    return LMSettings(
        kind="vllm",
        model="served-model",
        api_base=server.api_base,
        num_retries=0,
        cache=True,
        cache_dir=str(tmp_path / "cache"),
    )


def test_a_malformed_answer_is_evicted_and_the_next_session_asks_again(tmp_path):
    answers = iter(["Sorry, no JSON today.", json.dumps({"answer": "A"})])
    with FakeOpenAIServer(lambda body: next(answers)) as server:
        settings = _settings(server, tmp_path)
        with lm_session(settings, data_source="synthetic"), pytest.raises(AdapterParseError):
            dspy.Predict("question -> answer")(question="same")
        dspy.cache.reset_memory_cache()  # a new process: only the disk cache is left
        with lm_session(settings, data_source="synthetic"):
            assert dspy.Predict("question -> answer")(question="same").answer == "A"
        assert len(server.requests) == 2  # the malformed answer was not replayed
        with lm_session(settings, data_source="synthetic"):
            assert dspy.Predict("question -> answer")(question="same").answer == "A"
        assert len(server.requests) == 2  # the good answer is cached


def test_within_a_session_the_same_request_reaches_the_server_again(tmp_path):
    answers = iter(["", json.dumps({"answer": "B"})])  # empty, then a good answer
    with FakeOpenAIServer(lambda body: next(answers)) as server:
        with lm_session(_settings(server, tmp_path), data_source="synthetic"):
            with pytest.raises(AdapterParseError):
                dspy.Predict("question -> answer")(question="again")
            assert dspy.Predict("question -> answer")(question="again").answer == "B"
        assert len(server.requests) == 2
