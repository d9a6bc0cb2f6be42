"""``cdmbench db-serve``: run the embedded PostgreSQL until Ctrl-C, stop it, or say whether it runs."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from loguru import logger
from omegaconf import DictConfig

from cdmbench.data_export.embedded_db import EmbeddedDatabase, ServerInfo
from cdmbench.errors import ConfigError

__all__ = ["connection_help", "run"]

ACTIONS = ("start", "stop", "status")


def connection_help(info: ServerInfo, dbname: str) -> str:
    """How to reach the server: the cdmbench setting, the libpq variables and a psql line."""
    return "\n".join(
        [
            f"PostgreSQL is running (pid {info.pid}), Unix socket {info.host}/.s.PGSQL.{info.port}",
            "  cdmbench:  add db=embedded to db-load / create-benchmark (or set the variables below)",
            f"  export PGHOST={info.host} PGPORT={info.port} PGUSER={info.user} PGDATABASE={dbname}",
            f"  psql:      psql -h {info.host} -p {info.port} -U {info.user} {dbname}",
        ]
    )


def _wait_for_interrupt(server: EmbeddedDatabase) -> None:
    """Until Ctrl-C, SIGTERM or SIGHUP, or until the server is stopped from elsewhere (`db-serve stop`)."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(2.0):
            if server.running() is None:
                logger.info("the embedded PostgreSQL was stopped")
                return
    except KeyboardInterrupt:
        pass


def run(cfg: DictConfig) -> int:
    """Start (foreground), stop or report the embedded server of ``cfg.data_dir``."""
    action = str(cfg.action)
    if action not in ACTIONS:
        raise ConfigError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}.")
    server = EmbeddedDatabase(Path(str(cfg.data_dir)))
    dbname = str(cfg.dbname)
    if action == "stop":
        if server.stop():
            logger.info("stopped the embedded PostgreSQL in {}", server.pgdata)
        else:
            logger.info("no embedded PostgreSQL is running in {}", server.pgdata)
        return 0
    if action == "status":
        info = server.running()
        if info is None:
            sys.stdout.write(f"no embedded PostgreSQL is running in {server.pgdata}\n")
            return 1
        sys.stdout.write(connection_help(info, dbname) + "\n")
        return 0
    already = server.running()
    info = already or server.start()
    server.ensure_database(info, dbname)
    sys.stdout.write(connection_help(info, dbname) + "\n")
    if already is not None:
        sys.stdout.write(f"(it was already running; stop it with `cdmbench db-serve stop data_dir={cfg.data_dir}`)\n")
        sys.stdout.flush()
        return 0
    sys.stdout.write("Press Ctrl-C to stop it (or run `cdmbench db-serve stop` in another shell).\n")
    sys.stdout.flush()
    try:
        _wait_for_interrupt(server)
    finally:
        if server.stop():
            logger.info("stopped the embedded PostgreSQL in {}", server.pgdata)
    return 0
