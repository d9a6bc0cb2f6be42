"""``lm.launch=true``: the job starts ``vllm serve`` from its preset on the node it runs on, and stops it.

The server listens on a free loopback port of this node, with the preset's settings (``vllm serve --config
configs/vllm/<preset>.yaml``: tensor-parallel size, context length, parsers) plus ``lm.launch_args``. cdmbench waits
until it serves the preset's model (``lm.startup_timeout_s``: loading weights can take many minutes), uses it, and
stops it on every exit. vLLM forks worker processes, so it runs under a small reaper (``_reaper.py``) that the kernel
signals when cdmbench dies, even by SIGKILL, and that then kills vLLM's whole process group. A server that does not
come up fails the job with the tail of its log (``<run>/vllm.log`` for ``evaluate``).

Example:
    >>> with VllmServer(load_preset("qwen3_4b"), log_file="outputs/run/vllm.log") as server:
    ...     server.api_base
    'http://127.0.0.1:40321/v1'
"""

from __future__ import annotations

import signal
import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from loguru import logger

from cdmbench.lm.local_server import LocalServer
from cdmbench.lm.presets import VllmPreset
from cdmbench.lm.serve import serve_command, vllm_executable

__all__ = ["REAPER", "VllmServer"]

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""Our own loopback server is reached directly, whatever proxy the environment names."""

REAPER = Path(__file__).with_name("_reaper.py")
"""The script vLLM runs under (standard library only, so it starts in milliseconds)."""


class VllmServer(LocalServer):
    """``vllm serve`` with ``preset`` on 127.0.0.1 for the life of a ``with`` block.

    Args:
        preset: the vLLM preset (``configs/vllm/<name>.yaml``).
        served_name: the name the server answers to (default: the preset's ``served-model-name``).
        extra_args: more ``vllm serve`` arguments (``lm.launch_args``; they win over the preset's).
        startup_timeout_s: seconds to wait until it serves the model.
        log_file: where vLLM's output goes; None for a temporary file (removed after a clean stop).
    """

    what = "the vLLM server"
    death_signal = signal.SIGTERM  # the reaper's cue to kill vLLM's process group
    stop_timeout_s = 40.0  # the reaper's grace period for vLLM (20 s) and some

    def __init__(
        self,
        preset: VllmPreset,
        served_name: str | None = None,
        extra_args: Sequence[str] = (),
        startup_timeout_s: float = 1800.0,
        log_file: str | Path | None = None,
    ) -> None:
        super().__init__(served_name or preset.served_name, startup_timeout_s, log_file)
        self.preset = preset
        self.extra_args = [str(arg) for arg in extra_args]
        self._executable: str | None = None

    def prepare(self) -> None:
        """vLLM must be installed (``uv sync --extra vllm``).

        Raises:
            LMServerError: it is not.
        """
        self._executable = vllm_executable()
        logger.info(
            "lm.launch: starting vLLM with preset {} ({}, tensor-parallel {}); log {}",
            self.preset.name,
            self.preset.model,
            self.preset.args.get("tensor-parallel-size", 1),
            self.log_file or "(temporary)",
        )

    def command(self, port: int) -> list[str]:
        """The reaper and ``vllm serve --config <preset> --host 127.0.0.1 --port <port> [--served-model-name]``."""
        extra = list(self.extra_args)
        if self.served_name != self.preset.served_name and "--served-model-name" not in extra:
            extra += ["--served-model-name", self.served_name]
        served = serve_command(self.preset, self._executable or "vllm", "127.0.0.1", port, extra)
        return [sys.executable, str(REAPER), *served]

    def ready(self) -> bool:
        """vLLM's ``/health`` answers 200 (the engine is up) and ``/v1/models`` lists the served name."""
        health = self.api_base.removesuffix("/v1") + "/health"
        with _DIRECT.open(health, timeout=2.0) as answer:
            if answer.status != 200:
                return False
        return super().ready()

    def after_ready(self) -> None:
        logger.info("lm.launch: vLLM serves {} at {}", self.served_name, self.api_base)
