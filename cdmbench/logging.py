"""Logging set-up: one loguru sink on stderr; the standard library's logs routed into it.

Never log case text (history, exam, reports) at INFO: logs end up on shared clusters.
"""

from __future__ import annotations

import logging
import sys

from loguru import logger

__all__ = ["setup_logging"]

_FORMAT = "<green>{time:HH:mm:ss}</green> | <level>{level: <7}</level> | {message}"


class _InterceptHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - thin glue
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.opt(depth=6, exception=record.exc_info).log(level, "{}: {}", record.name, record.getMessage())


def _scrub(record: dict) -> None:
    """Never log URL user info (``http://user:secret@host``): replaced by ``***`` in every message."""
    from cdmbench.config import redact_urls

    record["message"] = redact_urls(record["message"])


def setup_logging(level: str = "INFO") -> None:
    """Configure loguru once for a command-line run."""
    logger.remove()
    logger.configure(patcher=_scrub)
    logger.add(sys.stderr, level=level.upper(), format=_FORMAT, colorize=None, backtrace=False, diagnose=False)
    logging.basicConfig(handlers=[_InterceptHandler()], level=logging.WARNING, force=True)
    for noisy in ("httpx", "httpcore", "LiteLLM", "litellm", "urllib3", "dspy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
