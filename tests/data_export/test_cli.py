"""db-load and create-benchmark through the command line: a happy path and every bad input.

Each bad input must give one clear message, exit code 2, no traceback, and no output file (an existing output
file stays as it was).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pytest_postgresql.executors.noop import NoopExecutor

from cdmbench.cli import main
from cdmbench.data_export.rules import REASONS
from tests.data_export.mini_mimic import write_mini_mimic
from tests.postgres import DSN_VARIABLE, connect_to, db_overrides, fresh_database

PW_USER = "cdmbench_pw_user"
RIGHT_PASSWORD = "right-Secret-123"
WRONG_PASSWORD = "wrong-Secret-456"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _assert_clean_failure(code: int, output: str, *expected: str) -> None:
    assert code == 2, output
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if "ERROR" in line]
    assert len(errors) == 1, output
    for text in expected:
        assert text in errors[0], errors[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_mini_mimic(tmp_path / "synthetic")


@pytest.fixture
def empty_db(pg_server: NoopExecutor) -> Iterator[str]:
    with fresh_database(pg_server, "cdmbench_cli_empty") as dbname:
        yield dbname


def test_db_load_missing_source_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, output = _run(capsys, "db-load", f"source={tmp_path}/nowhere", "db.port=1")
    _assert_clean_failure(code, output, "nowhere", "does not exist", "source=DIR")


def test_db_load_missing_csv(capsys: pytest.CaptureFixture[str], source: Path) -> None:
    (source / "hosp" / "microbiologyevents.csv.gz").unlink()
    code, output = _run(capsys, "db-load", f"source={source}", "db.port=1")
    _assert_clean_failure(code, output, "hosp/microbiologyevents.csv.gz")


def test_db_load_missing_source_dir_in_a_subprocess(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cdmbench", "db-load", f"source={tmp_path}/nowhere"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    _assert_clean_failure(proc.returncode, proc.stdout + proc.stderr, "nowhere", "does not exist")


@pytest.mark.postgres
def test_load_then_create_benchmark(
    capsys: pytest.CaptureFixture[str], pg_server: NoopExecutor, source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cases.json"
    with fresh_database(pg_server, "cdmbench_cli_ok") as dbname:
        db = db_overrides(pg_server, dbname)
        code, output = _run(capsys, "db-load", f"source={source}", *db)
        assert code == 0, output
        assert "mimiciv_hosp.labevents" in output and "synthetic" in output
        code, output = _run(capsys, "create-benchmark", f"out={out}", *db)
        assert code == 0, output
    doc = json.loads(out.read_text())
    assert doc["source"] == "synthetic"
    assert [c["hadm_id"] for c in doc["cases"]] == [20000001]
    assert "history_names_disease" in output and "appendicitis" in output
    assert all(reason in output for reason in REASONS)  # the summary counts every exclusion reason


@pytest.mark.postgres
def test_create_benchmark_unreachable_server(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "cases.json"
    out.write_text("keep me")
    port = _free_port()
    code, output = _run(
        capsys, "create-benchmark", f"out={out}", "db.host=127.0.0.1", f"db.port={port}", "db.env_file=null"
    )
    _assert_clean_failure(code, output, f"127.0.0.1:{port}", "is the server running")
    assert out.read_text() == "keep me"


@pytest.mark.postgres
def test_db_load_unreachable_socket(capsys: pytest.CaptureFixture[str], source: Path, tmp_path: Path) -> None:
    code, output = _run(capsys, "db-load", f"source={source}", f"db.host={tmp_path}", "db.port=5999")
    _assert_clean_failure(code, output, f"Unix socket {tmp_path}/.s.PGSQL.5999")


@pytest.mark.postgres
def test_create_benchmark_missing_tables(
    capsys: pytest.CaptureFixture[str], pg_server: NoopExecutor, empty_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "cases.json"
    code, output = _run(capsys, "create-benchmark", f"out={out}", *db_overrides(pg_server, empty_db))
    _assert_clean_failure(code, output, "mimiciv_hosp.patients", "cdmbench db-load")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
def test_missing_database(capsys: pytest.CaptureFixture[str], pg_server: NoopExecutor, tmp_path: Path) -> None:
    out = tmp_path / "cases.json"
    code, output = _run(capsys, "create-benchmark", f"out={out}", *db_overrides(pg_server, "no_such_db"))
    _assert_clean_failure(code, output, "no database 'no_such_db'", "createdb no_such_db")
    assert not out.exists()


@pytest.fixture
def password_role(pg_server: NoopExecutor) -> Iterator[str]:
    """A role that must log in with a password (pg_hba.conf of the embedded server is edited for it)."""
    if os.environ.get(DSN_VARIABLE):
        pytest.skip("needs the embedded server: pg_hba.conf of an external server is not ours to edit")
    with connect_to(pg_server, "postgres", autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {PW_USER}")
        conn.execute(f"CREATE ROLE {PW_USER} LOGIN PASSWORD '{RIGHT_PASSWORD}'")
        hba = Path(conn.execute("SHOW hba_file").fetchone()[0])
        text = hba.read_text()
        if PW_USER not in text:
            hba.write_text(f"local all {PW_USER} scram-sha-256\n" + text)
        conn.execute("SELECT pg_reload_conf()")
    deadline = time.monotonic() + 60
    while True:  # wait until the reloaded rules ask for the password
        try:
            psycopg.connect(host=pg_server.host, port=pg_server.port, user=PW_USER, dbname="postgres").close()
        except psycopg.OperationalError:
            break
        assert time.monotonic() < deadline, "pg_hba.conf reload did not take effect"
        time.sleep(0.1)
    yield PW_USER


@pytest.mark.postgres
def test_wrong_password(
    capsys: pytest.CaptureFixture[str], pg_server: NoopExecutor, password_role: str, empty_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "cases.json"
    db = [*db_overrides(pg_server, empty_db), f"db.user={password_role}"]
    code, output = _run(capsys, "create-benchmark", f"out={out}", *db, f"db.password={WRONG_PASSWORD}")
    _assert_clean_failure(code, output, f"user {password_role!r}", "password")
    assert WRONG_PASSWORD not in output
    assert not out.exists()
    # the right password gets past the login (and then stops at the missing tables)
    code, output = _run(capsys, "create-benchmark", f"out={out}", *db, f"db.password={RIGHT_PASSWORD}")
    _assert_clean_failure(code, output, "cdmbench db-load")
    assert RIGHT_PASSWORD not in output


_MIMIC_CODE_KEYS = """
ALTER TABLE mimiciv_hosp.patients ADD CONSTRAINT patients_pk PRIMARY KEY (subject_id);
ALTER TABLE mimiciv_hosp.admissions ADD CONSTRAINT admissions_pk PRIMARY KEY (hadm_id);
ALTER TABLE mimiciv_hosp.admissions ADD CONSTRAINT admissions_patients_fk
  FOREIGN KEY (subject_id) REFERENCES mimiciv_hosp.patients (subject_id);
