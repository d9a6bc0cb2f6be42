"""Send the optimizers' progress into the run's ``optimizer.log``: their own logs and cdmbench's.

While the block runs, the standard-library loggers of DSPy, GEPA and Optuna log at INFO into the file, and
cdmbench's optimize modules at DEBUG (which trace passed the demo threshold and why not, SIMBA's gate);
warnings and errors still reach the console through loguru. Library lines keep only their first line, capped,
and no traceback (``cdmbench.logging.library_message``): they can quote a whole case or a model's answer.
Their settings are restored afterwards.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from loguru import logger

from cdmbench.logging import library_message

__all__ = ["OPTIMIZER_LOGGERS", "optimizer_log"]

OPTIMIZER_LOGGERS = ("dspy", "gepa", "optuna")
"""Loggers whose records go into optimizer.log."""
_MAX_CHARS = 300


class _FirstLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        text = library_message(record.name, message)
        if text == message:
            first = message.strip().splitlines()[0] if message.strip() else ""
            text = first if len(first) <= _MAX_CHARS else first[:_MAX_CHARS] + " ..."
        record.msg, record.args, record.exc_info, record.exc_text = text, None, None, None
        return True


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
    file_handler.addFilter(_FirstLine())
    console = _ToLoguru(level=console_level)
    console.addFilter(_FirstLine())
    own = logger.add(
        file_handler.stream,
        level="DEBUG",
        format="{time:YYYY-MM-DD HH:mm:ss,SSS} {level} {name}: {message}",
        filter=lambda record: record["name"].startswith("cdmbench.optimize"),
        colorize=False,
    )
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
        logger.remove(own)
        for log, level, propagate in saved:
            log.removeHandler(file_handler)
            log.removeHandler(console)
            log.setLevel(level)
            log.propagate = propagate
        file_handler.close()
