"""``cdmbench.load_info``: what ``db-load`` last loaded, so exports know whether the data are synthetic.

Cases are marked ``source: "synthetic"`` only when the database was loaded from a directory written by the
synthetic generator (it holds a ``SYNTHETIC`` marker file); anything else counts as credentialed MIMIC-IV.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from pydantic import BaseModel

__all__ = ["LoadInfo", "read_load_info", "read_synthetic_marker", "record_load_info"]

_CREATE = """
CREATE SCHEMA IF NOT EXISTS cdmbench;
CREATE TABLE IF NOT EXISTS cdmbench.load_info (
  id BIGSERIAL PRIMARY KEY,
  source TEXT NOT NULL,
  loaded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  synthetic BOOLEAN NOT NULL,
  synthetic_info JSONB,
  tables JSONB
)
"""


class LoadInfo(BaseModel):
    """One ``db-load`` run."""

    source: str
    """The source directory that was loaded."""
    loaded_at: datetime
    """When the load finished."""
    synthetic: bool
    """True when the source held the generator's SYNTHETIC marker."""
    synthetic_info: dict[str, Any] | None = None
    """The marker's JSON content (generator version, seed, ...)."""
    tables: dict[str, int | None] | None = None
    """Rows loaded per table (None for tables kept from an earlier load)."""

    @property
    def cases_source(self) -> str:
        """The ``source`` a cases file exported from this database gets."""
        return "synthetic" if self.synthetic else "mimic-iv"


def read_synthetic_marker(source: Path) -> dict[str, Any] | None:
    """The JSON of ``source/SYNTHETIC``, ``{}`` if it is not JSON, or None when the marker does not exist."""
    marker = source / "SYNTHETIC"
    if not marker.is_file():
        return None
    text = marker.read_text(encoding="utf-8", errors="replace")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {"text": text.strip()[:500]}
    return value if isinstance(value, dict) else {"value": value}


def record_load_info(
    conn: psycopg.Connection, source: Path, synthetic_info: dict[str, Any] | None, tables: dict[str, int | None]
) -> None:
    """Append a row to ``cdmbench.load_info`` (created if needed) and commit."""
    with conn.transaction():
        conn.execute(_CREATE)
        conn.execute(
            "INSERT INTO cdmbench.load_info (source, synthetic, synthetic_info, tables) VALUES (%s, %s, %s, %s)",
            (
                str(source),
                synthetic_info is not None,
                Jsonb(synthetic_info) if synthetic_info is not None else None,
                Jsonb(tables),
            ),
        )


def read_load_info(conn: psycopg.Connection) -> LoadInfo | None:
    """The latest ``db-load`` record, or None when the database was loaded some other way."""
    exists = conn.execute("SELECT to_regclass('cdmbench.load_info') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return None
    row = conn.execute(
        "SELECT source, loaded_at, synthetic, synthetic_info, tables FROM cdmbench.load_info ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    source, loaded_at, synthetic, info, tables = row
    return LoadInfo(source=source, loaded_at=loaded_at, synthetic=synthetic, synthetic_info=info, tables=tables)
