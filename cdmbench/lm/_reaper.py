"""Run a model server's process tree so that it never outlives cdmbench (a script: standard library only).

``python _reaper.py COMMAND...`` is what cdmbench starts for a server whose processes fork workers (vLLM's engine
core and tensor-parallel workers). The kernel sends this process SIGTERM when cdmbench dies, even by SIGKILL
(``PR_SET_PDEATHSIG``, set by cdmbench between fork and exec); it then kills the server's whole process group
(SIGTERM, SIGKILL after a grace period). When the server exits on its own, the reaper exits with its code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

GRACE_S = 20.0
"""Seconds the server's processes get between SIGTERM and SIGKILL."""


def _gone(server: subprocess.Popen) -> bool:
    """The server is reaped and no process of its group is left (a zombie of ours would still count)."""
    if server.poll() is None:
        return False
    try:
        os.killpg(server.pid, 0)
    except ProcessLookupError:
        return True
    return False


def _kill_group(server: subprocess.Popen, grace_s: float = GRACE_S) -> None:
    """SIGTERM to the server's process group, SIGKILL to what is left after ``grace_s``."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and not _gone(server):
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write("usage: _reaper.py COMMAND [ARGS...]\n")
        return 2
    parent = int(os.environ.get("CDMBENCH_PARENT_PID", os.getppid()))
    server = subprocess.Popen(argv, start_new_session=True)
    stop_by: list[float] = []  # the SIGKILL deadline, once asked to stop

    def stop(signum: int, _frame: object) -> None:  # only signals here: waiting happens in the loop below
        if not stop_by:
            stop_by.append(time.monotonic() + GRACE_S)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    if os.getppid() != parent:  # cdmbench died before the death signal was armed (between fork and prctl)
        stop(signal.SIGTERM, None)
    while True:
        try:
            code = server.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            if stop_by and time.monotonic() > stop_by[0]:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.pid, signal.SIGKILL)
    _kill_group(server, grace_s=GRACE_S if stop_by else 0)  # workers the server left behind
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
