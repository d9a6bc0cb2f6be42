"""Turn the export's SQL rows into the parts of a ``Case``, following docs/export-rules.md.

Pure functions and one accumulator (``CaseParts``); no database access. The SQL (``sql/export/*.sql``) has
already applied the cohort candidates, the time window, the usable-value and first-value rules, and chosen the
earliest result per microbiology test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cdmbench.cases import (
    Case,
    Demographics,
    GroundTruth,
    MicrobiologyEvent,
    RadiologyReport,
    Treatment,
)
from cdmbench.data_export.rules import (
    MANUAL_EXCLUSIONS,
    MIN_EXAM_CHARS,
    REASONS,
    assign_pathology,
    first_discharge_diagnosis,
    mask_disease_names,
    names_disease,
    primary_part,
)
from cdmbench.data_export.text import (
    clean_radiology_report,
    diagnosis_lines,
    discharge_diagnosis_section,
    discharge_procedures,
    extract_history,
    extract_physical_exam,
)
from cdmbench.vocabulary.imaging import classify_exam
from cdmbench.vocabulary.pathologies import PATHOLOGY_WORDS

__all__ = ["REASONS", "CaseParts", "iso_time", "lab_value", "merge_microbiology"]


def iso_time(value: datetime | date | str | None) -> str | None:
    """ISO 8601 text of a timestamp (``2150-03-02T10:15:00``), or None; text (formatted by the SQL) is kept."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _present(value: Any) -> bool:
    return value is not None and value != ""


def _with_unit(text: str, valueuom: str | None) -> str:
    return f"{text} {valueuom}" if _present(valueuom) and valueuom.strip() else text


def lab_value(value: str | None, valuenum: float | None, valueuom: str | None, flag: str | None, comments: str | None):
    """A lab's displayed value (CDMv1 ``create_valuestr_lab``).

    ``"<valuenum> <valueuom>"``, else ``"<value> <valueuom>"`` (a ``value`` of ``___`` does not count), else
    ``flag``, else ``comments``; the unit is left out when there is none. The SQL drops events whose value is
    None or ``___`` before it picks the first value per itemid.

    Example:
        >>> lab_value("14.2", 14.2, "K/uL", None, None)
        '14.2 K/uL'
        >>> lab_value(None, 7, None, None, None)
        '7.0'
        >>> lab_value("NEG", None, "mg/dL", None, None)
        'NEG mg/dL'
    """
    if valuenum is not None:
        return f"{float(valuenum)!r} {valueuom}" if valueuom and valueuom.strip() else repr(float(valuenum))
    if _present(value) and value != "___":
        return _with_unit(value, valueuom)
    for candidate in (flag, comments):
        if _present(candidate):
            return candidate
    return None


def merge_microbiology(rows: list[tuple]) -> tuple:
    """One microbiology result from the rows of one test at its earliest charttime (ordered by microevent_id).

    Each row is ``(test_name, spec_type_desc, org_name, comments)``. As in CDMv1 (``parse_microbio``):
    when the first row has no organism the result is that row's comment; otherwise the distinct organism names
    of the rows that have one, in order, joined by ", " (``"ESCHERICHIA COLI, KLEBSIELLA PNEUMONIAE"``).

    Returns:
        ``(test_name, spec_type_desc, organism_name, comments)``.
    """
    test_name, spec_type_desc, org_name, comments = rows[0]
    if org_name is None:
        return test_name, spec_type_desc, None, comments
    names = dict.fromkeys(r[2] for r in rows if r[2] is not None)
    return test_name, spec_type_desc, ", ".join(names), comments


