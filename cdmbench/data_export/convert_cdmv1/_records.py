"""Per-admission records from the CDMv1 tables: one pass over each table, grouped by hadm_id.

Every table is grouped in a single pass (``O(rows)``), never filtered per admission. Rows keep their
file order inside an admission; ``sequence_num`` is the 0-based position among the kept rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cdmbench.cases import LabResult, MicrobiologyEvent, RadiologyReport, Treatment
from cdmbench.data_export.convert_cdmv1._layout import read_table, to_float, to_int
from cdmbench.data_export.convert_cdmv1._vocab import (
    LabLabel,
    build_lab_dictionary,
    canonical_modality,
    canonical_region,
    diagnosis_lines,
    normalize_icd_code,
    text_or_none,
)
from cdmbench.errors import DataSourceError

__all__ = ["AdmissionTables", "read_admission_tables"]


@dataclass
class AdmissionTables:
    """Everything the CDMv1 files hold, keyed by hadm_id, plus counts of what needed repair."""

    hpi: dict[int, str] = field(default_factory=dict)
    pe: dict[int, str] = field(default_factory=dict)
    labs: dict[int, list[LabResult]] = field(default_factory=dict)
    microbiology: dict[int, list[MicrobiologyEvent]] = field(default_factory=dict)
    radiology: dict[int, list[RadiologyReport]] = field(default_factory=dict)
    diagnosis: dict[int, list[str]] = field(default_factory=dict)
    icd_diagnoses: dict[int, list[str]] = field(default_factory=dict)
    treatments: dict[int, list[Treatment]] = field(default_factory=dict)
    unmapped_lab_itemids: set[int] = field(default_factory=set)
    duplicate_lab_rows: int = 0
    unmapped_imaging: Counter = field(default_factory=Counter)


def _group(hadm_ids: pd.Series, rows: Iterable[Any]) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for hadm_id, row in zip(hadm_ids.tolist(), rows, strict=True):
        groups[int(hadm_id)].append(row)
    return groups


def _table(source: Path, name: str) -> tuple[pd.DataFrame, pd.Series]:
    df = read_table(source, name)
    return df, to_int(df, "hadm_id", name)


def _first_text(source: Path, name: str, column: str) -> dict[int, str]:
    df, hadm = _table(source, name)
    out: dict[int, str] = {}
    for hadm_id, text in zip(hadm.tolist(), df[column].tolist(), strict=True):
        text = text_or_none(text)
        if text is not None and text.strip() and hadm_id not in out:
            out[int(hadm_id)] = text.strip()
    return out


def _labs(source: Path, labels: dict[int, LabLabel], tables: AdmissionTables) -> None:
    name = "laboratory_tests.csv"
    df, hadm = _table(source, name)
    itemids = to_int(df, "itemid", name).tolist()
    lower = to_float(df, "ref_range_lower", name).tolist()
    upper = to_float(df, "ref_range_upper", name).tolist()
    rows = zip(itemids, df["valuestr"].tolist(), lower, upper, strict=True)
    for hadm_id, group in _group(hadm, rows).items():
        results: list[LabResult] = []
        seen: set[int] = set()
        for itemid, value, low, high in group:
            if itemid in seen:  # CDMv1 keeps one value per itemid; keep the first
                tables.duplicate_lab_rows += 1
                continue
            seen.add(itemid)
            label = labels.get(itemid)
            if label is None:
                tables.unmapped_lab_itemids.add(itemid)
            results.append(
                LabResult(
                    itemid=itemid,
                    test_name=label.label if label else f"itemid {itemid}",
                    fluid=label.fluid if label else None,
                    category=label.category if label else None,
                    value=text_or_none(value),
                    ref_range_lower=None if pd.isna(low) else low,
                    ref_range_upper=None if pd.isna(high) else high,
                    sequence_num=len(results),
                )
            )
        tables.labs[hadm_id] = results


def _microbiology(source: Path, labels: dict[int, LabLabel], tables: AdmissionTables) -> None:
    name = "microbiology.csv"
    df, hadm = _table(source, name)
    test_ids = to_int(df, "test_itemid", name).tolist()
    spec_ids = to_int(df, "spec_itemid", name, allow_missing=True).tolist()
    rows = zip(test_ids, df["valuestr"].tolist(), spec_ids, strict=True)
    for hadm_id, group in _group(hadm, rows).items():
        events = []
        for position, (test_itemid, value, spec_itemid) in enumerate(group):
            test = labels.get(test_itemid)
            spec = None if pd.isna(spec_itemid) else labels.get(int(spec_itemid))
            events.append(
                MicrobiologyEvent(
                    test_itemid=test_itemid,
                    test_name=test.label if test else None,
                    spec_type_desc=spec.label if spec else None,
                    comments=text_or_none(value),
                    sequence_num=position,
                )
            )
        tables.microbiology[hadm_id] = events


def _radiology(source: Path, tables: AdmissionTables) -> None:
    df, hadm = _table(source, "radiology_reports.csv")
    columns = ("note_id", "modality", "region", "exam_name", "text")
    rows = zip(*(df[c].tolist() for c in columns), strict=True)
    for hadm_id, group in _group(hadm, rows).items():
        reports = []
        for position, (note_id, modality, region, exam_name, text) in enumerate(group):
            canon_modality = canonical_modality(modality, exam_name)
            canon_region = canonical_region(region, exam_name)
            if canon_modality is None and text_or_none(modality):
                tables.unmapped_imaging[f"modality {str(modality).strip()}"] += 1
            if canon_region is None and text_or_none(region):
                tables.unmapped_imaging[f"region {str(region).strip()}"] += 1
            reports.append(
                RadiologyReport(
                    note_id=text_or_none(note_id) or f"{hadm_id}-RR-{position}",
                    exam_name=text_or_none(exam_name),
                    modality=canon_modality,
                    region=canon_region,
                    text=text_or_none(text),
                    sequence_num=position,
                )
            )
        tables.radiology[hadm_id] = reports


def _ground_truth(source: Path, tables: AdmissionTables) -> None:
    df, hadm = _table(source, "discharge_diagnosis.csv")
    for hadm_id, texts in _group(hadm, df["discharge_diagnosis"].tolist()).items():
        tables.diagnosis[hadm_id] = [line for text in texts for line in diagnosis_lines(text)]

    df, hadm = _table(source, "icd_diagnosis.csv")
    for hadm_id, titles in _group(hadm, df["icd_diagnosis"].tolist()).items():
        tables.icd_diagnoses[hadm_id] = [t.strip() for t in map(text_or_none, titles) if t and t.strip()]

    name = "icd_procedures.csv"
    df, hadm = _table(source, name)
    versions = to_int(df, "icd_version", name)
    if (~versions.isin([9, 10])).any():
        line = int((~versions.isin([9, 10])).to_numpy().nonzero()[0][0]) + 2
        raise DataSourceError(f"{name}, line {line}: column 'icd_version' must be 9 or 10; fix the row.")
    rows = zip(df["icd_code"].tolist(), versions.tolist(), df["icd_title"].tolist(), strict=True)
    for hadm_id, group in _group(hadm, rows).items():
        coded = []
        for code, version, title in group:
            icd_code = normalize_icd_code(code, int(version))
            coded.append(Treatment(title=(text_or_none(title) or icd_code).strip(), icd_code=icd_code, is_coded=True))
        tables.treatments[hadm_id] = coded

    df, hadm = _table(source, "discharge_procedures.csv")
    for hadm_id, texts in _group(hadm, df["discharge_procedure"].tolist()).items():
        titles = [t.strip() for t in map(text_or_none, texts) if t and t.strip() and t.strip().lower() != "none"]
        tables.treatments.setdefault(hadm_id, []).extend(Treatment(title=t, is_coded=False) for t in titles)


def read_admission_tables(source: Path) -> AdmissionTables:
    """Read every CSV of a MIMIC-IV-Ext-CDM directory into per-admission records.

    Args:
        source: the directory holding the PhysioNet CSV files.

    Returns:
        The records, keyed by hadm_id, and counts of unmapped names and dropped duplicates.

    Raises:
        DataSourceError: a file or column is missing, or a cell cannot be read (names the file and line).
    """
    labels = build_lab_dictionary(read_table(source, "lab_test_mapping.csv"))
    tables = AdmissionTables(
        hpi=_first_text(source, "history_of_present_illness.csv", "hpi"),
        pe=_first_text(source, "physical_examination.csv", "pe"),
    )
    _labs(source, labels, tables)
    _microbiology(source, labels, tables)
    _radiology(source, tables)
    _ground_truth(source, tables)
    return tables
