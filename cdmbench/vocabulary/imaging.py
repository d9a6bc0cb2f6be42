"""Canonical imaging vocabulary and the classification of stored radiology exams.

``classify_exam`` gives a radiology report its (modality, region) from its exam name with CDMv1's
dictionaries (``data/imaging.json`` ``cdmv1``), mapped onto the canonical vocabulary below:

1. Special cases (``MODALITY_SPECIAL_CASES_DICT``, regexes searched anywhere, in reference order): the first
   one that maps to a canonical modality decides the modality. ``Drainage`` and ``Paracentesis`` name a
   procedure, not a modality, so they are skipped and the guiding modality ("CT GUIDED DRAINAGE") is found
   by step 2.
2. Otherwise every exact word (``\\bword\\b``) and substring pattern is counted per category; the highest
   count wins; ties go to the first category in ``MODALITY_TIE_ORDER`` (CDMv1 used set order, defect 9).
3. Region: the same counting over the region dictionaries, after mapping CDMv1's categories to canonical
   regions (Pelvis -> Abdomen, Ankle/Foot/Knee/... -> Extremity; Scrotum and Bone -> no region), ties by
   ``REGION_TIE_ORDER``; with no region word, the region implied by a special modality (EUS, MRCP, HIDA,
   ERCP, CTU, MRE, Upper GI Series -> Abdomen; Carotid ultrasound -> Neck; Mammogram -> Chest).
4. cdmbench addition: a venous exam with no modality word ("UNILAT LOWER EXT VEINS") is a duplex
   ultrasound, as such MIMIC exams are.

Example:
    >>> classify_exam("CT ABD & PELVIS WITH CONTRAST")
    ('CT', 'Abdomen')
    >>> classify_exam("OUTSIDE FILMS READ ONLY")
    (None, None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType

from cdmbench.vocabulary._data import load_reference

__all__ = [
    "MODALITIES",
    "MODALITY_TIE_ORDER",
    "REGIONS",
    "REGION_TIE_ORDER",
    "SPECIAL_MODALITY_TO_CANONICAL",
    "classify_exam",
    "classify_exam_modality",
    "classify_exam_region",
]

MODALITIES: tuple[str, ...] = ("Ultrasound", "CT", "MRI", "Radiograph", "HIDA", "EUS", "MRCP", "ERCP", "Fluoroscopy")
"""Canonical modalities (docs/formats.md)."""

REGIONS: tuple[str, ...] = ("Abdomen", "Chest", "Head", "Neck", "Spine", "Extremity", "Venous")
"""Canonical regions (docs/formats.md); a pelvis exam or request counts as Abdomen, as in CDMv1."""

MODALITY_TIE_ORDER: tuple[str, ...] = ("CT", "MRI", "Ultrasound", "Fluoroscopy", "Radiograph")
"""Fixed tie priority of the counted modalities: cross-sectional exams are named explicitly, while the
radiograph cues (AP, PA, PORTABLE) also appear in other exams' names."""

REGION_TIE_ORDER: tuple[str, ...] = ("Abdomen", "Chest", "Head", "Neck", "Spine", "Venous", "Extremity")
"""Fixed tie priority of regions: the benchmark's region first, a vein study before the limb it is in."""

SPECIAL_MODALITY_TO_CANONICAL: MappingProxyType[str, str | None] = MappingProxyType(
    {
        "CTU": "CT",
        "Drainage": None,
        "Carotid ultrasound": "Ultrasound",
        "EUS": "EUS",
        "MRCP": "MRCP",
        "HIDA": "HIDA",
        "ERCP": "ERCP",
        "PTC": "Fluoroscopy",
        "Upper GI Series": "Fluoroscopy",
        "Paracentesis": None,
        "Mammogram": "Radiograph",
        "MRA": "MRI",
        "MRE": "MRI",
    }
)
"""CDMv1 special-case category -> canonical modality (None: a procedure, classified by its guidance words)."""

