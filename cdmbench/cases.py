"""The Case record: one hospital admission as the benchmark sees it, and the cases file.

A cases file is JSON ``{"source": "synthetic", "cases": [Case, ...]}``; a bare JSON list of cases
and JSONL (one case a line) are read too. The fields are the seed project's ``HadmCase`` fields
(so its ``benchmark_data.json`` loads unchanged) plus optional times and sequence numbers.

Example:
    >>> cases = load_cases("data/cases.json")
    >>> save_cases("copy.json", cases)  # byte-identical to a file written by save_cases
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

from loguru import logger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cdmbench.errors import CaseFormatError, DataSourceError
from cdmbench.io import atomic_write_text, check_input_file, find_lone_surrogate, json_loads

__all__ = [
    "PATHOLOGIES",
    "SOURCES",
    "Case",
    "CasesFile",
    "Demographics",
    "GroundTruth",
    "LabResult",
    "MicrobiologyEvent",
    "Pathology",
    "RadiologyReport",
    "Treatment",
    "case_hash",
    "cases_hash",
    "dump_cases",
    "load_cases",
    "load_cases_file",
    "save_cases",
]

PATHOLOGIES: tuple[str, ...] = ("appendicitis", "cholecystitis", "diverticulitis", "pancreatitis")
Pathology = Literal["appendicitis", "cholecystitis", "diverticulitis", "pancreatitis"]
SOURCES: tuple[str, ...] = ("synthetic", "mimic-iv", "mimic-iv-ext-cdm")


def _time_to_str(value: Any) -> Any:
    """Keep times as ISO strings (so a load/save round trip never reformats them)."""
    if isinstance(value, date):  # datetime is a date (one class check: this runs for every lab of an export)
        return value.isoformat()
    return value


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=False, populate_by_name=True)


class Demographics(_Record):
    """Age and gender of the patient at admission."""

    age: int
    """Age in years (MIMIC's anchor_age shifted to the admission year)."""
    gender: str
    """'M' or 'F' as in MIMIC-IV patients.gender."""


class LabResult(_Record):
    """One laboratory result (the first value of an itemid during the admission)."""

    itemid: int
    """MIMIC-IV d_labitems itemid."""
    test_name: str
    """d_labitems label, e.g. 'White Blood Cells'."""
    fluid: str | None = None
    """Specimen fluid, e.g. 'Blood', 'Urine'."""
    category: str | None = None
    """d_labitems category, e.g. 'Hematology'."""
    value: str | None = None
    """'valuenum valueuom', else value, else flag, else comments."""
    ref_range_lower: float | None = None
    """Lower end of the reference range, if the lab reported one."""
    ref_range_upper: float | None = None
    """Upper end of the reference range, if the lab reported one."""
    charttime: str | None = None
    """When the specimen was taken (ISO 8601, shifted MIMIC time)."""
    sequence_num: int | None = None
    """Order of this result among the case's labs (0-based), or the value's rank in extended mode."""

    _norm_time = field_validator("charttime", mode="before")(_time_to_str)


class MicrobiologyEvent(_Record):
    """One microbiology test result."""

    test_itemid: int
    """MIMIC-IV microbiologyevents.test_itemid."""
    test_name: str | None = None
    """Test name, e.g. 'Blood Culture, Routine'."""
    spec_type_desc: str | None = None
    """Specimen type, e.g. 'BLOOD CULTURE'."""
    organism_name: str | None = None
    """Organism grown, if any."""
    comments: str | None = None
    """Result comments, e.g. 'No growth.'"""
    charttime: str | None = None
    """When the specimen was taken (ISO 8601)."""
    sequence_num: int | None = None
    """Order of this event among the case's microbiology events (0-based)."""

    _norm_time = field_validator("charttime", mode="before")(_time_to_str)


class RadiologyReport(_Record):
    """One radiology report with its exam classified into the project's vocabulary."""

    note_id: str
    """MIMIC-IV note id, e.g. '10000032-RR-14'."""
    exam_name: str | None = None
    """radiology_detail exam_name, e.g. 'CT ABD & PELVIS WITH CONTRAST'."""
    region: str | None = None
    """Canonical region (Abdomen, Chest, ...) derived from the exam name."""
    modality: str | None = None
    """Canonical modality (Ultrasound, CT, ...) derived from the exam name."""
    text: str | None = None
    """Report text with history/indication/impression-type sections removed."""
    charttime: str | None = None
    """When the exam was charted (ISO 8601)."""
    sequence_num: int | None = None
    """Order of this report among the case's reports (0-based)."""

    _norm_time = field_validator("charttime", mode="before")(_time_to_str)


class Treatment(_Record):
    """A procedure of the real hospital course."""

    title: str
    """ICD procedure title or the discharge note's procedure text."""
    icd_code: str | None = None
    """ICD-9-CM or ICD-10-PCS procedure code without dots, when coded."""
    is_coded: bool = False
    """True when the treatment comes from procedures_icd, False when from the discharge note."""


class GroundTruth(_Record):
    """What really happened: diagnoses and procedures of the admission."""

    primary_diagnosis: list[str] = Field(default_factory=list)
    """Discharge diagnosis lines (the first is the primary one)."""
    treatments: list[Treatment] = Field(default_factory=list)
    """ICD procedures and discharge-note procedures."""
    icd_diagnoses: list[str] | None = None
    """ICD diagnosis long titles of the admission, in seq_num order (used for 'biliary' checks)."""

    @field_validator("primary_diagnosis", mode="before")
    @classmethod
    def _one_string_is_a_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [value]
        return value


class Case(_Record):
    """One benchmark admission: history, exam, labs, microbiology, imaging and ground truth."""

    hadm_id: int = Field(ge=-(1 << 63), le=(1 << 63) - 1)
    """MIMIC-IV hospital admission id (a 64-bit integer)."""
    pathology: Pathology | None = None
    """The admission's benchmark pathology (never shown to a program)."""
    demographics: Demographics | None = None
    """Age and gender."""
    patient_history: str = ""
    """History of present illness, past medical, social and family history."""
    lab_results: list[LabResult] = Field(default_factory=list)
    """Laboratory results."""
    microbiology_events: list[MicrobiologyEvent] = Field(default_factory=list)
    """Microbiology results (cancelled ones dropped)."""
    radiology_reports: list[RadiologyReport] = Field(default_factory=list)
    """Radiology reports in chart order."""
    physical_exam_text: str = ""
    """The admission physical examination (the discharge exam cut)."""
    ground_truth: GroundTruth | None = None
    """Diagnoses and procedures of the real hospital course."""

    @field_validator("patient_history", "physical_exam_text", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class CasesFile(_Record):
    """The cases file: where the cases come from, and the cases."""

    source: Literal["synthetic", "mimic-iv", "mimic-iv-ext-cdm"] | None = None
    """'synthetic' for generated data; anything else (or nothing) is treated as credentialed."""
    cases: list[Case] = Field(default_factory=list)
    """The admissions."""

    @property
    def is_synthetic(self) -> bool:
        """True only for cases marked as produced by the synthetic generator."""
        return self.source == "synthetic"


# --------------------------------------------------------------------------- reading


def _describe_error(path: Path, where: str, raw: Any, exc: ValidationError) -> str:
    hadm = raw.get("hadm_id") if isinstance(raw, dict) else None
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(case)"
    got = err.get("input")
    got_text = repr(got)
    if len(got_text) > 60:
        got_text = got_text[:57] + "..."
    more = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
    return (
        f"{path}: {where}{f' (hadm_id={hadm})' if hadm is not None else ''}: field {field!r}: "
        f"{err['msg']} (got {got_text}){more}. Fix the case or regenerate the file."
    )


def _read_text(path: Path, max_bytes: int | None = None) -> str:
    if not path.exists():
        raise DataSourceError(f"cases file {str(path)!r} does not exist; check the path (cases=... / data=...).")
    if path.is_dir():
        raise DataSourceError(f"cases file {str(path)!r} is a directory; give the path of a .json or .jsonl file.")
    check_input_file(path, "cases file", max_bytes)  # devices, FIFOs and oversized files: before opening
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataSourceError(f"cannot read cases file {str(path)!r}: {exc.strerror or exc}.") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseFormatError(
            f"{path}: not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r}); "
            "cases files must be UTF-8 JSON or JSONL."
        ) from None


def _parse_raw(path: Path, text: str) -> tuple[str | None, list[tuple[str, Any]]]:
    """Return (source, [(where, raw case)]) for JSON object, bare list or JSONL text."""
    stripped = text.lstrip()
    if not stripped:
        raise CaseFormatError(f"{path}: the file is empty; expected JSON {{'cases': [...]}}, a list, or JSONL.")
    try:
        doc = json_loads(text, str(path))
    except json.JSONDecodeError as exc:
        if stripped[0] == "{" and exc.msg == "Extra data":
            doc = None  # JSONL: one object per line
        else:
            raise CaseFormatError(
                f"{path}: broken JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}. "
                "Fix the file or regenerate it."
            ) from None
    if isinstance(doc, list):
        return None, [(f"case {i}", raw) for i, raw in enumerate(doc)]
    if isinstance(doc, dict) and "cases" in doc:
        cases = doc["cases"]
        if not isinstance(cases, list):
            raise CaseFormatError(f"{path}: 'cases' must be a list, got {type(cases).__name__}.")
        source = doc.get("source")
        if source is not None and source not in SOURCES:
            raise CaseFormatError(f"{path}: unknown source {source!r}; use one of {', '.join(SOURCES)}.")
        return source, [(f"case {i}", raw) for i, raw in enumerate(cases)]
    if isinstance(doc, dict):  # a single-line JSONL file
        return None, [("line 1", doc)]
    if doc is not None:
        raise CaseFormatError(
            f"{path}: expected a JSON object with 'cases', a list of cases, or JSONL; got {type(doc).__name__}."
        )
    items: list[tuple[str, Any]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append((f"line {lineno}", json_loads(line, f"{path}: line {lineno}")))
        except json.JSONDecodeError as exc:
            raise CaseFormatError(f"{path}: broken JSON on line {lineno}, column {exc.colno}: {exc.msg}.") from None
    return None, items


def load_cases_file(path: str | Path, *, allow_empty: bool = False, max_bytes: int | None = None) -> CasesFile:
    """Read and validate a cases file.

    Args:
        path: a JSON ``{"cases": [...]}`` file, a JSON list of cases, or JSONL.
        allow_empty: accept a file without cases.
        max_bytes: refuse a larger file (default ``cdmbench.io.DEFAULT_MAX_INPUT_BYTES``).

    Returns:
        The validated ``CasesFile``.

    Raises:
        CaseFormatError: naming the file, case index, hadm_id and field of the first problem.
    """
    path = Path(path)
    text = _read_text(path, max_bytes)
    source, items = _parse_raw(path, text)
    bad = find_lone_surrogate(text, [raw for _, raw in items])
    if bad is not None:
        index, _, field = bad.partition(".")
        raw = items[int(index)][1] if index.isdigit() else None
        hadm = f" (hadm_id={raw.get('hadm_id')})" if isinstance(raw, dict) and "hadm_id" in raw else ""
        raise CaseFormatError(
            f"{path}: {items[int(index)][0] if index.isdigit() else 'the file'}{hadm}: field {field or '(case)'!r} "
            "holds a lone surrogate escape (such as \\ud800), which is not text; fix or regenerate the file."
        )
    cases: list[Case] = []
    seen: dict[int, str] = {}
    unknown: set[str] = set()
    known_fields = set(Case.model_fields)
    for where, raw in items:
        if not isinstance(raw, dict):
            raise CaseFormatError(f"{path}: {where}: expected a JSON object, got {type(raw).__name__}.")
        try:
            case = Case.model_validate(raw)
        except ValidationError as exc:
            raise CaseFormatError(_describe_error(path, where, raw, exc)) from None
        if case.hadm_id in seen:
            raise CaseFormatError(
                f"{path}: {where}: duplicate hadm_id {case.hadm_id} (first seen in {seen[case.hadm_id]}); "
                "each admission may appear once."
            )
        seen[case.hadm_id] = where
        unknown.update(set(raw) - known_fields)
        cases.append(case)
    if unknown:
        logger.warning("{}: ignored unknown case fields: {}", path, ", ".join(sorted(unknown)))
    if not cases and not allow_empty:
        raise CaseFormatError(f"{path}: the file holds no cases; export or generate cases first.")
    return CasesFile(source=source, cases=cases)


def load_cases(path: str | Path, *, allow_empty: bool = False, max_bytes: int | None = None) -> list[Case]:
    """Read and validate the cases of a cases file (see ``load_cases_file``)."""
    return load_cases_file(path, allow_empty=allow_empty, max_bytes=max_bytes).cases


# --------------------------------------------------------------------------- writing


def dump_cases(cases: Iterable[Case], source: str | None = None) -> str:
    """Serialize cases deterministically (the exact text ``save_cases`` writes)."""
    body = {"source": source, "cases": [c.model_dump(mode="json") for c in cases]}
    return json.dumps(body, indent=1, ensure_ascii=False) + "\n"


def save_cases(path: str | Path, cases: Sequence[Case] | CasesFile, source: str | None = None) -> None:
    """Write a cases file atomically; a load/save round trip is byte-identical."""
    if isinstance(cases, CasesFile):
        source = cases.source if source is None else source
        cases = cases.cases
    atomic_write_text(Path(path), dump_cases(cases, source))


def case_hash(case: Case) -> str:
    """SHA-256 of a case's canonical JSON (stable across runs and machines)."""
    canonical = json.dumps(case.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cases_hash(cases: Iterable[Case]) -> str:
    """SHA-256 over the sorted case hashes of a set of cases (order-independent)."""
    digest = hashlib.sha256()
    for h in sorted(case_hash(c) for c in cases):
        digest.update(h.encode("ascii"))
    return digest.hexdigest()
