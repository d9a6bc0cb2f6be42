"""What a reviewer asks of a run first: the command line, the code (commit and dirty flag), libraries, machine.

``provenance()`` is recorded in every run manifest (``evaluate``) and compiled-program manifest (``optimize``).
Secrets never enter it: the command line is redacted (URL user-info, ``*password*`` / ``*api_key*`` / ``*token*``
settings) before it is recorded.
"""

from __future__ import annotations

import platform
import re
import shutil
import socket
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = ["LIBRARIES", "git_state", "gpu_names", "provenance", "redact_argv"]

LIBRARIES = ("cdmbench", "dspy", "litellm", "llama-cpp-python", "vllm", "torch", "transformers", "pydantic")
"""Distributions whose installed versions are recorded (absent ones are left out)."""

_SECRET_KEY = re.compile(r"password|passwd|secret|api_key|apikey|token", re.IGNORECASE)
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


def redact_argv(argv: list[str]) -> list[str]:
    """The command line with secret settings and URL passwords replaced by ``***``."""
    out = []
    for arg in argv:
        key = arg.split("=", 1)[0] if "=" in arg else ""
        if key and _SECRET_KEY.search(key.rsplit(".", 1)[-1]):
            arg = key + "=***"
        out.append(_USERINFO.sub(lambda m: f"{m.group('scheme')}***@", arg))
    return out


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_state() -> dict[str, Any]:
    """``{"commit": sha or None, "dirty": bool or None}`` of the checkout cdmbench runs from (None outside git)."""
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit.strip() or None, "dirty": None if status is None else bool(status.strip())}


def gpu_names() -> list[str]:
    """The GPU names ``nvidia-smi`` reports (empty without NVIDIA GPUs or the tool)."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        done = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in done.stdout.splitlines() if line.strip()] if done.returncode == 0 else []


def _versions() -> dict[str, str]:
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def provenance(argv: list[str] | None = None) -> dict[str, Any]:
    """Command line (redacted), git commit and dirty flag, library versions, Python, host and GPUs."""
    argv = list(sys.argv if argv is None else argv)
    command = ["cdmbench", *argv[1:]] if argv and Path(argv[0]).name in ("cdmbench", "__main__.py") else argv
    return {
        "command": redact_argv(command),
        "git": git_state(),
        "versions": _versions(),
        "python": platform.python_version(),
        "host": socket.gethostname(),
        "platform": platform.platform(terse=True),
        "gpus": gpu_names(),
    }
