"""Name and code translations for the CDMv1 files: lab labels, imaging names, ICD codes, text lines.

Imaging: CDMv1 stores the modality and region its own classifier produced (special categories such as
``CTU`` or ``MRCP``, and body parts such as ``Knee``). They are mapped onto the canonical vocabulary of
``cdmbench.vocabulary.imaging`` (the one the tools and scorers use); a name without a canonical
counterpart falls back to classifying the exam name, and stays None when that does not tell either.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

import pandas as pd

from cdmbench.errors import DataSourceError
from cdmbench.vocabulary.imaging import (
    MODALITIES,
    REGIONS,
    SPECIAL_MODALITY_TO_CANONICAL,
    classify_exam,
    classify_exam_region,
)

__all__ = [
    "LabLabel",
    "build_lab_dictionary",
    "canonical_modality",
    "canonical_region",
    "diagnosis_lines",
    "normalize_icd_code",
    "text_or_none",
]

_MODALITIES = {m.lower(): m for m in MODALITIES}
_SPECIAL = {name.lower(): canonical for name, canonical in SPECIAL_MODALITY_TO_CANONICAL.items()}
_REGIONS = {r.lower(): r for r in REGIONS}


def _key(name: object) -> str:
    return " ".join((text_or_none(name) or "").lower().split())


def canonical_modality(name: object, exam_name: object = None) -> str | None:
    """The canonical modality of a CDMv1 report: its stored name mapped ('CTU' -> 'CT'), else its exam classified.

    A stored name that is a procedure, not a modality ('Drainage'), falls back to
    ``classify_exam(exam_name)`` ("CT GUIDED DRAINAGE" -> 'CT'). None when neither tells.
    """
    key = _key(name)
    found = _MODALITIES.get(key) or _SPECIAL.get(key)
    if found is None and text_or_none(exam_name):
        found = classify_exam(str(exam_name))[0]
    return found


def canonical_region(name: object, exam_name: object = None) -> str | None:
    """The canonical region of a CDMv1 report: its stored name mapped ('Pelvis' -> 'Abdomen', 'Knee' ->
    'Extremity') with the shared region dictionaries, else its exam classified; None for e.g. 'Scrotum'.
    """
    key = _key(name)
    found = _REGIONS.get(key) or (classify_exam_region(key) if key else None)
    if found is None and text_or_none(exam_name):
        found = classify_exam(str(exam_name))[1]
    return found


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
