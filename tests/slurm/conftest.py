"""Run the SLURM job scripts with bash: SLURM variables set here, ``vllm`` on PATH a loopback LM server."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLURM = ROOT / "slurm"
LOOPBACK = ROOT / "tests" / "runs" / "loopback_lm.py"

FAKE_VLLM = """#!/usr/bin/env bash
# A stand-in for `vllm serve --config F --host H --port P`: records its pid and arguments, then becomes a
# loopback OpenAI-compatible server (FAKE_VLLM_ARGS adds e.g. --unhealthy or --startup-delay 1).
echo $$ > "$FAKE_VLLM_DIR/pid"
echo "$@" > "$FAKE_VLLM_DIR/args"
if [[ -n "${{FAKE_VLLM_FAIL:-}}" ]]; then echo "CUDA out of memory (fake)" >&2; exit 1; fi
exec {python} {loopback} "$@" $FAKE_VLLM_ARGS
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def job_env(tmp_path) -> Iterator[dict[str, str]]:
    """The environment of a job: fake vllm first on PATH, outputs and logs under tmp_path, a free port."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "vllm"
    fake.write_text(FAKE_VLLM.format(python=sys.executable, loopback=LOOPBACK))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    yield {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FAKE_VLLM_DIR": str(tmp_path),
        "FAKE_VLLM_ARGS": "",
        "CDMBENCH_ROOT": str(ROOT),
        "CDMBENCH": f"{sys.executable} -m cdmbench",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "MODEL": "qwen3_4b",
        "PORT": str(free_port()),
        "HEALTH_TIMEOUT": "300",
        "HEALTH_POLL": "0.2",
        "LOG_DIR": str(tmp_path / "logs"),
        "OUTPUT_DIR": str(tmp_path / "outputs"),
        "SLURM_JOB_ID": "4242",
        "SLURM_SUBMIT_DIR": str(ROOT),
    }
    pid_file = tmp_path / "pid"  # a failing test must not leave a server behind
    if pid_file.exists() and alive(int(pid_file.read_text())):
        os.kill(int(pid_file.read_text()), signal.SIGKILL)


def run_script(name: str, env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """``bash slurm/<name> args...`` from the repository root, output captured."""
    return subprocess.run(
        ["bash", str(SLURM / name), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
