"""Shared fixtures: paths, a clean loguru sink per test."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.postgres"]

TESTS_DIR = Path(__file__).resolve().parent
DATA_DIR = TESTS_DIR / "data"


@pytest.fixture
def data_dir() -> Path:
    """The checked-in test fixtures (all synthetic)."""
    return DATA_DIR
