"""DSPy settings are reset around every signature test, so one test's DummyLM never leaks into another."""

from __future__ import annotations

import dspy
import pytest


@pytest.fixture(autouse=True)
def _reset_dspy_settings():
    with dspy.context(lm=None, adapter=None):
        yield
