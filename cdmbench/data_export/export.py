"""``cdmbench create-benchmark``: extract benchmark cases from PostgreSQL with the rules of docs/export-rules.md.

Set-based: a temporary cohort table, then one streamed query per source table joined to it (``sql/export/``);
the rows are assembled into ``Case`` records in Python (``assemble.py``).

Example:
    $ cdmbench create-benchmark out=data/cases.json limit=100
    >>> with connect(settings) as conn:
    ...     result = export_cases(conn, limit=10)
    >>> result.exclusions["history_names_disease"]
    2
"""

from __future__ import annotations

import gc
import itertools
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
from loguru import logger
from omegaconf import DictConfig
from pydantic import BaseModel
from tqdm import tqdm

from cdmbench.cases import Case, Demographics, save_cases
from cdmbench.data_export.assemble import CaseParts
from cdmbench.data_export.db import DbSettings, connect
from cdmbench.data_export.load_info import read_load_info
from cdmbench.data_export.rules import REASONS, pathologies_in_title
from cdmbench.data_export.tables import TABLES, index_sql
from cdmbench.errors import ConfigError, DatabaseError
from cdmbench.vocabulary.pathologies import COHORT_PHRASES, PATHOLOGIES

__all__ = [
    "QUERIES",
    "ExportResult",
    "check_tables",
    "create_cohort_table",
    "ensure_indexes",
    "export_cases",
    "export_sql",
    "run",
]

QUERIES: tuple[str, ...] = ("labs", "microbiology", "radiology", "diagnoses", "procedures")
"""The per-source-table queries run after the cohort and the discharge notes."""

_COHORT_TABLE = """
DROP TABLE IF EXISTS pg_temp.cdm_cohort;
CREATE TEMP TABLE cdm_cohort (
  hadm_id INTEGER PRIMARY KEY, subject_id INTEGER NOT NULL, titles TEXT[], gender TEXT, age INTEGER,
  win_start TIMESTAMP, win_end TIMESTAMP, first_proc DATE
) ON COMMIT DROP
"""
_ITERSIZE = 20_000


class ExportResult(BaseModel):
    """The cases of an export and what was left out, and why."""

    cases: list[Case]
    """Cases ordered by hadm_id (the first ``limit`` when a limit was given)."""
    exclusions: dict[str, int]
    """Excluded admissions per reason, in rule order (``REASONS``)."""
    excluded: dict[int, str]
    """hadm_id -> exclusion reason of every excluded admission."""
    source: str
    """``synthetic`` when the database was loaded from generator output, else ``mimic-iv``."""

    def per_pathology(self) -> dict[str, int]:
        """Cases per pathology."""
        return {p: sum(1 for c in self.cases if c.pathology == p) for p in PATHOLOGIES}


@cache
def export_sql(name: str) -> str:
    """The text of ``sql/export/<name>.sql``."""
    return resources.files("cdmbench.data_export").joinpath("sql", "export", f"{name}.sql").read_text("utf-8")


def check_tables(conn: psycopg.Connection) -> None:
    """Raise one ``DatabaseError`` naming every MIMIC-IV table the export needs that the database lacks."""
    missing = [
        t.qualified
        for t in TABLES
        if conn.execute("SELECT to_regclass(%s) IS NULL", (t.qualified,)).fetchone()[0]  # type: ignore[index]
    ]
    if missing:
        dbname = conn.info.dbname
        raise DatabaseError(
            f"database {dbname!r} lacks table{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            "load MIMIC-IV (or synthetic data) first with `cdmbench db-load source=DIR`."
        )


def ensure_indexes(conn: psycopg.Connection) -> None:
    """Create the indexes the export needs (``IF NOT EXISTS``), so that a database built by another tool (e.g.
    mimic-code) is not scanned in full per query; without the privilege to create them, warn and go on."""
    start = time.perf_counter()
    try:
        with conn.transaction():
            conn.execute(index_sql())
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction):
        logger.warning(
            "no privilege to create the indexes create-benchmark needs (sql/indexes.sql); the export may be slow. "
            "Ask the database owner to run them once."
        )
        return
    if (seconds := time.perf_counter() - start) > 1:  # the first run on a database built by another tool
        logger.info("created the indexes create-benchmark needs in {:.1f} s", seconds)


