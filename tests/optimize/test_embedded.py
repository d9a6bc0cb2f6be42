"""End to end with the real embedded CPU model: optimize (bootstrap_fewshot, 2 train cases), reload, evaluate."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = [pytest.mark.embedded_lm, pytest.mark.usefixtures("shared_embedded_server")]


def _skip_without_embedded_lm() -> None:
    try:
        import cdmbench.lm  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the installation
        pytest.skip(f"cdmbench.lm is not available ({exc})")
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: the embedded model cannot run")


def test_optimize_with_the_embedded_model_then_reload(tmp_path, splits_dir) -> None:
    _skip_without_embedded_lm()
    from cdmbench.config import compose
    from cdmbench.optimize import load_bundle, read_bundle
    from cdmbench.optimize.command import run

    overrides = [
        f"train={splits_dir / 'train.json'}",
        f"dev={splits_dir / 'dev.json'}",
        "train_limit=2",  # two bootstrap rounds of the real model keep the suite short on 2 cores
        "dev_limit=2",
        "program=full_info",
        "lm=embedded",
        f"lm.cache_dir={tmp_path / 'cache'}",
        "lm.max_text_chars=80",  # shorter free text and lists: fewer tokens of the tiny model per call
        "lm.max_list_items=3",
        "optimizer=bootstrap_fewshot",
        "optimizer.max_bootstrapped_demos=1",
        f"output_dir={tmp_path}",
        "run=embedded",
    ]
    assert run(compose("optimize", overrides)) == 0
    manifest = read_bundle(tmp_path / "embedded").manifest
    assert manifest.train.n == 2 and manifest.dev.n + manifest.val.n == 2 and manifest.lms["task"].kind == "embedded"
    program = load_bundle(tmp_path / "embedded", "full_info")
    assert sum(len(p.demos) for _, p in program.named_predictors()) == sum(
        info.n_demos for info in manifest.predictors.values()
    )
