"""Name and code translations for the CDMv1 files: lab labels, imaging names, ICD codes, text lines.

Imaging: CDMv1 stores the modality and region its own classifier produced (special categories such as
``CTU`` or ``MRCP``, and body parts such as ``Knee``). They are mapped here onto the canonical
vocabulary of DESIGN.md. This is a small local table: ``cdmbench.vocabulary.imaging`` (with the
canonical MODALITIES/REGIONS) was not available when this module was written; switch to it once it is.
Names that have no canonical counterpart (``Drainage``, ``Scrotum``, ``Bone``) become None.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

import pandas as pd

from cdmbench.errors import DataSourceError

__all__ = [
    "LabLabel",
    "build_lab_dictionary",
    "canonical_modality",
    "canonical_region",
    "diagnosis_lines",
    "normalize_icd_code",
    "text_or_none",
]

_MODALITY = {
    "ct": "CT",
    "ctu": "CT",
    "ultrasound": "Ultrasound",
    "carotid ultrasound": "Ultrasound",
    "mri": "MRI",
    "mra": "MRI",
    "mre": "MRI",
    "radiograph": "Radiograph",
    "mammogram": "Radiograph",
    "fluoroscopy": "Fluoroscopy",
    "upper gi series": "Fluoroscopy",
    "hida": "HIDA",
    "eus": "EUS",
    "mrcp": "MRCP",
    "ercp": "ERCP",
}
_REGION = {
    "abdomen": "Abdomen",
    "pelvis": "Abdomen",  # a pelvis exam counts as Abdomen, as in CDMv1 (DESIGN.md)
    "chest": "Chest",
    "head": "Head",
    "neck": "Neck",
    "spine": "Spine",
    "venous": "Venous",
    "extremity": "Extremity",
    **{part: "Extremity" for part in ("ankle", "foot", "knee", "hand", "wrist", "finger", "heel", "hip")},
    **{part: "Extremity" for part in ("shoulder", "thigh", "femur")},
}


def _lookup(table: dict[str, str], name: object) -> str | None:
    text = text_or_none(name)
    return None if text is None else table.get(" ".join(text.lower().split()))


def canonical_modality(name: object) -> str | None:
    """The canonical modality for a CDMv1 modality name ('CTU' -> 'CT'), or None when there is none."""
    return _lookup(_MODALITY, name)


def canonical_region(name: object) -> str | None:
    """The canonical region for a CDMv1 region name ('Knee' -> 'Extremity'), or None when there is none."""
    return _lookup(_REGION, name)


def text_or_none(value: object) -> str | None:
    """A cell as a string, or None for a missing cell (NaN, None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return str(value)


def normalize_icd_code(code: object, version: int) -> str:
    """An ICD procedure code as cdmbench stores it: no dot, ICD-9 zero-padded to 4, ICD-10 upper case.

    CDMv1 kept ICD-9 codes as integers, which loses leading zeros ('0331' became 331).
    """
    text = (text_or_none(code) or "").strip()
    if version == 9 and re.fullmatch(r"\d{3,}\.0", text):  # an int code written as a float ('331.0')
        text = text[:-2]
    text = text.replace(".", "")
    return text.zfill(4) if version == 9 else text.upper()


_BULLET = re.compile(r"^(?:[-*\u2022]|\d+[.)])\s*")


def diagnosis_lines(text: object) -> list[str]:
    """The lines of a discharge diagnosis: stripped, leading bullets removed, empty and heading lines dropped."""
    lines = []
    for raw in (text_or_none(text) or "").splitlines():
        line = _BULLET.sub("", raw.strip()).strip()
        if line and not line.endswith(":"):
            lines.append(line)
    return lines


@dataclass(frozen=True)
class LabLabel:
    """What lab_test_mapping.csv says about one itemid."""

    label: str
    fluid: str | None
    category: str | None


def build_lab_dictionary(mapping: pd.DataFrame, name: str = "lab_test_mapping.csv") -> dict[int, LabLabel]:
    """Index lab_test_mapping.csv by itemid: a row's own itemid first, then each of its corresponding_ids.

    Args:
        mapping: the table as read by ``read_table``.
        name: the file name used in error messages.

    Raises:
        DataSourceError: a corresponding_ids cell is not a Python-literal list of integers.
    """
    exact: dict[int, LabLabel] = {}
    synonyms: dict[int, LabLabel] = {}
    has_category = "category" in mapping.columns
    for line, row in enumerate(mapping.itertuples(index=False), start=2):
        label = text_or_none(row.label)
        if label is None:
            continue
        entry = LabLabel(
            label=label.strip(),
            fluid=text_or_none(row.fluid),
            category=text_or_none(row.category) if has_category else None,
        )
        own = text_or_none(row.itemid)
        if own is not None and own.strip().lstrip("-").isdigit():
            exact.setdefault(int(own), entry)
        for itemid in _parse_ids(row.corresponding_ids, name, line):
            synonyms.setdefault(itemid, entry)
    return {**synonyms, **exact}


def _parse_ids(cell: object, name: str, line: int) -> list[int]:
    text = text_or_none(cell)
    if text is None or not text.strip():
        return []
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        value = None
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, int) for v in value):
        raise DataSourceError(
            f"{name}, line {line}: column 'corresponding_ids' must be a list of integers like [50912, 52546]."
        )
    return [int(v) for v in value]
