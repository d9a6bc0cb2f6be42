"""Fixtures for run tests: synthetic cases files, a loopback LM, and `cdmbench evaluate` as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import pytest

from tests.runs.loopback_lm import LoopbackLM

ROOT = Path(__file__).resolve().parents[2]


def write_cases(directory: Path, n_admissions: int, seed: int = 0) -> Path:
    """Synthesize ``n_admissions`` cases (no distractors) and return their cases file (truth.json)."""
    from cdmbench.data_export.synthetic import generate

    generate(directory, n_admissions=n_admissions, seed=seed, distractor_fraction=0.0)
    return directory / "truth.json"


def evaluate_overrides(cases: Path, api_base: str, out: Path, run: str, *extra: str) -> list[str]:
    """Overrides for `cdmbench evaluate` against a loopback LM (cache under ``out``, no plots)."""
    return [
        f"data={cases}",
        "lm=vllm",
        "lm.model=loopback-model",
        f"lm.api_base={api_base}",
        f"lm.cache_dir={out / 'cache'}",
        f"output_dir={out}",
        f"run={run}",
        "plots=false",
        *extra,
    ]


def evaluate_process(overrides: list[str]) -> subprocess.Popen:
    """Start `cdmbench evaluate` (python -m cdmbench) as a subprocess, output captured."""
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "cdmbench", "evaluate", *overrides],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_jsonl(path: Path) -> list[dict]:
    import json

    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def cases_file(tmp_path_factory) -> Path:
    """Twelve synthetic cases (all four pathologies)."""
    return write_cases(tmp_path_factory.mktemp("cases"), 12)


@pytest.fixture
def loopback():
    """A loopback LM answering at once."""
    with LoopbackLM() as server:
        yield server
