"""Writing the data set: gzip CSVs in MIMIC-IV v3.1's layout, truth.json, README.md and SYNTHETIC.

Files are written to temporary names in their target folders and renamed into place only when every file
is complete, so an existing data set is replaced as a whole or not at all. gzip headers carry no time and no
file name, so the same rows always give the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cdmbench.errors import OutputError
from cdmbench.io import ensure_dir

__all__ = ["TABLES", "StagedWriter", "csv_gz_bytes", "truth_text"]

TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "patients": ("hosp/patients.csv.gz", ("subject_id", "gender", "anchor_age", "anchor_year", "anchor_year_group", "dod")),
    "admissions": ("hosp/admissions.csv.gz", (
        "subject_id", "hadm_id", "admittime", "dischtime", "deathtime", "admission_type", "admit_provider_id",
        "admission_location", "discharge_location", "insurance", "language", "marital_status", "race", "edregtime",
        "edouttime", "hospital_expire_flag")),
    "transfers": ("hosp/transfers.csv.gz", ("subject_id", "hadm_id", "transfer_id", "eventtype", "careunit", "intime", "outtime")),
    "diagnoses_icd": ("hosp/diagnoses_icd.csv.gz", ("subject_id", "hadm_id", "seq_num", "icd_code", "icd_version")),
    "d_icd_diagnoses": ("hosp/d_icd_diagnoses.csv.gz", ("icd_code", "icd_version", "long_title")),
    "procedures_icd": ("hosp/procedures_icd.csv.gz", ("subject_id", "hadm_id", "seq_num", "chartdate", "icd_code", "icd_version")),
    "d_icd_procedures": ("hosp/d_icd_procedures.csv.gz", ("icd_code", "icd_version", "long_title")),
    "labevents": ("hosp/labevents.csv.gz", (
        "labevent_id", "subject_id", "hadm_id", "specimen_id", "itemid", "order_provider_id", "charttime", "storetime",
        "value", "valuenum", "valueuom", "ref_range_lower", "ref_range_upper", "flag", "priority", "comments")),
    "d_labitems": ("hosp/d_labitems.csv.gz", ("itemid", "label", "fluid", "category")),
    "microbiologyevents": ("hosp/microbiologyevents.csv.gz", (
        "microevent_id", "subject_id", "hadm_id", "micro_specimen_id", "order_provider_id", "chartdate", "charttime",
        "spec_itemid", "spec_type_desc", "test_seq", "storedate", "storetime", "test_itemid", "test_name", "org_itemid",
        "org_name", "isolate_num", "quantity", "ab_itemid", "ab_name", "dilution_text", "dilution_comparison",
        "dilution_value", "interpretation", "comments")),
    "discharge": ("note/discharge.csv.gz", (
        "note_id", "subject_id", "hadm_id", "note_type", "note_seq", "charttime", "storetime", "text")),
    "radiology": ("note/radiology.csv.gz", (
        "note_id", "subject_id", "hadm_id", "note_type", "note_seq", "charttime", "storetime", "text")),
    "radiology_detail": ("note/radiology_detail.csv.gz", (
        "note_id", "subject_id", "field_name", "field_value", "field_ordinal")),
}  # fmt: skip
"""Table name -> (path under the output folder, MIMIC-IV v3.1 columns in order)."""


def csv_gz_bytes(columns: tuple[str, ...], rows: Iterable[tuple]) -> tuple[bytes, int]:
    """A deterministic gzip CSV (header row, ``\\n`` line ends, NULL as empty) and its row count."""
    raw = io.BytesIO()
    count = 0
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
        text = io.TextIOWrapper(gz, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:  # csv writes None as an empty cell and a float as its repr
            if len(row) != len(columns):
                raise ValueError(f"row of {len(row)} cells for {len(columns)} columns: {row[:3]}...")
            writer.writerow(row)
            count += 1
        text.flush()
        text.detach()
    return raw.getvalue(), count


def truth_text(header: dict, cases: list[dict], excluded: list[dict]) -> str:
    """truth.json: the header keys, then one case per line, then the excluded admissions (valid JSON)."""
    head = json.dumps(header, ensure_ascii=False)[:-1]
    case_lines = ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases)
    excl_lines = ",\n".join(json.dumps(e) for e in excluded)
    return f'{head}, "cases": [\n{case_lines}\n], "excluded": [\n{excl_lines}\n]}}\n'


class StagedWriter:
    """Write files to temporary siblings; ``commit`` renames them all into place, ``discard`` removes them.

    Example:
        >>> with StagedWriter(Path("out")) as staged:
        ...     staged.write("hosp/patients.csv.gz", data)
    """

    def __init__(self, root: Path) -> None:
        self.root = ensure_dir(Path(root))
        self._staged: list[tuple[Path, Path]] = []

    def write(self, relpath: str, data: bytes) -> None:
        target = self.root / relpath
        ensure_dir(target.parent)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise OutputError(
                f"cannot write {str(target)!r}: {exc.strerror or exc}; choose a writable out=..."
            ) from None
        self._staged.append((Path(tmp), target))

    def commit(self) -> None:
        for tmp, target in self._staged:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise OutputError(f"cannot replace {str(target)!r}: {exc.strerror or exc}.") from None
        self._staged = []

    def discard(self) -> None:
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged = []

    def __enter__(self) -> StagedWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
