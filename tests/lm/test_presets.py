"""vLLM presets (usable by `vllm serve --config` and by the client), `cdmbench serve`, and the lm configs."""

from __future__ import annotations

import pytest
import yaml
from omegaconf import OmegaConf

from cdmbench.config import compose, config_dir
from cdmbench.errors import UnknownNameError
from cdmbench.lm import LMServerError, LMSettings, list_presets, load_preset
from cdmbench.lm import serve as serve_module
from cdmbench.lm.serve import serve_command

EXPECTED = {
    "qwen3_4b": "Qwen/Qwen3-4B-Instruct-2507",
    "qwen3_30b_a3b": "Qwen/Qwen3-30B-A3B-Instruct-2507",
    "qwen3_next_80b_a3b": "Qwen/Qwen3-Next-80B-A3B-Instruct",
    "llama3_3_70b": "meta-llama/Llama-3.3-70B-Instruct",
    "gpt_oss_20b": "openai/gpt-oss-20b",
    "mistral_small_3_2_24b": "mistralai/Mistral-Small-3.2-24B-Instruct-2506",
    "medgemma_4b": "google/medgemma-4b-it",
    "medgemma_27b": "google/medgemma-27b-text-it",
    "gemma3_12b": "google/gemma-3-12b-it",
    "gemma3_27b": "google/gemma-3-27b-it",
    "deepseek_r1_distill_qwen_14b": "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B",
    "deepseek_r1_distill_qwen_32b": "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
    "deepseek_r1_distill_llama_70b": "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
    "openbiollm_8b": "aaditya/Llama3-OpenBioLLM-8B",
    "openbiollm_70b": "aaditya/Llama3-OpenBioLLM-70B",
    "meditron_70b": "epfl-llm/meditron-70b",
    "clinicalcamel_70b": "wanglab/ClinicalCamel-70B",
    "nemotron3_nano_30b_a3b": "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16",
    "qwen3_4b_thinking": "Qwen/Qwen3-4B-Thinking-2507",
}
# thinking models: vLLM's reasoning parser (the thought comes back as reasoning_content) and an answer budget
THINKING = {
    "deepseek_r1_distill_qwen_14b": "deepseek_r1",
    "deepseek_r1_distill_qwen_32b": "deepseek_r1",
    "deepseek_r1_distill_llama_70b": "deepseek_r1",
    "gpt_oss_20b": "openai_gptoss",
    "nemotron3_nano_30b_a3b": "nemotron_v3",
    "qwen3_4b_thinking": "deepseek_r1",
}
# `vllm serve` long-form arguments the presets may use (vLLM turns each key into --key and rejects others).
VLLM_ARGS = {
    "model", "served-model-name", "max-model-len", "tensor-parallel-size", "gpu-memory-utilization", "dtype",
    "generation-config", "enable-auto-tool-choice", "tool-call-parser", "reasoning-parser", "chat-template",
    "quantization", "tokenizer-mode", "config-format", "load-format", "trust-remote-code",
    "override-generation-config",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(THINKING))
def test_thinking_presets_name_the_reasoning_parser_and_a_budget(name):
    preset = load_preset(name)
    assert preset.reasoning_parser == THINKING[name]
    assert preset.max_tokens is not None and 8192 <= preset.max_tokens <= preset.max_model_len // 2


def test_every_seed_model_has_a_preset():
    assert set(list_presets()) == set(EXPECTED)
    for name, repo in EXPECTED.items():
        assert load_preset(name).model == repo


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_is_a_plain_vllm_config(name):
    preset = load_preset(name)
    raw = yaml.safe_load(preset.path.read_text())
    assert set(raw) <= VLLM_ARGS, set(raw) - VLLM_ARGS
    for key, value in raw.items():
        assert value is not None and value is not False, f"{name}: {key} would become an invalid CLI flag"
        assert isinstance(value, (str, int, float, bool))
    assert ("tool-call-parser" in raw) == ("enable-auto-tool-choice" in raw)
    assert 2048 <= preset.max_model_len <= 131072
    assert preset.served_name and "/" not in preset.served_name
    if preset.chat_template is not None:
        assert preset.chat_template.is_file()


def test_served_names_are_unique():
    names = [load_preset(n).served_name for n in EXPECTED]
    assert len(set(names)) == len(names)


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="qwen3_4b"):
        load_preset("qwen5")


def test_serve_command_uses_the_preset_file_and_absolute_chat_template():
    preset = load_preset("meditron_70b")
    command = serve_command(preset, "/opt/vllm", "0.0.0.0", 8001, ["--max-num-seqs", "8"])
    assert command[:4] == ["/opt/vllm", "serve", "--config", str(preset.path)]
    template = command[command.index("--chat-template") + 1]
    assert template.startswith("/") and template.endswith("chatml.jinja")
    assert command[-6:] == ["--host", "0.0.0.0", "--port", "8001", "--max-num-seqs", "8"]


def test_serve_without_vllm_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(serve_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(serve_module.sys, "executable", "/nonexistent/bin/python")
    cfg = compose("serve", ["model=qwen3_4b"])
    with pytest.raises(LMServerError, match="uv sync --extra vllm"):
        serve_module.run(cfg)


def test_serve_dry_run_prints_the_command(capsys):
    assert serve_module.run(compose("serve", ["model=qwen3_4b", "dry_run=true", "port=8123"])) == 0
    out = capsys.readouterr().out
    assert out.startswith("vllm serve --config ") and "qwen3_4b.yaml" in out and "--port 8123" in out


def test_serve_config_rejects_unknown_preset():
    cfg = compose("serve", ["model=nope"])
    with pytest.raises(UnknownNameError):
        serve_module.run(cfg)


@pytest.mark.parametrize("group", ["embedded", "vllm", "openai_compatible"])
def test_lm_configs_validate(group):
    node = OmegaConf.load(config_dir() / "lm" / f"{group}.yaml")
    if group == "openai_compatible":
        node.model, node.api_base = "some-model", "https://api.example.com/v1"
    settings = LMSettings.from_config(node)
    assert settings.kind == group
    assert settings.temperature == 0
    assert settings.dialect == ("json_object_schema" if group == "embedded" else "json_schema")


def test_bad_lm_setting_names_the_key():
    from cdmbench.lm import LMSetupError

    with pytest.raises(LMSetupError, match=r"lm\.max_tokens"):
        LMSettings.from_config({"kind": "vllm", "max_tokens": 0})
    with pytest.raises(LMSetupError, match=r"lm\.api_base"):
        LMSettings.from_config({"kind": "vllm", "api_base": "127.0.0.1:8000"})
