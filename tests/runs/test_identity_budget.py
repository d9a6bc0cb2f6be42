"""A run's identity records the ``max_tokens`` that is sent: a null ``lm.max_tokens`` reads as the budget it means."""

from __future__ import annotations

from cdmbench.config import compose
from cdmbench.runs.identity import run_identity


def _identity(*overrides: str) -> dict:
    return run_identity(compose("evaluate", ["lm=vllm", *overrides]), [])


def test_a_null_max_tokens_is_the_budget_it_sends():
    assert _identity()["lm"]["max_tokens"] == 4096
    assert _identity("lm.preset=qwen3_4b_thinking")["lm"]["max_tokens"] == 16384


def test_a_run_made_with_the_old_explicit_default_still_matches():
    assert _identity() == _identity("lm.max_tokens=4096")
    assert _identity("lm.preset=qwen3_4b_thinking") != _identity("lm.preset=qwen3_4b_thinking", "lm.max_tokens=4096")
