"""Build cdmbench Cases from the MIMIC-IV-Ext-CDM 1.1 files (the conversion itself, no file writing)."""

from __future__ import annotations

from pathlib import Path

from loguru import logger
from pydantic import BaseModel, Field
from tqdm import tqdm

from cdmbench.cases import PATHOLOGIES, Case, GroundTruth
from cdmbench.data_export.convert_cdmv1._layout import check_layout, read_pathology_ids
from cdmbench.data_export.convert_cdmv1._records import AdmissionTables, read_admission_tables

__all__ = ["SOURCE", "ConversionSummary", "convert_cdmv1"]

SOURCE = "mimic-iv-ext-cdm"
"""The ``source`` mark of a converted cases file (credentialed data)."""


class ConversionSummary(BaseModel):
    """What a conversion produced and what it had to skip or repair (counts only, never patient text)."""

    cases_per_pathology: dict[str, int] = Field(default_factory=dict)
    """Converted admissions per pathology."""
    skipped_no_hpi: int = 0
    """Admissions listed in pathology_ids.json without a history of present illness (skipped)."""
    listed_twice: int = 0
    """Admissions listed under more than one pathology (kept under the first)."""
    duplicate_lab_rows: int = 0
    """Lab rows dropped because the admission already had a value for that itemid."""
    unmapped_lab_itemids: list[int] = Field(default_factory=list)
    """Lab itemids missing from lab_test_mapping.csv (named 'itemid N')."""
    unmapped_imaging: dict[str, int] = Field(default_factory=dict)
    """CDMv1 modality/region names with no canonical counterpart (stored as None), with counts."""

    @property
    def total(self) -> int:
        """Number of converted cases."""
        return sum(self.cases_per_pathology.values())


def _case(hadm_id: int, pathology: str, tables: AdmissionTables) -> Case:
    return Case(
        hadm_id=hadm_id,
        pathology=pathology,
        patient_history=tables.hpi[hadm_id],
        physical_exam_text=tables.pe.get(hadm_id, ""),
        lab_results=tables.labs.get(hadm_id, []),
        microbiology_events=tables.microbiology.get(hadm_id, []),
        radiology_reports=tables.radiology.get(hadm_id, []),
        ground_truth=GroundTruth(
            primary_diagnosis=tables.diagnosis.get(hadm_id, []),
            icd_diagnoses=tables.icd_diagnoses.get(hadm_id, []),
            treatments=tables.treatments.get(hadm_id, []),
        ),
    )


def convert_cdmv1(source: str | Path, *, progress: bool = True) -> tuple[list[Case], ConversionSummary]:
    """Convert a MIMIC-IV-Ext-CDM 1.1 directory into cdmbench cases, ordered by hadm_id.

    Args:
        source: the directory with the PhysioNet CSV files and pathology_ids.json.
        progress: show a tqdm progress bar while cases are built.

    Returns:
        The cases and a summary of what was converted, skipped and left unmapped.

    Raises:
        DataSourceError: a file or column is missing or a cell cannot be read.

    Example:
        >>> cases, summary = convert_cdmv1("data/mimic-iv-ext-cdm")
        >>> summary.cases_per_pathology["appendicitis"]
        957
    """
    source = Path(source)
    check_layout(source)
    listed = read_pathology_ids(source)
    tables = read_admission_tables(source)
    summary = ConversionSummary(
        cases_per_pathology={p: 0 for p in PATHOLOGIES if p in listed},
        duplicate_lab_rows=tables.duplicate_lab_rows,
        unmapped_lab_itemids=sorted(tables.unmapped_lab_itemids),
        unmapped_imaging=dict(sorted(tables.unmapped_imaging.items())),
    )
    pathology_of: dict[int, str] = {}
    for pathology in PATHOLOGIES:
        for hadm_id in listed.get(pathology, []):
            if hadm_id in pathology_of:
                summary.listed_twice += 1
                logger.warning(
                    "hadm_id {} is listed under {} and {} in pathology_ids.json; kept as {}",
                    hadm_id,
                    pathology_of[hadm_id],
                    pathology,
                    pathology_of[hadm_id],
                )
                continue
            pathology_of[hadm_id] = pathology
    cases: list[Case] = []
    for hadm_id in tqdm(sorted(pathology_of), desc="convert-cdmv1", unit="case", disable=not progress):
        if hadm_id not in tables.hpi:
            summary.skipped_no_hpi += 1
            logger.warning("hadm_id {} has no history of present illness; skipped", hadm_id)
            continue
        pathology = pathology_of[hadm_id]
        cases.append(_case(hadm_id, pathology, tables))
        summary.cases_per_pathology[pathology] += 1
    return cases, summary
