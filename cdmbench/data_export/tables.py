"""The MIMIC-IV tables cdmbench loads: where their files live, their DDL, and reading a CSV header.

A source directory holds ``hosp/<table>.csv.gz`` (plain ``.csv`` works too) and a note source directory holds
``note/<table>.csv.gz``. PhysioNet ships them as two downloads (``mimiciv/<v>/hosp`` and ``mimic-iv-note/<v>/note``),
so the note directory may differ from the hosp one; ``cdmbench synthesize`` writes both into one. Other files in
those directories are ignored.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from cdmbench.errors import DataSourceError

__all__ = [
    "TABLES",
    "TableSpec",
    "create_table_sql",
    "find_source_files",
    "index_sql",
    "open_csv_bytes",
    "read_csv_header",
    "table_columns",
]


@dataclass(frozen=True)
class TableSpec:
    """One MIMIC-IV table: its PostgreSQL schema and name, and the source subdirectory of its file."""

    schema: str
    name: str
    subdir: str

    @property
    def qualified(self) -> str:
        """``schema.name``."""
        return f"{self.schema}.{self.name}"


TABLES: tuple[TableSpec, ...] = (
    *(
        TableSpec("mimiciv_hosp", name, "hosp")
        for name in (
            "patients",
            "admissions",
            "transfers",
            "diagnoses_icd",
            "d_icd_diagnoses",
            "procedures_icd",
            "d_icd_procedures",
            "labevents",
            "d_labitems",
            "microbiologyevents",
        )
    ),
    *(TableSpec("mimiciv_note", name, "note") for name in ("discharge", "radiology", "radiology_detail")),
)


def _sql_text(name: str) -> str:
    return resources.files("cdmbench.data_export").joinpath("sql", name).read_text(encoding="utf-8")


@cache
def _ddl() -> dict[str, str]:
    statements: dict[str, str] = {}
    for match in re.finditer(r"CREATE TABLE\s+(\w+\.\w+)\s*\(.*?\);", _sql_text("schema.sql"), flags=re.S):
        statements[match.group(1)] = match.group(0)
    return statements


def create_table_sql(table: TableSpec) -> str:
    """The ``CREATE TABLE`` statement of a table (MIMIC-IV column types)."""
    return _ddl()[table.qualified]


def table_columns(table: TableSpec) -> list[str]:
    """The column names of a table, in DDL order."""
    body = create_table_sql(table).split("(", 1)[1].rsplit(")", 1)[0]
    return [line.strip().split()[0].lower() for line in body.split(",\n") if line.strip()]


def index_sql() -> str:
    """The ``CREATE INDEX IF NOT EXISTS`` statements create-benchmark needs."""
    return _sql_text("indexes.sql")


def find_source_files(
    source: Path, tables: tuple[TableSpec, ...] = TABLES, note_source: Path | None = None
) -> dict[TableSpec, Path]:
    """Locate the CSV file of every table, before anything touches the database.

    Args:
        source: the directory holding ``hosp/`` (and ``note/`` unless ``note_source`` is given).
        tables: the tables to find.
        note_source: the directory holding ``note/`` (MIMIC-IV-Note, a separate download); default ``source``.

    Returns:
        The file of each table (``.csv.gz`` preferred over ``.csv``).

    Raises:
        DataSourceError: the directory or any file is missing (all missing files are named).
    """
    note_source = source if note_source is None else note_source
    for key, folder in (("source", source), ("note_source", note_source)):
        if not folder.is_dir():
            what = "is not a directory" if folder.exists() else "does not exist"
            raise DataSourceError(
                f"{key} directory {str(folder)!r} {what}; pass source=DIR with hosp/ (a MIMIC-IV download, or the "
                "output of `cdmbench synthesize`) and, when MIMIC-IV-Note is a separate download, note_source=DIR "
                "with note/."
            )
    found: dict[TableSpec, Path] = {}
    missing: list[str] = []
    for table in tables:
        root = note_source if table.subdir == "note" else source
        candidates = [root / table.subdir / f"{table.name}{ext}" for ext in (".csv.gz", ".csv")]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            missing.append(str(root / table.subdir / f"{table.name}.csv.gz"))
        else:
            found[table] = path
    if missing:
        hint = (
            "download MIMIC-IV (hosp/) into source and MIMIC-IV-Note (note/) into note_source (PhysioNet: "
            "mimiciv/<version> and mimic-iv-note/<version>), or regenerate with `cdmbench synthesize`."
        )
        raise DataSourceError(f"missing {', '.join(missing)}; {hint}")
    return found


def open_csv_bytes(path: Path) -> io.BufferedIOBase:
    """Open a ``.csv`` or ``.csv.gz`` file for reading decompressed bytes."""
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def read_csv_header(path: Path) -> list[str]:
    """The lower-cased column names of a CSV file's header line.

    Raises:
        DataSourceError: the file is empty, not gzip, or not UTF-8.
    """
    try:
        with open_csv_bytes(path) as fh:
            line = fh.readline(1 << 16).decode("utf-8-sig")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"cannot read the header of {str(path)!r}: {exc}; re-download the file.") from None
    header = next(csv.reader([line]), [])
    if not header:
        raise DataSourceError(f"{str(path)!r} is empty; it needs a CSV header line. Re-download the file.")
    return [name.strip().lower() for name in header]
