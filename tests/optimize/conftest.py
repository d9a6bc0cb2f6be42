"""Fixtures of the optimize tests: synthetic cases, written splits, a schema-following dummy LM, a bundle."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import dspy
import pytest

from cdmbench.cases import Case


@pytest.fixture(autouse=True)
def _reset_dspy_settings():
    with dspy.context(lm=None, adapter=None):
        yield


@pytest.fixture(scope="session")
def synthetic_cases() -> list[Case]:
    """Twelve synthetic admissions of the four pathologies, with ground truth."""
    from cdmbench.runs.demo import demo_cases

    return demo_cases(12, 0).cases


@pytest.fixture(scope="session")
def splits_dir(tmp_path_factory, synthetic_cases) -> Path:
    """train/dev/test/reader_study files and splits.json (4 cases each) of the synthetic cases."""
    return write_split_files(tmp_path_factory.mktemp("splits"), synthetic_cases)


def write_split_files(out: Path, cases: list[Case]) -> Path:
    """Split ``cases`` (seed 0, 40% train, 30% dev) and write the split files and splits.json into ``out``."""
    from cdmbench.cases import dump_cases
    from cdmbench.data_export.splits import SplitSettings, build_manifest, split_cases, write_splits

    settings = SplitSettings(train_fraction=0.4, dev_fraction=0.3, min_train_per_pathology=1, min_dev_per_pathology=1)
    result = split_cases(cases, seed=0, settings=settings)
    sha = hashlib.sha256(dump_cases(cases, "synthetic").encode()).hexdigest()
    write_splits(out, result, build_manifest(result, "cases.json", sha, "synthetic"))
    return out


@pytest.fixture
def schema_lm():
    """A fresh ``SchemaLM``, DSPy's current LM (with the ChatAdapter) for the test."""
    from tests.optimize.schema_lm import SchemaLM

    lm = SchemaLM()
    with dspy.context(lm=lm, adapter=dspy.ChatAdapter()):
        yield lm


FAKE_KEY = "sk-cdmbench-FAKE-key-9876543210"
"""An API key in the environment that must never reach a bundle."""


@pytest.fixture
def dummy_sessions(monkeypatch):
    """Real ``lm_session`` set-up (settings, key from the environment, description) with a SchemaLM answering."""
    from cdmbench.lm import LMSession
    from cdmbench.lm import lm_session as real_session
    from tests.optimize.schema_lm import SchemaLM

    monkeypatch.setattr(dspy, "cache", dspy.cache)  # lm.cache=false reconfigures DSPy's cache: restore it after
    monkeypatch.setenv("CDMBENCH_TEST_API_KEY", FAKE_KEY)
    opened: list[str] = []

    @contextlib.contextmanager
    def session(settings, data_source, **kwargs):
        with real_session(settings, data_source, probe=False) as real:
            opened.append(real.lm.model)
            lm, adapter = SchemaLM(), dspy.ChatAdapter()
            with dspy.context(lm=lm, adapter=adapter):
                yield LMSession(lm=lm, adapter=adapter, description=real.description)

    monkeypatch.setattr("cdmbench.optimize.lms.lm_session", session)
    return opened
