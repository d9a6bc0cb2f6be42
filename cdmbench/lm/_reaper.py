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


def _kill_group(pgid: int, grace_s: float = GRACE_S) -> None:
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write("usage: _reaper.py COMMAND [ARGS...]\n")
        return 2
    parent = int(os.environ.get("CDMBENCH_PARENT_PID", os.getppid()))
    server = subprocess.Popen(argv, start_new_session=True)
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        _kill_group(server.pid)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    if os.getppid() != parent:  # cdmbench died before the death signal was armed (between fork and prctl)
        stop(signal.SIGTERM, None)
    while True:
        try:
            code = server.wait()
            break
        except InterruptedError:  # pragma: no cover - PEP 475 retries wait(); kept for old Pythons
            continue
    _kill_group(server.pid, grace_s=0 if not stopping else GRACE_S)  # workers the server left behind
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
