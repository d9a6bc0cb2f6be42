"""Fixtures for the LM layer: a recording OpenAI-compatible server, DSPy's cache restored after each test."""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import pytest

from tests.lm.fake_openai import FakeOpenAIServer, answer_from_schema


@pytest.fixture
def fake_server():
    """A fake vLLM on loopback serving ``served-model`` and answering to each request's schema."""
    with FakeOpenAIServer(answer_from_schema) as server:
        yield server
