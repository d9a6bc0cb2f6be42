"""Shared fixtures: paths, and DSPy settings and cache restored after every test."""

from __future__ import annotations

from pathlib import Path

import dspy
import pytest

pytest_plugins = ["tests.postgres"]

TESTS_DIR = Path(__file__).resolve().parent
DATA_DIR = TESTS_DIR / "data"


@pytest.fixture
def data_dir() -> Path:
    """The checked-in test fixtures (all synthetic)."""
    return DATA_DIR


@pytest.fixture(autouse=True)
def _restore_dspy():
    """Runs and LM sessions replace DSPy's process-wide cache and settings; put them back after each test."""
    original = dspy.cache
    with dspy.context(lm=None, adapter=None):
        yield
    dspy.cache = original


def pytest_collection_modifyitems(config, items):
    """Tests of the real embedded model are slow: `pytest -m "not slow"` (the inner loop) leaves them out."""
    for item in items:
        if item.get_closest_marker("embedded_lm") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
