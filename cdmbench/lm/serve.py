"""``cdmbench serve model=<preset>``: start vLLM with a preset from ``configs/vllm/``.

Replaces this process with ``vllm serve --config <preset.yaml> --host H --port P [extra args]``.
vLLM is an optional extra (``uv sync --extra vllm``) for GPU machines.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence

from loguru import logger
from omegaconf import DictConfig, OmegaConf

from cdmbench.lm._errors import LMServerError
from cdmbench.lm.presets import VllmPreset, load_preset

__all__ = ["run", "serve_command", "vllm_executable"]


def vllm_executable() -> str:
    """The ``vllm`` command next to this Python, else on PATH.

    Raises:
        LMServerError: vLLM is not installed.
    """
    beside = os.path.join(os.path.dirname(sys.executable), "vllm")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("vllm")
    if found:
        return found
    raise LMServerError(
        "vLLM is not installed; install it on a GPU machine with `uv sync --extra vllm`, then rerun "
        "`cdmbench serve model=<preset>`."
    )


def serve_command(
    preset: VllmPreset, executable: str, host: str | None, port: int | None, extra_args: Sequence[str] = ()
) -> list[str]:
    """The ``vllm serve`` command line for ``preset`` (command-line values win over the file's)."""
    command = [executable, "serve", "--config", str(preset.path)]
    if preset.chat_template is not None:
        command += ["--chat-template", str(preset.chat_template)]
    if host:
        command += ["--host", str(host)]
    if port:
        command += ["--port", str(port)]
    return command + [str(arg) for arg in extra_args]


def run(cfg: DictConfig) -> int:
    """Runner of ``cdmbench serve``: exec vLLM with the preset ``cfg.model``."""
    preset = load_preset(str(cfg.model))
    extra = OmegaConf.to_container(cfg.extra_args, resolve=True) if cfg.get("extra_args") else []
    if cfg.get("dry_run", False):  # print the command; vLLM need not be installed here
        command = serve_command(preset, "vllm", cfg.get("host"), cfg.get("port"), extra)
        sys.stdout.write(" ".join(command) + "\n")
        return 0
    command = serve_command(preset, vllm_executable(), cfg.get("host"), cfg.get("port"), extra)
    logger.info("serving {} as {!r}: {}", preset.model, preset.served_name, " ".join(command))
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return