_REGION_TO_CANONICAL: dict[str, str | None] = {
    "Abdomen": "Abdomen",
    "Pelvis": "Abdomen",
    "Chest": "Chest",
    "Head": "Head",
    "Neck": "Neck",
    "Spine": "Spine",
    "Venous": "Venous",
    "Scrotum": None,
    "Bone": None,
    **{
        part: "Extremity"
        for part in ("Ankle", "Foot", "Knee", "Hand", "Wrist", "Finger", "Heel", "Hip", "Shoulder", "Thigh", "Femur")
    },
}


@dataclass(frozen=True)
class _Tables:
    modality: dict[str, list[re.Pattern[str]]]
    region: dict[str, list[re.Pattern[str]]]
    special: list[tuple[str, list[re.Pattern[str]]]]
    implied_region: dict[str, str]


def _count(patterns: list[re.Pattern[str]], text: str) -> int:
    return sum(len(p.findall(text)) for p in patterns)


@cache
def _tables() -> _Tables:
    cdmv1 = load_reference("imaging.json")["cdmv1"]

    def counters(exact_dict: dict[str, list[str]], substr_dict: dict[str, list[str]]) -> dict:
        out: dict[str, list[re.Pattern[str]]] = {}
        for category, words in exact_dict.items():
            out.setdefault(category, []).extend(re.compile(rf"\b{w}\b", re.IGNORECASE) for w in words)
        for category, patterns in substr_dict.items():
            out.setdefault(category, []).extend(re.compile(p, re.IGNORECASE) for p in patterns)
        return out

    return _Tables(
        modality=counters(cdmv1["MODALITY_EXACT_DICT"], cdmv1["MODALITY_SUBSTR_DICT"]),
        region=counters(cdmv1["REGION_EXACT_DICT"], cdmv1["REGION_SUBSTR_DICT"]),
        special=[
            (category, [re.compile(p, re.IGNORECASE) for p in patterns])
            for category, patterns in cdmv1["MODALITY_SPECIAL_CASES_DICT"].items()
            if SPECIAL_MODALITY_TO_CANONICAL.get(category)
        ],
        implied_region=dict(cdmv1["UNIQUE_MODALITY_TO_ORGAN_MAPPING"]),
    )


def _winner(counts: dict[str, int], order: tuple[str, ...]) -> str | None:
    best = max(counts.values(), default=0)
    if best == 0:
        return None
    return next(name for name in order if counts.get(name, 0) == best)


def _special_category(exam_name: str) -> str | None:
    for category, patterns in _tables().special:
        if any(p.search(exam_name) for p in patterns):
            return category
    return None


def classify_exam_modality(exam_name: str) -> str | None:
    """Return the canonical modality of a radiology exam name, or None (see the module docstring)."""
    return classify_exam(exam_name)[0]


def classify_exam_region(exam_name: str) -> str | None:
    """Return the canonical region of a radiology exam name, or None (see the module docstring)."""
    return classify_exam(exam_name)[1]


@lru_cache(maxsize=4096)
def classify_exam(exam_name: str | None) -> tuple[str | None, str | None]:
    """Classify a stored radiology exam name into a canonical (modality, region).

    Args:
        exam_name: ``radiology_detail.exam_name``, e.g. ``"LIVER OR GALLBLADDER US (SINGLE ORGAN)"``.

    Returns:
        ``(modality, region)``, each canonical or None when the exam name does not tell; the export drops
        reports with either one None.
    """
    if not exam_name or not exam_name.strip():
        return None, None
    tables = _tables()
    special = _special_category(exam_name)
    modality: str | None
    if special is not None:
        modality = SPECIAL_MODALITY_TO_CANONICAL[special]
    else:
        counts = {category: _count(patterns, exam_name) for category, patterns in tables.modality.items()}
        modality = _winner(counts, MODALITY_TIE_ORDER)

    region_counts: dict[str, int] = {}
    for category, patterns in tables.region.items():
        canonical = _REGION_TO_CANONICAL.get(category)
        if canonical is not None:
            region_counts[canonical] = region_counts.get(canonical, 0) + _count(patterns, exam_name)
    region = _winner(region_counts, REGION_TIE_ORDER)
    if region is None and special is not None:
        region = _REGION_TO_CANONICAL.get(tables.implied_region.get(special, ""))

    if modality is None and region == "Venous":
        modality = "Ultrasound"
    return modality, region
