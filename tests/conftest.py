"""Shared fixtures: paths, DSPy settings and cache restored after every test, one embedded model server."""

from __future__ import annotations

import contextlib
import importlib.util
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


@pytest.fixture(scope="session")
def _embedded_server():
    """One embedded model server (configs/lm/embedded.yaml's bundled model and n_ctx) for the whole pytest session."""
    from cdmbench.lm import EmbeddedServer

    with EmbeddedServer() as server:
        yield server


@pytest.fixture
def shared_embedded_server(request, monkeypatch):
    """``lm=embedded`` sessions of the test reach the session's one model server instead of starting their own.

    Starting the server (model load and first completion) is tested on its own in tests/lm/test_embedded.py; the
    end-to-end tests need what it answers, so each borrows the running server: ``lm_session`` enters it and leaves it
    running. A session asking for another model file, thread count or context length gets its own server as usual.
    """
    if importlib.util.find_spec("llama_cpp") is None:
        return None  # the test skips or fails with lm_session's own message
    import cdmbench.lm.factory as factory

    server = request.getfixturevalue("_embedded_server")
    real = factory.EmbeddedServer

    def borrow(model_file=None, n_threads=None, n_ctx=4096, startup_timeout_s=120.0, log_file=None, **kwargs):
        same = model_file is None and n_threads is None and n_ctx == server.n_ctx
        if not same or kwargs.get("served_name", server.served_name) != server.served_name or not server.running:
            return real(model_file, n_threads, n_ctx, startup_timeout_s, log_file, **kwargs)
        return contextlib.nullcontext(server)

    monkeypatch.setattr(factory, "EmbeddedServer", borrow)
    return server


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
