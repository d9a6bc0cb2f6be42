"""A model server cdmbench starts on 127.0.0.1 for the life of a ``with`` block, and that never outlives it.

``LocalServer`` is the common part of the embedded llama.cpp server (``cdmbench.lm.embedded``) and of a vLLM server
started by the job (``cdmbench.lm.vllm_server``, ``lm.launch=true``): a free port, a log file, the wait until the
server serves its model (with the log's tail when it does not), and the stop. On Linux the kernel signals the server
when cdmbench dies, even by SIGKILL (``PR_SET_PDEATHSIG``); an ``atexit`` hook stops what is left at a normal exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path

from loguru import logger

from cdmbench.lm._errors import LMServerError
from cdmbench.lm.probe import list_served_models

__all__ = ["LocalServer", "free_port", "log_tail"]

_LIVE: weakref.WeakSet[LocalServer] = weakref.WeakSet()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path | None, lines: int = 15) -> str:
    """The last ``lines`` lines of a server log (or a note that there is none)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace") if path else ""
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(empty log)"


def _death_signal(signum: int):  # the preexec_fn for Popen
    def arm() -> None:  # pragma: no cover - runs in the child between fork and exec
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signum)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    return arm


class LocalServer:
    """Start ``command(port)`` on a free loopback port; ready when ``/v1/models`` lists ``served_name``.

    Subclasses give ``command`` and may override ``prepare`` (checks before anything starts), ``ready`` (one
    readiness probe), ``after_ready`` (e.g. a warm-up call) and the class attributes below.

    Args:
        served_name: the model name the server answers to.
        startup_timeout_s: seconds to wait for the server to serve it.
        log_file: where the server's output goes; None for a temporary file (removed after a clean stop).
    """

    what = "the LM server"
    """How messages name the server."""
    timeout_setting = "lm.startup_timeout_s"
    """The setting a user raises when the server needs longer to start."""
    death_signal = signal.SIGKILL
    """What the kernel sends the started process when cdmbench dies."""
    stop_timeout_s = 10.0
    """Seconds between SIGTERM and SIGKILL at a stop."""

    def __init__(self, served_name: str, startup_timeout_s: float, log_file: str | Path | None = None) -> None:
        self.served_name = served_name
        self.startup_timeout_s = startup_timeout_s
        self._log_given = log_file is not None
        self.log_file = Path(log_file) if log_file else None
        self.port: int | None = None
        self._process: subprocess.Popen | None = None

    def command(self, port: int) -> list[str]:
        """The server's command line, listening on 127.0.0.1:``port``."""
        raise NotImplementedError

    def prepare(self) -> None:
        """Checks before anything starts (raise ``LMServerError`` with what to do)."""

    def ready(self) -> bool:
        """One readiness probe: ``/v1/models`` lists ``served_name`` (an ``OSError`` or ``ValueError`` reads as no)."""
        return self.served_name in list_served_models(self.api_base, timeout_s=2.0)

    def after_ready(self) -> None:
        """Run once the server serves its model (raise ``LMServerError`` when it is not usable)."""

    @property
    def api_base(self) -> str:
        """``http://127.0.0.1:<port>/v1`` once started."""
        if self.port is None:
            raise LMServerError(f"{self.what} is not running.")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit code of a server that has exited (None while it runs or before it starts)."""
        return self._process.poll() if self._process is not None else None

    def start(self) -> LocalServer:
        """Start the server and wait until it serves ``served_name``.

        Raises:
            LMServerError: it cannot start, exits, or does not serve the model in time (with its log's tail).
        """
        if self.running:
            return self
        self.prepare()
        if self.log_file is None:
            fd, name = tempfile.mkstemp(prefix="cdmbench-lm-", suffix=".log")
            os.close(fd)
            self.log_file = Path(name)
        self.port = free_port()
        command = self.command(self.port)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "CDMBENCH_PARENT_PID": str(os.getpid())}
        with open(self.log_file, "ab") as log:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True,
                preexec_fn=_death_signal(self.death_signal) if sys.platform.startswith("linux") else None,
            )  # fmt: skip
        _LIVE.add(self)
        try:
            self._wait_until_ready()
            self.after_ready()
        except BaseException:
            self.stop(keep_log=True)
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while True:
            code = self.returncode
            if code is not None:
                raise LMServerError(
                    f"{self.what} exited with code {code} while starting; its log ({self.log_file}) ends with:\n"
                    f"{log_tail(self.log_file)}"
                )
            try:
                if self.ready():
                    return
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise LMServerError(
                    f"{self.what} did not serve {self.served_name!r} within {self.startup_timeout_s:.0f} s (raise "
                    f"{self.timeout_setting} on a slow machine); its log ({self.log_file}) ends with:\n"
                    f"{log_tail(self.log_file)}"
                )
            time.sleep(0.25)

    def stop(self, keep_log: bool = False) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after ``stop_timeout_s``); idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            logger.debug("stopped {} on port {}", self.what, self.port)
        _LIVE.discard(self)
        if not keep_log and not self._log_given and self.log_file is not None:
            with contextlib.suppress(OSError):
                self.log_file.unlink()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


@atexit.register
def _stop_all() -> None:  # pragma: no cover - backstop at interpreter exit
    for server in list(_LIVE):
        server.stop()
