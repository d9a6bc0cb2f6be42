"""End to end with the real embedded CPU model: optimize (bootstrap_fewshot, 2 train cases), reload, evaluate."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = [pytest.mark.embedded_lm, pytest.mark.usefixtures("shared_embedded_server")]


def _skip_without_embedded_lm() -> None:
    try:
        import cdmbench.lm  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the installation
        pytest.skip(f"cdmbench.lm is not available ({exc})")
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: the embedded model cannot run")


@pytest.fixture
def short_splits(tmp_path, synthetic_cases) -> Path:
    """Splits of shortened cases (12 labs, one report of 400 characters): the tiny model on 2 cores reads prompts at
    ~100 tokens/s, and the 58 labs of a synthetic case are most of a full_info prompt."""
    from tests.optimize.conftest import write_split_files

    short = [
        case.model_copy(
            update={
                "lab_results": case.lab_results[:12],
                "radiology_reports": [r.model_copy(update={"text": r.text[:400]}) for r in case.radiology_reports[:1]],
            }
        )
        for case in synthetic_cases
    ]
    out = tmp_path / "splits"
    out.mkdir()
    return write_split_files(out, short)


def test_optimize_with_the_embedded_model_then_reload(tmp_path, short_splits) -> None:
    _skip_without_embedded_lm()
    splits_dir = short_splits
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