ALTER TABLE mimiciv_hosp.diagnoses_icd ADD CONSTRAINT diagnoses_icd_admissions_fk
  FOREIGN KEY (hadm_id) REFERENCES mimiciv_hosp.admissions (hadm_id);
"""


@pytest.mark.postgres
def test_physionet_two_folder_layout_loads_with_note_source(
    capsys: pytest.CaptureFixture[str], pg_server: NoopExecutor, tmp_path: Path
) -> None:
    hosp = write_mini_mimic(tmp_path / "physionet.org" / "files" / "mimiciv" / "3.1", synthetic=False)
    notes = tmp_path / "physionet.org" / "files" / "mimic-iv-note" / "2.2"
    notes.mkdir(parents=True)
    (hosp / "note").rename(notes / "note")
    with fresh_database(pg_server, "cdmbench_cli_two") as dbname:
        db = db_overrides(pg_server, dbname)
        code, output = _run(capsys, "db-load", f"source={hosp}", *db)
        _assert_clean_failure(code, output, "note_source")  # the note files are in the other download
        code, output = _run(capsys, "db-load", f"source={hosp}", f"note_source={notes}", *db)
        assert code == 0, output
        assert "mimiciv_note.discharge" in output and "MIMIC-IV (credentialed)" in output


@pytest.mark.postgres
def test_mimic_code_database_with_foreign_keys(
    capsys: pytest.CaptureFixture[str], pg_server: NoopExecutor, source: Path, tmp_path: Path
) -> None:
    with fresh_database(pg_server, "cdmbench_cli_fk") as dbname:
        db = db_overrides(pg_server, dbname)
        assert _run(capsys, "db-load", f"source={source}", *db)[0] == 0
        with connect_to(pg_server, dbname) as conn:  # what mimic-code's constraint script adds
            conn.execute(_MIMIC_CODE_KEYS)
            conn.execute("DROP INDEX mimiciv_hosp.diagnoses_icd_hadm_idx")
            conn.commit()
        code, output = _run(capsys, "db-load", f"source={source}", *db)
        _assert_clean_failure(code, output, "foreign keys", "create-benchmark", "db.dbname")
        assert "bug" not in output
        with connect_to(pg_server, dbname) as conn:  # nothing was changed
            assert conn.execute("SELECT count(*) FROM mimiciv_hosp.admissions").fetchone()[0] == 3
        out = tmp_path / "cases.json"
        code, output = _run(capsys, "create-benchmark", f"out={out}", *db)  # reads the database as it is
        assert code == 0, output
        assert [c["hadm_id"] for c in json.loads(out.read_text())["cases"]] == [20000001]
        with connect_to(pg_server, dbname) as conn:
            assert conn.execute("SELECT to_regclass('mimiciv_hosp.diagnoses_icd_hadm_idx')").fetchone()[0]
