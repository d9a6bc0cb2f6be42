"""Progress of long work: a tqdm bar on a terminal, plain log lines in a file (a cluster job's log).

A bar redraws itself with carriage returns, which in a non-terminal log interleave with the log lines; there,
``progress`` logs one line every ``every_s`` seconds (and at the end) instead.

Example:
    >>> with progress(total=40, desc="evaluate cdm_agent", unit="case") as bar:
    ...     bar.update(1)
    ...     bar.set_postfix(ok=1, errors=0)
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from loguru import logger
from tqdm import tqdm

__all__ = ["LogProgress", "progress"]


class LogProgress:
    """The tqdm calls cdmbench uses (update, set_postfix, close), as log lines at most every ``every_s`` seconds."""

    def __init__(self, total: int, desc: str, unit: str, every_s: float = 30.0) -> None:
        self.total, self.desc, self.unit, self.every_s = total, desc, unit, every_s
        self.n = 0
        self.postfix: dict[str, Any] = {}
        self._start = self._last = time.monotonic()
        self._closed = False

    def _log(self) -> None:
        extra = "".join(f", {k}={v}" for k, v in self.postfix.items())
        elapsed = time.monotonic() - self._start
        logger.info("{}: {}/{} {}s{} ({:.0f} s)", self.desc, self.n, self.total, self.unit, extra, elapsed)
        self._last = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.n += n
        if time.monotonic() - self._last >= self.every_s:
            self._log()

    def set_postfix(self, **values: Any) -> None:
        self.postfix = values

    def close(self) -> None:
        if not self._closed and self.n:
            self._log()
        self._closed = True

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def progress(
    total: int, desc: str, unit: str = "it", leave: bool = True, stream: TextIO | None = None
) -> tqdm | LogProgress:
    """A tqdm bar when ``stream`` (default stderr) is a terminal, else a ``LogProgress``."""
    stream = sys.stderr if stream is None else stream
    if getattr(stream, "isatty", lambda: False)():
        return tqdm(total=total, desc=desc, unit=unit, leave=leave, file=stream)
    return LogProgress(total, desc, unit)
