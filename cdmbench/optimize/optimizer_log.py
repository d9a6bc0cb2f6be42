"""Send the optimizers' own standard-library logs (DSPy, GEPA, Optuna) into the run's ``optimizer.log``.

While the block runs, those loggers log at INFO into the file; warnings and errors still reach the console
through loguru. Their settings are restored afterwards.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from loguru import logger

__all__ = ["OPTIMIZER_LOGGERS", "optimizer_log"]

OPTIMIZER_LOGGERS = ("dspy", "gepa", "optuna")
"""Loggers whose records go into optimizer.log."""


class _ToLoguru(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - thin glue
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.opt(exception=record.exc_info).log(level, "{}: {}", record.name, record.getMessage())


@contextlib.contextmanager
def optimizer_log(path: Path, console_level: int = logging.WARNING) -> Iterator[Path]:
    """Capture the optimizer loggers at INFO into ``path`` (appended) for the duration of the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    file_handler = logging.FileHandler(path, encoding="utf-8")
    file_handler.setLevel(logging.INFO)
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    console = _ToLoguru(level=console_level)
    saved = []
    for name in OPTIMIZER_LOGGERS:
        log = logging.getLogger(name)
        saved.append((log, log.level, log.propagate))
        log.setLevel(logging.INFO)
        log.propagate = False
        log.addHandler(file_handler)
        log.addHandler(console)
    try:
        yield path
    finally:
        for log, level, propagate in saved:
            log.removeHandler(file_handler)
            log.removeHandler(console)
            log.setLevel(level)
            log.propagate = propagate
        file_handler.close()
