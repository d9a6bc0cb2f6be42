"""DSPy settings are reset around every program test, so one test's DummyLM never leaks into another."""

from __future__ import annotations

import dspy
import pytest


@pytest.fixture(autouse=True)
def _reset_dspy_settings():
    with dspy.context(lm=None, adapter=None):
        yield


@pytest.fixture
def case():
    """The environment tests' synthetic case, given to programs without its ground truth."""
    from cdmbench.programs import program_input
    from tests.environment.conftest import make_case

    return program_input(make_case())