def _stream(conn: psycopg.Connection, name: str, params: dict[str, Any] | None = None) -> Iterator[tuple]:
    """Run ``sql/export/<name>.sql`` on a server-side cursor and yield its rows.

    Binary: numbers arrive as machine values, not digits to parse (a third of the fetch time of the labs).
    """
    with conn.cursor(name=f"cdm_{name}", binary=True) as cur:
        cur.execute(export_sql(name), params)
        while rows := cur.fetchmany(_ITERSIZE):
            yield from rows


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: an export allocates millions of acyclic objects (rows, dicts,
    records) that its passes over the growing heap walk again and again without freeing any (a third of the
    export's Python time). Reference counting still frees everything; the collector is restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _cohort_pattern() -> str:
    return "(" + "|".join(re.escape(COHORT_PHRASES[p]) for p in PATHOLOGIES) + ")"


def create_cohort_table(conn: psycopg.Connection) -> None:
    """Create and fill the temporary table ``cdm_cohort`` (dropped at the end of the current transaction)."""
    conn.execute(_COHORT_TABLE)
    conn.execute(export_sql("cohort"), {"pattern": _cohort_pattern()})
    conn.execute("ANALYZE cdm_cohort")


def _build_cohort(conn: psycopg.Connection) -> dict[int, CaseParts]:
    create_cohort_table(conn)
    parts: dict[int, CaseParts] = {}
    rows = conn.execute("SELECT hadm_id, titles, gender, age FROM cdm_cohort ORDER BY hadm_id")
    for hadm_id, titles, gender, age in rows:
        candidates = sorted({p for t in titles for p in pathologies_in_title(t)}, key=PATHOLOGIES.index)
        if not candidates:  # the SQL pattern and the vocabulary disagree: a bug, not data
            raise RuntimeError(f"cohort titles {titles!r} of hadm_id {hadm_id} name no pathology")
        demographics = Demographics(age=age, gender=gender.strip()) if gender is not None and age is not None else None
        parts[hadm_id] = CaseParts(hadm_id=hadm_id, candidates=candidates, demographics=demographics)
    return parts


def _microbiology(conn: psycopg.Connection, parts: dict[int, CaseParts], params: dict[str, Any]) -> None:
    """Add each test's earliest result: the rows of one (hadm_id, test_itemid) come together, in order."""
    rows = _stream(conn, "microbiology", params)
    for (hadm_id, test_itemid), group in itertools.groupby(rows, key=lambda r: (r[0], r[1])):
        group = list(group)
        first = group[0]
        parts[hadm_id].add_microbiology(test_itemid, [r[2:6] for r in group], first[6], first[7])


def export_cases(
    conn: psycopg.Connection, limit: int | None = None, extended: bool = False, *, progress: bool = True
) -> ExportResult:
    """Extract the benchmark cases of a loaded MIMIC-IV database.

    Args:
        conn: an open connection to a database loaded by ``cdmbench db-load``.
        limit: keep only the first ``limit`` cases (by hadm_id).
        extended: up to 3 values per lab itemid, and only events charted before the first ICD procedure.
        progress: show a tqdm bar over the export steps.

    Returns:
        The cases, the exclusion counts per reason, and the excluded hadm_ids with their reasons.

    Raises:
        DatabaseError: a table the export needs is missing.
    """
    check_tables(conn)
    ensure_indexes(conn)
    info = read_load_info(conn)
    with _without_cyclic_gc():
        return _export(conn, info.cases_source if info is not None else "mimic-iv", limit, extended, progress)


def _export(conn: psycopg.Connection, source: str, limit: int | None, extended: bool, progress: bool) -> ExportResult:
    excluded: dict[int, str] = {}
    params = {"extended": extended, "per_item": 3 if extended else 1}
    steps = ["cohort", "discharge", *QUERIES]
    with conn.transaction(), tqdm(total=len(steps), desc="create-benchmark", disable=None if progress else True) as bar:
        parts = _build_cohort(conn)
        for (hadm_id,) in _stream(conn, "not_in_cohort"):
            excluded[hadm_id] = "not_in_cohort"
        bar.update()
        with_note: set[int] = set()
        for hadm_id, text in _stream(conn, "discharge"):
            with_note.add(hadm_id)
            if (reason := parts[hadm_id].add_note(text)) is not None:
                excluded[hadm_id] = reason
        for hadm_id in parts.keys() - with_note:
            excluded[hadm_id] = parts[hadm_id].add_note(None) or "no_history"
        dropped = [h for h in parts if h in excluded]
        conn.execute("DELETE FROM cdm_cohort WHERE hadm_id = ANY(%s)", (dropped,))
        for hadm_id in dropped:
            del parts[hadm_id]
        bar.update()
        for row in _stream(conn, "labs", params):
            parts[row[0]].add_lab(row, extended)
        bar.update()
        _microbiology(conn, parts, params)
        bar.update()
        for row in _stream(conn, "radiology", params):
            parts[row[0]].add_radiology(row)
        bar.update()
        for hadm_id, title in _stream(conn, "diagnoses"):
            if title is not None:
                parts[hadm_id].icd_diagnoses.append(title)
        bar.update()
        for hadm_id, icd_code, title in _stream(conn, "procedures"):
            parts[hadm_id].add_procedure(icd_code, title)
        bar.update()
    cases: list[Case] = []
    for hadm_id in sorted(parts):
        reason = parts[hadm_id].exclusion()
        if reason is None:
            cases.append(parts[hadm_id].to_case())
        else:
            excluded[hadm_id] = reason
    counts = {reason: 0 for reason in REASONS}
    for reason in excluded.values():
        counts[reason] += 1
    if limit is not None:
        cases = cases[:limit]
    return ExportResult(cases=cases, exclusions=counts, excluded=dict(sorted(excluded.items())), source=source)


def run(cfg: DictConfig) -> int:
    """Runner of ``cdmbench create-benchmark`` (config ``configs/create_benchmark.yaml``)."""
    out = Path(str(cfg.out)).expanduser()
    limit = cfg.get("limit")
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise ConfigError(f"limit must be a non-negative whole number or null, got {limit!r}.")
    extended = bool(cfg.get("extended", False))
    settings = DbSettings.from_config(cfg.db)
    start = time.perf_counter()
    with connect(settings) as conn:
        result = export_cases(conn, limit=limit, extended=extended)
    save_cases(out, result.cases, source=result.source)
    logger.info(
        "wrote {} cases ({} data{}) to {} in {:.1f} s",
        len(result.cases),
        result.source,
        ", extended" if extended else "",
        out,
        time.perf_counter() - start,
    )
    for pathology, n in result.per_pathology().items():
        logger.info("  {:<16} {:>6} cases", pathology, n)
    logger.info("excluded admissions per reason:")
    for reason, n in result.exclusions.items():
        logger.info("  {:<22} {:>8}", reason, n)
    return 0
