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


def _detach_library_handlers() -> None:
    for name in _LIBRARIES:
        library = logging.getLogger(name)
        for handler in list(library.handlers):
            library.removeHandler(handler)
        library.propagate = True


class _RouteOnImport:
    """A ``sys.meta_path`` finder that routes a library's logs right after the library is imported.

    DSPy imports LiteLLM only for a provider its own client does not serve (a vLLM or OpenAI-compatible endpoint
    never needs it), and importing LiteLLM takes seconds: it is not imported up front, its handlers (installed on
    import) are removed the moment an import of it finishes.
    """

    def __init__(self, modules: tuple[str, ...]) -> None:
        self.modules = modules

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.modules:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is not None and hasattr(loader, "exec_module"):
            exec_module = loader.exec_module

            def exec_then_route(module) -> None:
                exec_module(module)
                _detach_library_handlers()
                for name in ("LiteLLM", "litellm"):
                    logging.getLogger(name).setLevel(logging.WARNING)

            loader.exec_module = exec_then_route
        return spec


_ON_IMPORT = _RouteOnImport(("litellm",))


def route_library_logs(import_libraries: bool = True) -> None:
    """Send DSPy's and LiteLLM's log records to loguru (through the root logger) instead of their own handlers.

    Both install their handlers on import. LiteLLM is routed the moment it is imported (it takes seconds to import
    and DSPy rarely needs it), DSPy now.

    Args:
        import_libraries: import DSPy first; False routes it only if it is already imported, for a command that
            never loads it.
    """
    import importlib
    import os

    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch LiteLLM's price map
    if _ON_IMPORT not in sys.meta_path:
        sys.meta_path.insert(0, _ON_IMPORT)
    if import_libraries or "dspy" in sys.modules:  # imported now, so its handlers are installed before they go
        with contextlib.suppress(ImportError):  # a dependency
            importlib.import_module("dspy")
    _detach_library_handlers()


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
