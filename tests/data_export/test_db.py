"""DbSettings: config fields, PG* fallback, .env (never overriding the environment), dsn, redaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from cdmbench.config import compose
from cdmbench.data_export.db import DbSettings, connect, redacted_conninfo
from cdmbench.errors import ConfigError, DatabaseError


def _db(**values):
    base = {"host": None, "port": None, "user": None, "password": None, "dbname": "mimiciv", "dsn": None}
    return {**base, "env_file": None, "connect_timeout": 3, **values}


def test_config_fields_win_over_environment() -> None:
    settings = DbSettings.from_config(_db(host="db.example", port=5433, user="me"), environ={"PGHOST": "other"})
    params = conninfo_to_dict(settings.conninfo())
    assert params == {"host": "db.example", "port": "5433", "user": "me", "dbname": "mimiciv", "connect_timeout": "3"}


def test_empty_fields_fall_back_to_pg_variables() -> None:
    env = {"PGHOST": "/run/pg", "PGPORT": "6000", "PGUSER": "u", "PGPASSWORD": "pw", "PGDATABASE": "x"}
    settings = DbSettings.from_config(_db(dbname=None), environ=env)
    assert (settings.host, settings.port, settings.user, settings.dbname) == ("/run/pg", 6000, "u", "x")
    assert settings.password is not None and settings.password.get_secret_value() == "pw"
    assert "pw" not in repr(settings)


def test_pgdatabase_is_honoured_by_the_shipped_config() -> None:
    cfg = compose("db_load", ["db.env_file=null"])
    assert cfg.db.dbname is None  # so that PGDATABASE counts
    assert DbSettings.from_config(cfg.db, environ={"PGDATABASE": "mimic4"}).dbname == "mimic4"
    assert DbSettings.from_config(cfg.db, environ={}).dbname == "mimiciv"  # neither given: the default


def test_env_file_fills_gaps_but_never_overrides(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PGHOST=from-dotenv\nPGUSER=dotenv-user\nPGPASSWORD=dotenv-pw\n")
    settings = DbSettings.from_config(_db(env_file=str(env_file)), environ={"PGUSER": "real-user"})
    assert (settings.host, settings.user) == ("from-dotenv", "real-user")
    assert settings.password is not None and settings.password.get_secret_value() == "dotenv-pw"


def test_dsn_wins() -> None:
    settings = DbSettings.from_config(_db(host="ignored", dsn="postgresql://a:secret@h:5555/d"), environ={})
    params = conninfo_to_dict(settings.conninfo())
    assert (params["host"], params["port"], params["user"], params["dbname"]) == ("h", "5555", "a", "d")
    assert "secret" not in redacted_conninfo(settings.conninfo())
    assert "password=***" in redacted_conninfo(settings.conninfo())


def test_bad_port_and_bad_dsn() -> None:
    with pytest.raises(ConfigError, match=r"db\.port"):
        DbSettings.from_config(_db(port="abc"), environ={})
    with pytest.raises(ConfigError, match=r"db\.dsn"):
        DbSettings.from_config(_db(dsn="not a = valid = dsn"), environ={}).conninfo()


def test_composed_config_gives_settings() -> None:
    cfg = compose("create_benchmark", ["db.host=h", "db.port=5432", "db.env_file=null"])
    settings = DbSettings.from_config(cfg.db, environ={})
    assert (settings.host, settings.port, settings.dbname) == ("h", 5432, "mimiciv")


def test_unreachable_server_message(tmp_path: Path) -> None:
    settings = DbSettings(host=str(tmp_path), port=5999, user="u", dbname="d")
    with pytest.raises(DatabaseError, match=r"cannot reach PostgreSQL at the Unix socket .*\.s\.PGSQL\.5999"):
        connect(settings)
