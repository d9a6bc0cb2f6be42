"""Turn the export's SQL rows into the parts of a ``Case``, following docs/export-rules.md.

Pure functions and one accumulator (``CaseParts``); no database access. The SQL (``sql/export/*.sql``) has
already applied the cohort, the time window, the first-value rule and the microbiology de-duplication.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cdmbench.cases import (
    Case,
    Demographics,
    GroundTruth,
    LabResult,
    MicrobiologyEvent,
    RadiologyReport,
    Treatment,
)
from cdmbench.data_export.text import (
    clean_radiology_report,
    discharge_diagnoses,
    discharge_procedures,
    extract_history,
    extract_hpi_only,
    extract_physical_exam,
)
from cdmbench.vocabulary.imaging import classify_exam
from cdmbench.vocabulary.pathologies import PATHOLOGY_WORDS, mask_pathology_words

__all__ = ["REASONS", "CaseParts", "hpi_exclusion", "iso_time", "lab_value"]

REASONS: tuple[str, ...] = ("not_in_cohort", "no_hpi", "hpi_names_disease", "no_labs", "no_abdominal_imaging")
"""Exclusion reasons, in the order the rules are applied."""


def iso_time(value: datetime | date | str | None) -> str | None:
    """ISO 8601 text of a timestamp (``2150-03-02T10:15:00``), or None; text (formatted by the SQL) is kept."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _present(value: Any) -> bool:
    return value is not None and value != ""


def lab_value(value: str | None, valuenum: float | None, valueuom: str | None, flag: str | None, comments: str | None):
    """A lab's displayed value: ``"<valuenum> <valueuom>"``, else ``value``, else ``flag``, else ``comments``.

    Example:
        >>> lab_value("14.2", 14.2, "K/uL", None, None)
        '14.2 K/uL'
        >>> lab_value(None, 7, None, None, None)
        '7.0'
    """
    if valuenum is not None:
        number = repr(float(valuenum))
        return f"{number} {valueuom}" if _present(valueuom) and valueuom.strip() else number
    for candidate in (value, flag, comments):
        if _present(candidate):
            return candidate
    return None


def hpi_exclusion(note: str | None, pathology: str) -> str | None:
    """``no_hpi`` or ``hpi_names_disease`` when the discharge note fails the HPI rules, else None."""
    hpi = extract_hpi_only(note) if note else None
    if not hpi:
        return "no_hpi"
    if PATHOLOGY_WORDS[pathology].lower() in hpi.lower():
        return "hpi_names_disease"
    return None


@dataclass
class CaseParts:
    """Everything gathered for one cohort admission before it becomes a ``Case``."""

    hadm_id: int
    pathology: str
    demographics: Demographics | None = None
    patient_history: str = ""
    physical_exam_text: str = ""
    primary_diagnosis: list[str] = field(default_factory=list)
    note_procedures: list[str] = field(default_factory=list)
    labs: list[LabResult] = field(default_factory=list)
    microbiology: list[MicrobiologyEvent] = field(default_factory=list)
    radiology: list[RadiologyReport] = field(default_factory=list)
    icd_diagnoses: list[str] = field(default_factory=list)
    icd_procedures: list[Treatment] = field(default_factory=list)
    has_labs: bool = False
    has_abdominal_imaging: bool = False

    def add_note(self, note: str) -> None:
        """Take history, exam (masked) and the ground-truth sections from the discharge note."""
        self.patient_history = extract_history(note) or ""
        self.physical_exam_text = mask_pathology_words(extract_physical_exam(note) or "", self.pathology)
        self.primary_diagnosis = discharge_diagnoses(note)
        self.note_procedures = discharge_procedures(note)

    def add_lab(self, row: tuple, extended: bool) -> None:
        """Add a row of ``labs.sql`` (itemid, label, fluid, category, value, valuenum, valueuom, flag, ...)."""
        (_, itemid, label, fluid, category, value, valuenum, valueuom, flag, comments, lower, upper, charttime,
         rank, in_scope) = row  # fmt: skip
        self.has_labs = True
        if not in_scope or (not extended and rank > 0):
            return
        # model_construct: the SQL column types already guarantee the field types, and labs are ~95% of all
        # records, so validating each would double the export time (load_cases validates the file later).
        self.labs.append(
            LabResult.model_construct(
                itemid=itemid,
                test_name=label if label is not None else str(itemid),
                fluid=fluid,
                category=category,
                value=lab_value(value, valuenum, valueuom, flag, comments),
                ref_range_lower=lower,
                ref_range_upper=upper,
                charttime=iso_time(charttime),
                sequence_num=rank if extended else len(self.labs),
            )
        )

    def add_microbiology(self, row: tuple) -> None:
        """Add a row of ``microbiology.sql``."""
        _, test_itemid, test_name, spec_type_desc, org_name, comments, charttime, in_scope = row
        if not in_scope:
            return
        self.microbiology.append(
            MicrobiologyEvent(
                test_itemid=test_itemid,
                test_name=test_name,
                spec_type_desc=spec_type_desc,
                organism_name=org_name,
                comments=comments,
                charttime=iso_time(charttime),
                sequence_num=len(self.microbiology),
            )
        )

    def add_radiology(self, row: tuple) -> None:
        """Add a row of ``radiology.sql``: classify the exam, clean and mask the text, drop what is unusable."""
        _, note_id, exam_name, text, charttime, in_scope = row
        modality, region = classify_exam(exam_name)
        if region == "Abdomen":
            self.has_abdominal_imaging = True
        if not in_scope or modality is None or region is None:
            return
        cleaned = clean_radiology_report(text or "")
        if not cleaned.strip():
            return
        self.radiology.append(
            RadiologyReport(
                note_id=note_id,
                exam_name=exam_name,
                region=region,
                modality=modality,
                text=mask_pathology_words(cleaned, self.pathology),
                charttime=iso_time(charttime),
                sequence_num=len(self.radiology),
            )
        )

    def add_procedure(self, icd_code: str | None, title: str | None) -> None:
        """Add an ICD procedure (in seq_num order)."""
        code = icd_code.strip() if icd_code else None
        self.icd_procedures.append(Treatment(title=title or code or "", icd_code=code, is_coded=True))

    def exclusion(self) -> str | None:
        """``no_labs`` or ``no_abdominal_imaging`` when the admission fails those rules (in that order)."""
        if not self.has_labs:
            return "no_labs"
        if not self.has_abdominal_imaging:
            return "no_abdominal_imaging"
        return None

    def to_case(self) -> Case:
        """The finished ``Case``."""
        treatments = [
            *self.icd_procedures,
            *(Treatment(title=t, icd_code=None, is_coded=False) for t in self.note_procedures),
        ]
        return Case(
            hadm_id=self.hadm_id,
            pathology=self.pathology,
            demographics=self.demographics,
            patient_history=self.patient_history,
            physical_exam_text=self.physical_exam_text,
            lab_results=self.labs,
            microbiology_events=self.microbiology,
            radiology_reports=self.radiology,
            ground_truth=GroundTruth(
                primary_diagnosis=self.primary_diagnosis, treatments=treatments, icd_diagnoses=self.icd_diagnoses
            ),
        )
