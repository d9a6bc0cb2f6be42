"""``cdmbench db-load source=DIR``: bulk-load MIMIC-IV (real or synthetic) CSVs into PostgreSQL.

Every needed file is located before the database is touched. Each table is dropped, created with MIMIC-IV's
column types and filled with ``COPY ... FROM STDIN`` in one transaction, streaming the decompressed file in chunks
(real labevents is ~2.5 GB gzipped), so a failure leaves the previous table (or none), never a half-loaded one.
The indexes create-benchmark needs are added at the end, and ``cdmbench.load_info`` records what was loaded.

A database built by mimic-code (foreign keys between the tables) is refused before anything changes, with a
message saying what to do: create-benchmark reads such a database as it is.

Example:
    $ cdmbench db-load source=data/synthetic
    $ cdmbench db-load source=/data/physionet.org/files/mimiciv/3.1 \
        note_source=/data/physionet.org/files/mimic-iv-note/2.2
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from loguru import logger
from omegaconf import DictConfig
from psycopg import sql
from pydantic import BaseModel
from tqdm import tqdm

from cdmbench.data_export.db import DbSettings, connect
from cdmbench.data_export.load_info import read_synthetic_marker, record_load_info
from cdmbench.data_export.tables import (
    TABLES,
    TableSpec,
    create_table_sql,
    find_source_files,
    index_sql,
    read_csv_header,
    table_columns,
)
from cdmbench.errors import DatabaseError, DataSourceError

__all__ = ["CHUNK_BYTES", "LoadSummary", "check_foreign_keys", "load_mimic", "run"]

CHUNK_BYTES = 1 << 20
"""Bytes of decompressed CSV sent to the server per COPY write."""


class LoadSummary(BaseModel):
    """What a load did."""

    source: str
    """The source directory."""
    synthetic: bool
    """True when the source is generator output (holds SYNTHETIC)."""
    rows: dict[str, int | None]
    """Rows loaded per table (None: an existing table was kept because replace=false)."""
    seconds: dict[str, float]
    """Seconds per table."""
    total_seconds: float
    """Wall time of the whole load, indexes included."""


def _checked_columns(table: TableSpec, path: Path) -> list[str]:
    header = read_csv_header(path)
    known = table_columns(table)
    unknown = [c for c in header if c not in known]
    if unknown:
        raise DataSourceError(
            f"{str(path)!r} has columns {', '.join(unknown)} that MIMIC-IV's {table.qualified} lacks "
            f"(expected some of: {', '.join(known)}); is this the right file?"
        )
    return header


def _chunks(path: Path, bar: tqdm) -> Iterator[bytes]:
    """Yield the decompressed bytes of a file, advancing ``bar`` by compressed bytes read."""
    with open(path, "rb") as raw:
        if path.name.endswith(".gz"):
            import gzip

            stream = gzip.GzipFile(fileobj=raw)
        else:
            stream = raw
        while chunk := stream.read(CHUNK_BYTES):
            yield chunk
            bar.update(raw.tell() - bar.n)


def _copy_error(path: Path, exc: psycopg.Error) -> DataSourceError:
    primary = (exc.diag.message_primary or str(exc)).split(":")[0][:120]
    context = (exc.diag.context or "").split("\n")[0].split(": ")[0][:120]
    where = f" ({context})" if context else ""
    return DataSourceError(
        f"{str(path)!r} could not be loaded: {primary}{where}. The file is not in MIMIC-IV's format; "
        "re-download or regenerate it."
    )


def _table_has_rows(conn: psycopg.Connection, table: TableSpec) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table.qualified,)).fetchone()
    if not row or not row[0]:
        return False
    query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {}.{})").format(
        sql.Identifier(table.schema), sql.Identifier(table.name)
    )
    return bool(conn.execute(query).fetchone()[0])


_FOREIGN_KEYS = """
SELECT con.conname, src.relname, dst.relname
FROM pg_constraint con
JOIN pg_class src ON src.oid = con.conrelid
JOIN pg_class dst ON dst.oid = con.confrelid
WHERE con.contype = 'f' AND (con.confrelid = ANY(%(oids)s) OR con.conrelid = ANY(%(oids)s))
ORDER BY 1
"""


def check_foreign_keys(conn: psycopg.Connection, tables: list[TableSpec]) -> None:
    """Refuse to replace tables that foreign keys tie together (a mimic-code build), before any change.

    Raises:
        DatabaseError: naming a constraint and saying what to do instead.
    """
    oids = [
        row[0]
        for t in tables
        if (row := conn.execute("SELECT to_regclass(%s)::oid", (t.qualified,)).fetchone()) and row[0] is not None
    ]
    if not oids:
        return
    found = conn.execute(_FOREIGN_KEYS, {"oids": oids}).fetchall()
    if found:
        name, src, dst = found[0]
        raise DatabaseError(
            f"database {conn.info.dbname!r} has foreign keys between the MIMIC-IV tables ({len(found)}, e.g. {name} "
            f"on {src} -> {dst}), as a mimic-code build makes; db-load will not replace them. It already holds "
            "MIMIC-IV: run `cdmbench create-benchmark` on it directly, keep its tables with replace=false, or load "
            "into another database (db.dbname=cdmbench)."
        )


def load_table(conn: psycopg.Connection, table: TableSpec, path: Path, *, progress: bool = True) -> int:
    """Drop, create and fill one table from its CSV file in a single transaction.

    Args:
        conn: an open connection in autocommit mode (the table commits on its own).
        table: the table.
        path: its ``.csv`` or ``.csv.gz`` file.
        progress: show a tqdm bar (only on a terminal).

    Returns:
        The number of rows loaded.

    Raises:
        DataSourceError: the file's header or rows do not fit the table.
    """
    columns = _checked_columns(table, path)
    ident = sql.Identifier(table.schema, table.name)
    copy = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, HEADER true)").format(
        ident, sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    size = path.stat().st_size
    with tqdm(total=size, unit="B", unit_scale=True, desc=table.name, disable=None if progress else True) as bar:
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident))
                cur.execute(create_table_sql(table))
                with cur.copy(copy) as out:
                    for chunk in _chunks(path, bar):
                        out.write(chunk)
                rows = cur.rowcount
                cur.execute(sql.SQL("ANALYZE {}").format(ident))
        except (psycopg.errors.DataError, psycopg.errors.IntegrityConstraintViolation) as exc:
            raise _copy_error(path, exc) from None
        except (OSError, EOFError) as exc:
            raise DataSourceError(f"cannot read {str(path)!r}: {exc}; re-download or regenerate it.") from None
    return rows


def load_mimic(
    conn: psycopg.Connection,
    source: Path,
    *,
    note_source: Path | None = None,
    replace: bool = True,
    progress: bool = True,
) -> LoadSummary:
    """Load the 13 MIMIC-IV tables cdmbench needs from ``source`` (hosp/) and ``note_source`` (note/).

    Args:
        conn: an open connection; it is switched to autocommit so that each table commits on its own.
        source: the directory with ``hosp/*.csv.gz`` (and ``note/*.csv.gz`` unless ``note_source`` is given).
        note_source: the directory with ``note/*.csv.gz`` (MIMIC-IV-Note); default ``source``.
        replace: drop and reload tables that already hold rows (False keeps them).
        progress: show a tqdm bar per file.

    Returns:
        Rows and seconds per table.

    Raises:
        DataSourceError: the directory or a file is missing (checked before any change), or a file is malformed.
        DatabaseError: tables to replace are tied by foreign keys (a mimic-code database; checked before any change).
    """
    start = time.perf_counter()
    files = find_source_files(source, note_source=note_source)
    for table, path in files.items():
        _checked_columns(table, path)
    if not conn.autocommit:
        conn.commit()
        conn.autocommit = True
    to_load = [t for t in files if replace or not _table_has_rows(conn, t)]
    check_foreign_keys(conn, to_load)
    with conn.transaction():
        for schema in sorted({t.schema for t in TABLES}):
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    rows: dict[str, int | None] = {}
    seconds: dict[str, float] = {}
    for table, path in files.items():
        t0 = time.perf_counter()
        if table not in to_load:
            logger.info("{}: kept (replace=false)", table.qualified)
            rows[table.qualified] = None
        else:
            rows[table.qualified] = load_table(conn, table, path, progress=progress)
            logger.info("{}: {:,} rows from {}", table.qualified, rows[table.qualified], path.name)
        seconds[table.qualified] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    with conn.transaction():
        conn.execute(index_sql())
    logger.info("indexes: {:.1f} s", time.perf_counter() - t0)
    marker = read_synthetic_marker(source)
    record_load_info(conn, source.resolve(), marker, rows)
    return LoadSummary(
        source=str(source),
        synthetic=marker is not None,
        rows=rows,
        seconds=seconds,
        total_seconds=round(time.perf_counter() - start, 3),
    )


def run(cfg: DictConfig) -> int:
    """Runner of ``cdmbench db-load`` (config ``configs/db_load.yaml``)."""
    source = Path(str(cfg.source)).expanduser()
    note_source = Path(str(cfg.note_source)).expanduser() if cfg.get("note_source") else None
    find_source_files(source, note_source=note_source)  # fail on a missing file before connecting
    settings = DbSettings.from_config(cfg.db)
    with connect(settings, autocommit=True) as conn:
        summary = load_mimic(conn, source, note_source=note_source, replace=bool(cfg.get("replace", True)))
    kind = "synthetic" if summary.synthetic else "MIMIC-IV (credentialed)"
    logger.info("loaded {} data from {} in {:.1f} s:", kind, summary.source, summary.total_seconds)
    for name, count in summary.rows.items():
        shown = "kept" if count is None else f"{count:,} rows"
        logger.info("  {:<32} {:>14}  {:7.1f} s", name, shown, summary.seconds[name])
    return 0
