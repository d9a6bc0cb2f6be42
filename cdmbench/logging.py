"""Logging set-up: one loguru sink on stderr; the standard library's logs routed into it.

Never log case text (history, exam, reports, the model's answers): logs end up on shared clusters. DSPy and
LiteLLM install their own handlers (which do not propagate); ``setup_logging`` removes them, so their lines go
through loguru too, and keeps only the first line of each (at most ``_LIBRARY_CHARS`` characters): their
messages can quote a DSPy example (the whole case) or a model's answer. DSPy's "Error for <example>: ..." from a
failing case in ``dspy.Evaluate`` keeps the exception type only. A failing case is logged by cdmbench itself, by
``hadm_id`` and error kind.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys

from loguru import logger

__all__ = ["library_message", "route_library_logs", "setup_logging"]

_FORMAT = "<green>{time:HH:mm:ss}</green> | <level>{level: <7}</level> | {message}"


_LIBRARIES = ("dspy", "LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm")
"""Loggers whose own handlers are replaced by the route into loguru."""

_LIBRARY_CHARS = 300

_EXCEPTION_NAME = re.compile(r"\b([A-Z]\w*(?:Error|Exception|Exceeded|Timeout))\b")


def library_message(name: str, message: str) -> str:
    """What is logged of a library's message: its first line, capped; an example's error only by exception type."""
    if name.split(".")[0] not in ("dspy", "LiteLLM", "litellm"):
        return message
    if message.startswith("Error for "):  # DSPy's parallelizer: "Error for <the example, case text>: <exception>"
        names = _EXCEPTION_NAME.findall(message.splitlines()[0])
        kind = names[-1] if names else "error"
        return f"a case failed ({kind}); its details are in the run record, not the log"
    first = message.strip().splitlines()[0] if message.strip() else ""
    return first if len(first) <= _LIBRARY_CHARS else first[:_LIBRARY_CHARS] + " ..."


class _InterceptHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - thin glue
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        library = record.name.split(".")[0] in ("dspy", "LiteLLM", "litellm")
        message = library_message(record.name, record.getMessage())
        logger.opt(depth=6, exception=None if library else record.exc_info).log(level, "{}: {}", record.name, message)


def route_library_logs(import_libraries: bool = True) -> None:
    """Send DSPy's and LiteLLM's log records to loguru (through the root logger) instead of their own handlers.

    Args:
        import_libraries: import DSPy and LiteLLM first (they install their handlers on import, so a later import
            would bring them back); False routes only those already imported, for a command that never loads them
            (importing LiteLLM alone takes seconds).
    """
    import importlib
    import os

    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch LiteLLM's price map
    for module in ("dspy", "litellm"):  # imported now, so their handlers are installed before they are removed
        if import_libraries or module in sys.modules:
            with contextlib.suppress(ImportError):  # both are dependencies
                importlib.import_module(module)
    for name in _LIBRARIES:
        library = logging.getLogger(name)
        for handler in list(library.handlers):
            library.removeHandler(handler)
        library.propagate = True


def _scrub(record: dict) -> None:
    """Never log URL user info (``http://user:secret@host``): replaced by ``***`` in every message."""
    from cdmbench.config import redact_urls

    record["message"] = redact_urls(record["message"])


def setup_logging(level: str = "INFO", import_libraries: bool = True) -> None:
    """Configure loguru once for a command-line run (``import_libraries``: see ``route_library_logs``)."""
    logger.remove()
    logger.configure(patcher=_scrub)
    logger.add(sys.stderr, level=level.upper(), format=_FORMAT, colorize=None, backtrace=False, diagnose=False)
    logging.basicConfig(handlers=[_InterceptHandler()], level=logging.WARNING, force=True)
    route_library_logs(import_libraries)
    for noisy in ("httpx", "httpcore", "LiteLLM", "litellm", "urllib3", "dspy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
