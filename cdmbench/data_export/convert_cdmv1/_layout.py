"""The MIMIC-IV-Ext-CDM 1.1 file layout: which files and columns the conversion reads, and reading them.

Every table is read with pandas as text (so codes keep their leading zeros and ``NA`` stays a value);
only empty fields are missing. A missing file or column is a ``DataSourceError`` that names it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cdmbench.cases import PATHOLOGIES
from cdmbench.errors import DataSourceError

__all__ = [
    "OPTIONAL_COLUMNS",
    "PATHOLOGY_IDS_FILE",
    "TABLES",
    "check_layout",
    "read_pathology_ids",
    "read_table",
    "to_float",
    "to_int",
]

TABLES: dict[str, tuple[str, ...]] = {
    "history_of_present_illness.csv": ("hadm_id", "hpi"),
    "physical_examination.csv": ("hadm_id", "pe"),
    "laboratory_tests.csv": ("hadm_id", "itemid", "valuestr", "ref_range_lower", "ref_range_upper"),
    "microbiology.csv": ("hadm_id", "test_itemid", "valuestr", "spec_itemid"),
    "radiology_reports.csv": ("hadm_id", "note_id", "modality", "region", "exam_name", "text"),
    "discharge_diagnosis.csv": ("hadm_id", "discharge_diagnosis"),
    "icd_diagnosis.csv": ("hadm_id", "icd_diagnosis"),
    "discharge_procedures.csv": ("hadm_id", "discharge_procedure"),
    "icd_procedures.csv": ("hadm_id", "icd_code", "icd_version", "icd_title"),
    "lab_test_mapping.csv": ("label", "itemid", "fluid", "corresponding_ids"),
}
"""Required columns of each CSV file (more columns may be present and are ignored)."""

OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"lab_test_mapping.csv": ("category",)}
"""Columns read when present."""

PATHOLOGY_IDS_FILE = "pathology_ids.json"

LAYOUT_HINT = (
    "expected the MIMIC-IV-Ext-CDM 1.1 (PhysioNet) layout: "
    + ", ".join([*TABLES, PATHOLOGY_IDS_FILE])
    + " in one directory (set source=DIR)"
)


def _require_file(source: Path, name: str) -> Path:
    if not source.is_dir():
        raise DataSourceError(f"source directory {str(source)!r} does not exist; {LAYOUT_HINT}.")
    path = source / name
    if not path.is_file():
        raise DataSourceError(f"{name} is missing from {str(source)!r}; {LAYOUT_HINT}.")
    return path


def check_layout(source: Path) -> None:
    """Check that every file of the layout is there before reading any (fail fast on a wrong directory)."""
    for name in [*TABLES, PATHOLOGY_IDS_FILE]:
        _require_file(source, name)


def read_table(source: Path, name: str) -> pd.DataFrame:
    """Read one CSV of the layout as text columns, checking that its required columns are there.

    Args:
        source: the MIMIC-IV-Ext-CDM directory.
        name: a file name of ``TABLES``.

    Returns:
        A DataFrame with the required (and present optional) columns, as strings; empty fields are NaN.

    Raises:
        DataSourceError: the file is missing, unreadable, or lacks a required column.
    """
    path = _require_file(source, name)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataSourceError(f"cannot read {path}: {type(exc).__name__}: {str(exc).splitlines()[0]}.") from None
    df.columns = [str(c).strip() for c in df.columns]
    required = TABLES[name]
    for column in required:
        if column not in df.columns:
            raise DataSourceError(
                f"{path}: column {column!r} is missing (found: {', '.join(df.columns) or 'none'}); "
                f"{name} needs the columns {', '.join(required)}."
            )
    keep = [*required, *(c for c in OPTIONAL_COLUMNS.get(name, ()) if c in df.columns)]
    return df[keep]


def to_int(df: pd.DataFrame, column: str, name: str, *, allow_missing: bool = False) -> pd.Series:
    """Column as nullable integers; a value that is not an integer is a ``DataSourceError`` naming the CSV row."""
    values = pd.to_numeric(df[column].str.strip(), errors="coerce")
    bad = values.isna() & (df[column].notna() | (not allow_missing))
    bad |= values.notna() & (values != values.round())
    if bad.any():
        line = int(bad.to_numpy().nonzero()[0][0]) + 2  # header is line 1
        raise DataSourceError(f"{name}, line {line}: column {column!r} must hold an integer; fix or remove the row.")
    return values.astype("Int64")


def to_float(df: pd.DataFrame, column: str, name: str) -> pd.Series:
    """Column as floats (NaN where empty); a non-numeric value is a ``DataSourceError`` naming the CSV row."""
    values = pd.to_numeric(df[column].str.strip(), errors="coerce")
    bad = values.isna() & df[column].notna()
    if bad.any():
        line = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise DataSourceError(f"{name}, line {line}: column {column!r} must be a number or empty; fix the row.")
    return values.astype(float)


def read_pathology_ids(source: Path) -> dict[str, list[int]]:
    """Read ``pathology_ids.json``: pathology -> hadm_ids.

    Raises:
        DataSourceError: the file is missing, not JSON, names an unknown pathology or holds a non-integer id.
    """
    path = _require_file(source, PATHOLOGY_IDS_FILE)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataSourceError(f"cannot read {path}: {exc}; expected {{pathology: [hadm_id, ...]}}.") from None
    if not isinstance(raw, dict):
        raise DataSourceError(f"{path}: expected a JSON object {{pathology: [hadm_id, ...]}}.")
    out: dict[str, list[int]] = {}
    for pathology, ids in raw.items():
        if pathology not in PATHOLOGIES:
            raise DataSourceError(f"{path}: unknown pathology {pathology!r}; use {', '.join(PATHOLOGIES)}.")
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise DataSourceError(f"{path}: {pathology!r} must be a list of integer hadm_ids.")
        out[pathology] = ids
    return out