@dataclass
class CaseParts:
    """Everything gathered for one cohort admission before it becomes a ``Case``."""

    hadm_id: int
    candidates: list[str]
    demographics: Demographics | None = None
    pathology: str = ""
    patient_history: str = ""
    physical_exam_text: str = ""
    primary_diagnosis: list[str] = field(default_factory=list)
    note_procedures: list[str] = field(default_factory=list)
    labs: list[dict[str, Any]] = field(default_factory=list)  # LabResult fields; validated by the Case
    microbiology: list[MicrobiologyEvent] = field(default_factory=list)
    radiology: list[RadiologyReport] = field(default_factory=list)
    icd_diagnoses: list[str] = field(default_factory=list)
    icd_procedures: list[Treatment] = field(default_factory=list)
    has_labs: bool = False
    has_abdominal_imaging: bool = False

    def add_note(self, note: str | None) -> str | None:
        """Assign the pathology and take history, exam (masked) and the ground truth from the discharge note.

        Returns:
            The first note rule the admission fails (``REASONS`` order), or None.
        """
        section = discharge_diagnosis_section(note) if note else None
        self.pathology = assign_pathology(self.candidates, section)
        if self.hadm_id in MANUAL_EXCLUSIONS:
            return "manual_exclusion"
        self.patient_history = (extract_history(note) if note else None) or ""
        if not self.patient_history:
            return "no_history"
        if names_disease(self.patient_history, self.pathology):
            return "history_names_disease"
        exam = extract_physical_exam(note) or ""  # type: ignore[arg-type]
        self.physical_exam_text = mask_disease_names(exam, self.pathology)
        if len(self.physical_exam_text) < MIN_EXAM_CHARS:
            return "short_exam"
        word = PATHOLOGY_WORDS[self.pathology]
        if word not in primary_part(section or "").lower():
            return "not_primary_diagnosis"
        if word not in (first_discharge_diagnosis(section) or "").lower():
            return "not_first_diagnosis"
        self.primary_diagnosis = diagnosis_lines(section)
        self.note_procedures = discharge_procedures(note)  # type: ignore[arg-type]
        return None

    def add_lab(self, row: tuple, extended: bool) -> None:
        """Add a row of ``labs.sql`` (itemid, label, fluid, category, value, valuenum, valueuom, flag, ...)."""
        (_, itemid, label, fluid, category, value, valuenum, valueuom, flag, comments, lower, upper, charttime,
         rank, in_scope) = row  # fmt: skip
        self.has_labs = True  # the SQL only returns events with a usable value
        if not in_scope or (not extended and rank > 0):
            return
        # a plain dict: the Case validates the whole list at once in pydantic-core, which is faster than building
        # each LabResult in Python (labs are ~95% of all records) and checks every field on the way
        self.labs.append(
            {
                "itemid": itemid,
                "test_name": label if label is not None else str(itemid),
                "fluid": fluid,
                "category": category,
                "value": lab_value(value, valuenum, valueuom, flag, comments),
                "ref_range_lower": lower,
                "ref_range_upper": upper,
                "charttime": iso_time(charttime),
                "sequence_num": rank if extended else len(self.labs),
            }
        )

    def add_microbiology(self, test_itemid: int, rows: list[tuple], charttime: str, in_scope: bool) -> None:
        """Add one test's result: its rows at the earliest charttime (see ``merge_microbiology``)."""
        if not in_scope:
            return
        test_name, spec_type_desc, org_name, comments = merge_microbiology(rows)
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
        """Add a row of ``radiology.sql``: classify the exam, clean and mask the text, drop what is unusable.

        The abdominal-imaging rule looks at the reports that are left (classified, non-empty cleaned text).
        """
        _, note_id, exam_name, text, charttime, in_scope = row
        modality, region = classify_exam(exam_name or "")
        if modality is None or region is None:
            return
        cleaned = clean_radiology_report(text or "")
        if not cleaned.strip():
            return
        if region == "Abdomen":
            self.has_abdominal_imaging = True
        if not in_scope:
            return
        self.radiology.append(
            RadiologyReport(
                note_id=note_id,
                exam_name=exam_name,
                region=region,
                modality=modality,
                text=mask_disease_names(cleaned, self.pathology),
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
