"""``lm.max_tokens``: null sends a thinking preset's budget (else the kind's default); an explicit lower one warns."""

from __future__ import annotations

import pytest
from loguru import logger

from cdmbench.config import compose
from cdmbench.lm import LMSettings, answer_budget, build_lm, list_presets, load_preset
from cdmbench.lm.settings import DEFAULT_MAX_TOKENS


@pytest.fixture
def warnings():
    logged: list[str] = []
    sink = logger.add(logged.append, level="WARNING", format="{message}")
    yield logged
    logger.remove(sink)


def _vllm(*overrides: str) -> LMSettings:
    return LMSettings.from_config(compose("evaluate", ["lm=vllm", *overrides]).lm)


def test_the_vllm_config_leaves_max_tokens_to_the_preset():
    assert _vllm().max_tokens is None


@pytest.mark.parametrize("name", ["qwen3_4b_thinking", "deepseek_r1_distill_qwen_14b", "gpt_oss_20b"])
def test_a_thinking_preset_sends_its_budget_by_default(name, warnings):
    settings = _vllm(f"lm.preset={name}", "lm.cache=false")
    lm, _adapter = build_lm(settings)
    assert answer_budget(settings) == load_preset(name).max_tokens == 16384
    assert lm.kwargs["max_tokens"] == 16384
    assert not [w for w in warnings if "thinking budget" in w]


def test_a_preset_without_a_budget_keeps_the_previous_default():
    settings = _vllm("lm.preset=qwen3_4b", "lm.cache=false")
    assert answer_budget(settings) == DEFAULT_MAX_TOKENS["vllm"] == 4096
    assert build_lm(settings)[0].kwargs["max_tokens"] == 4096
    assert answer_budget(LMSettings(kind="openai_compatible", model="m", api_base="http://10.0.0.1/v1")) == 4096


def test_an_explicit_lower_max_tokens_is_kept_and_warns(warnings):
    settings = _vllm("lm.preset=qwen3_4b_thinking", "lm.max_tokens=2048", "lm.cache=false")
    assert build_lm(settings)[0].kwargs["max_tokens"] == 2048
    assert any("below the thinking budget" in w and "16384" in w for w in warnings)


def test_an_explicit_higher_max_tokens_is_kept(warnings):
    settings = _vllm("lm.preset=qwen3_4b_thinking", "lm.max_tokens=20000", "lm.cache=false")
    assert build_lm(settings)[0].kwargs["max_tokens"] == 20000
    assert not warnings


@pytest.mark.parametrize("name", list_presets())
def test_a_preset_names_a_reasoning_parser_exactly_when_it_has_a_thinking_budget(name):
    preset = load_preset(name)
    assert (preset.reasoning_parser is None) == (preset.max_tokens is None), name
    if preset.max_tokens is not None:
        assert preset.max_tokens < preset.max_model_len  # the default budget always fits
