"""Fixed facts the generator draws from: vocabulary files, the radiology exam catalogue, microbiology tests.

The vocabulary JSON files are read from the package (``cdmbench/vocabulary/data``), never from a shared folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "ABDOMINAL_EXAMS",
    "ANTIBIOTICS",
    "EXAMS",
    "MICRO_TESTS",
    "ORGANISMS",
    "UNCLASSIFIABLE_EXAM",
    "Exam",
    "MicroTest",
    "exam",
    "lab_labels",
    "masking_keywords",
    "vocabulary",
]

_VOCAB_DIR = Path(__file__).resolve().parents[2] / "vocabulary" / "data"


@cache
def vocabulary(name: str) -> dict[str, Any]:
    """Load ``cdmbench/vocabulary/data/<name>.json`` (cached)."""
    with open(_VOCAB_DIR / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


def lab_labels() -> dict[int, dict[str, Any]]:
    """``labs.json`` ``itemid_labels`` keyed by int itemid: label, fluid, category."""
    return {int(k): v for k, v in vocabulary("labs")["itemid_labels"].items()}


def masking_keywords(pathology: str) -> list[str]:
    """The masking keywords of a pathology (``diagnosis.json`` ``masking_keywords_seed``)."""
    return list(vocabulary("diagnosis")["pathologies"][pathology]["masking_keywords_seed"])


@dataclass(frozen=True)
class Exam:
    """One radiology exam name and how the vocabulary must classify it."""

    name: str
    modality: str | None
    region: str | None
    kind: str  # template family: ct, us, mr, mrcp, hida, eus, ercp, xr_abd, cxr, ct_chest, ct_head, le_veins, outside
    exam_code: str
    cpt_code: str


EXAMS: tuple[Exam, ...] = (
    Exam("CT ABD & PELVIS WITH CONTRAST", "CT", "Abdomen", "ct", "CTABP", "74177"),
    Exam("CT ABD & PELVIS W/O CONTRAST", "CT", "Abdomen", "ct", "CTABPN", "74176"),
    Exam("CT ABDOMEN W/CONTRAST", "CT", "Abdomen", "ct", "CTABD", "74160"),
    Exam("CTA ABD & PELVIS", "CT", "Abdomen", "ct", "CTAAP", "74174"),
    Exam("LIVER OR GALLBLADDER US (SINGLE ORGAN)", "Ultrasound", "Abdomen", "us", "USGB", "76705"),
    Exam("US ABD LIMIT, SINGLE ORGAN", "Ultrasound", "Abdomen", "us", "USLIM", "76705"),
    Exam("ABDOMEN US (COMPLETE STUDY)", "Ultrasound", "Abdomen", "us", "USAB", "76700"),
    Exam("APPENDIX US", "Ultrasound", "Abdomen", "us", "USAPP", "76705"),
    Exam("PELVIS U.S., TRANSVAGINAL", "Ultrasound", "Abdomen", "us_pelvis", "USTV", "76830"),
    Exam("DUPLEX DOPP ABD/PEL", "Ultrasound", "Abdomen", "us_duplex", "DUPAP", "93975"),
    Exam("MR ABDOMEN W/O & W/CONTRAST", "MRI", "Abdomen", "mr", "MRABD", "74183"),
    Exam("MRCP (MR ABDOMEN W/O & W/CONTRAST)", "MRCP", "Abdomen", "mrcp", "MRCP", "74183"),
    Exam("HEPATOBILIARY SCAN (HIDA)", "HIDA", "Abdomen", "hida", "NMHIDA", "78227"),
    Exam("EUS (ENDOSCOPIC ULTRASOUND)", "EUS", "Abdomen", "eus", "EUS", "43259"),
    Exam("ERCP BILIARY&PANCREAS BY GI UNIT", "ERCP", "Abdomen", "ercp", "ERCPGI", "74330"),
    Exam("ABDOMEN (SUPINE & ERECT)", "Radiograph", "Abdomen", "xr_abd", "ABDSE", "74019"),
    Exam("ABDOMEN (SUPINE ONLY)", "Radiograph", "Abdomen", "xr_abd", "ABDS", "74018"),
    Exam("CHEST (PA & LAT)", "Radiograph", "Chest", "cxr", "CHPAL", "71046"),
    Exam("CHEST (PORTABLE AP)", "Radiograph", "Chest", "cxr", "CHPAP", "71045"),
    Exam("CT CHEST W/CONTRAST", "CT", "Chest", "ct_chest", "CTCHC", "71260"),
    Exam("CT HEAD W/O CONTRAST", "CT", "Head", "ct_head", "CTHDN", "70450"),
    Exam("UNILAT LOWER EXT VEINS", "Ultrasound", "Venous", "le_veins", "DUPLE", "93971"),
    Exam("OUTSIDE FILMS READ ONLY", None, None, "outside", "OUTFL", ""),
)
"""The only exam names the generator writes into ``radiology_detail.exam_name``."""

_BY_NAME = {e.name: e for e in EXAMS}
UNCLASSIFIABLE_EXAM = "OUTSIDE FILMS READ ONLY"
ABDOMINAL_EXAMS = tuple(e.name for e in EXAMS if e.region == "Abdomen")


def exam(name: str) -> Exam:
    """The catalogue entry of an exam name."""
    return _BY_NAME[name]


@dataclass(frozen=True)
class MicroTest:
    """A microbiology test as MIMIC-IV's microbiologyevents names it."""

    test_itemid: int
    test_name: str
    spec_itemid: int
    spec_type_desc: str


MICRO_TESTS: dict[str, MicroTest] = {
    "blood": MicroTest(90201, "Blood Culture, Routine", 70012, "BLOOD CULTURE"),
    "urine": MicroTest(90039, "URINE CULTURE", 70079, "URINE"),
    "stool": MicroTest(90267, "Stool Culture", 70067, "STOOL"),
    "ova": MicroTest(90250, "OVA + PARASITES", 70067, "STOOL"),
}

ORGANISMS: tuple[tuple[int, str], ...] = (
    (80002, "ESCHERICHIA COLI"),
    (80004, "KLEBSIELLA PNEUMONIAE"),
    (80053, "ENTEROCOCCUS SP."),
    (80155, "STAPHYLOCOCCUS, COAGULASE NEGATIVE"),
    (80026, "PROTEUS MIRABILIS"),
)

ANTIBIOTICS: tuple[tuple[int, str], ...] = (
    (90003, "AMPICILLIN"),
    (90005, "AMPICILLIN/SULBACTAM"),
    (90007, "CEFAZOLIN"),
    (90026, "CEFTRIAXONE"),
    (90012, "CIPROFLOXACIN"),
    (90015, "GENTAMICIN"),
    (90022, "PIPERACILLIN/TAZO"),
    (90017, "TRIMETHOPRIM/SULFA"),
)
