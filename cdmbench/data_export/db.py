"""PostgreSQL connection settings and a connect() whose failures read as fixes.

Settings come from the Hydra ``db`` group (``configs/db/local.yaml``). Empty fields fall back to the standard
libpq environment variables (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``, ``PGDATABASE``), which may also
come from an ``.env`` file (real environment variables always win); the database is ``mimiciv`` when neither
``db.dbname`` nor ``PGDATABASE`` names one. A ``dsn`` wins over the single fields.

Example:
    >>> settings = DbSettings.from_config(cfg.db)
    >>> with connect(settings) as conn:
    ...     conn.execute("SELECT 1")
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg
from loguru import logger
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pydantic import BaseModel, SecretStr

from cdmbench.errors import ConfigError, DatabaseError

__all__ = ["DEFAULT_DBNAME", "DbSettings", "connect", "redacted_conninfo"]

DEFAULT_DBNAME = "mimiciv"
"""The database used when neither ``db.dbname`` nor ``PGDATABASE`` is set."""

_ENV_FIELDS = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}


class DbSettings(BaseModel):
    """Where and as whom to connect to PostgreSQL."""

    host: str | None = None
    """Host name, IP address, or a Unix socket directory (starting with '/')."""
    port: int | None = None
    """TCP port (also names the Unix socket file)."""
    user: str | None = None
    """Role to log in as."""
    password: SecretStr | None = None
    """Password (never logged)."""
    dbname: str | None = None
    """Database holding the mimiciv_hosp and mimiciv_note schemas."""
    dsn: SecretStr | None = None
    """A full connection string (``postgresql://...`` or ``key=value``); wins over the single fields."""
    connect_timeout: int = 10
    """Seconds to wait for the server before giving up."""

    @classmethod
    def from_config(cls, db: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> DbSettings:
        """Build settings from the ``db`` config group, filling empty fields from PG* variables and ``.env``.

        Args:
            db: the ``db`` config group (host, port, user, password, dbname, dsn, env_file, connect_timeout).
            environ: the environment to read (default ``os.environ``); ``.env`` values never override it.

        Returns:
            The settings.
        """
        from dotenv import dotenv_values

        env: dict[str, str] = {}
        env_file = db.get("env_file")
        if env_file and Path(str(env_file)).is_file():
            env.update({k: v for k, v in dotenv_values(str(env_file)).items() if v is not None})
        env.update(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for field, var in _ENV_FIELDS.items():
            value = db.get(field)
            if value in (None, ""):
                value = env.get(var) or None
            values[field] = value
        values["dbname"] = values["dbname"] or DEFAULT_DBNAME
        if _truthy(db.get("embedded")):  # db=embedded: the local server of `cdmbench db-serve`, started if needed
            from cdmbench.data_export.embedded_db import attach

            info = attach(Path(str(db.get("data_dir") or "data/postgres")), values["dbname"])
            values.update(host=info.host, port=info.port, user=info.user, password=None)
        if values["port"] is not None:
            try:
                values["port"] = int(values["port"])
            except ValueError:
                raise ConfigError(f"db.port must be a number, got {values['port']!r}; fix db.port or PGPORT.") from None
        return cls(
            **values,
            dsn=db.get("dsn") or None,
            connect_timeout=int(db.get("connect_timeout") or 10),
        )

    def conninfo(self) -> str:
        """The libpq connection string (contains the password: never log it; see ``redacted_conninfo``)."""
        timeout = {"connect_timeout": self.connect_timeout}
        if self.dsn is not None:
            try:
                parsed = conninfo_to_dict(self.dsn.get_secret_value())
            except psycopg.ProgrammingError:
                raise ConfigError(
                    "db.dsn is not a valid connection string; use postgresql://user@host:5432/db."
                ) from None
            return make_conninfo(**{**timeout, **parsed})
        fields = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password.get_secret_value() if self.password else None,
            "dbname": self.dbname,
        }
        return make_conninfo(**timeout, **{k: v for k, v in fields.items() if v is not None})


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        if value.lower() not in ("true", "false", ""):
            raise ConfigError(f"db.embedded must be true or false, got {value!r}.")
        return value.lower() == "true"
    return bool(value)


def redacted_conninfo(conninfo: str) -> str:
    """The connection string with its password replaced by ``***`` (safe to log)."""
    params = conninfo_to_dict(conninfo)
    if params.get("password"):
        params["password"] = "***"
    return " ".join(f"{k}={v}" for k, v in params.items())


def _target(params: Mapping[str, Any]) -> str:
    """Describe the server a connection string points at, for error messages."""
    host = str(params.get("host") or os.environ.get("PGHOST") or "")
    port = str(params.get("port") or os.environ.get("PGPORT") or 5432)
    if not host or host.startswith("/"):
        where = host or "the default socket directory"
        return f"the Unix socket {where}/.s.PGSQL.{port}"
    return f"{host}:{port}"


def _explain(exc: psycopg.OperationalError, params: Mapping[str, Any]) -> str:
    """Turn a libpq connection failure into a one-line message that says how to fix it."""
    text = str(exc).lower()
    user = params.get("user") or os.environ.get("PGUSER") or "(default user)"
    dbname = params.get("dbname") or os.environ.get("PGDATABASE") or user
    target = _target(params)
    if "password authentication failed" in text or "no password supplied" in text or "authentication failed" in text:
        return (
            f"PostgreSQL at {target} refused the login of user {user!r} (wrong or missing password). "
            "Set db.password or PGPASSWORD (e.g. in .env) for that user, or choose another db.user."
        )
    if "role" in text and "does not exist" in text:
        return f"PostgreSQL at {target} has no user {user!r}; create it (createuser {user}) or set db.user / PGUSER."
    if "database" in text and "does not exist" in text:
        return (
            f"PostgreSQL at {target} has no database {dbname!r}; create it with `createdb {dbname}` "
            "(or set db.dbname / PGDATABASE to an existing one)."
        )
    if "timeout" in text or "timed out" in text:
        return (
            f"PostgreSQL at {target} did not answer within the connect timeout; check that the server is up "
            "and reachable, or point db.host/db.port (or PGHOST/PGPORT, or db.dsn) at a running server."
        )
    return (
        f"cannot reach PostgreSQL at {target} (is the server running?). Start one (e.g. `pg_ctl start` or "
        "`sudo service postgresql start`) or point db.host/db.port (or PGHOST/PGPORT, or db.dsn) at a running server."
    )


def connect(settings: DbSettings, *, autocommit: bool = False) -> psycopg.Connection:
    """Open a connection, or raise one ``DatabaseError`` that names the server, user or database and the fix.

    Args:
        settings: connection settings.
        autocommit: open the connection in autocommit mode.

    Returns:
        An open psycopg connection (use it as a context manager to close it).

    Raises:
        DatabaseError: the server is unreachable, the login fails, or the database does not exist.
    """
    conninfo = settings.conninfo()
    params = conninfo_to_dict(conninfo)
    logger.info("connecting to PostgreSQL: {}", redacted_conninfo(conninfo))
    try:
        return psycopg.connect(conninfo, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        raise DatabaseError(_explain(exc, params)) from None
