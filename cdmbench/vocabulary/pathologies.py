"""The four pathologies, their words, cohort phrases and the masking of pathology words in text.

Facts come from ``data/diagnosis.json`` (pathology words, ``masking_keywords_seed``) and
``docs/export-rules.md`` (the cohort phrases: an admission is a candidate when ANY of its ICD diagnosis titles
contains one, as in CDMv1's ``CreateDataset.py``; the discharge diagnosis then decides the pathology).

Example:
    >>> mask_pathology_words("Signs of Acute Appendicitis.", "appendicitis")
    'Signs of ___.'
    >>> pathology_from_title("Acute appendicitis with generalized peritonitis")
    'appendicitis'
"""

from __future__ import annotations

import re
from functools import cache
from types import MappingProxyType

from cdmbench.errors import UnknownNameError
from cdmbench.vocabulary._data import load_reference

__all__ = [
    "COHORT_PHRASES",
    "MASK",
    "PATHOLOGIES",
    "PATHOLOGY_WORDS",
    "check_pathology",
    "mask_pathology_words",
    "masking_keywords",
    "pathology_from_title",
]

PATHOLOGIES: tuple[str, ...] = ("appendicitis", "cholecystitis", "diverticulitis", "pancreatitis")
"""The four pathologies of the benchmark, in their fixed order."""

PATHOLOGY_WORDS: MappingProxyType[str, str] = MappingProxyType(
    {p: load_reference("diagnosis.json")["pathologies"][p]["pathology_word"] for p in PATHOLOGIES}
)
"""Pathology -> the word a diagnosis must name (and an HPI must not contain), e.g. 'appendicitis'."""

COHORT_PHRASES: MappingProxyType[str, str] = MappingProxyType(
    {
        "appendicitis": "acute appendicitis",
        "cholecystitis": "acute cholecystitis",
        "diverticulitis": "diverticulitis",
        "pancreatitis": "acute pancreatitis",
    }
)
"""Pathology -> the phrase one of the admission's ICD diagnosis titles (any ``seq_num``) must contain
(case-insensitive) for the admission to be a cohort candidate."""

MASK = "___"
"""What a masked word becomes (MIMIC's own de-identification placeholder)."""


def check_pathology(pathology: str) -> str:
    """Return ``pathology`` if it is one of ``PATHOLOGIES``, else raise ``UnknownNameError``."""
    if pathology not in PATHOLOGIES:
        raise UnknownNameError("pathology", str(pathology), PATHOLOGIES, "Use one of the four, lower-case.")
    return pathology


def masking_keywords(pathology: str) -> tuple[str, ...]:
    """Return the masking keywords of ``pathology``, longest first (ties: reference order).

    Args:
        pathology: one of ``PATHOLOGIES``.

    Returns:
        The ``masking_keywords_seed`` of ``diagnosis.json``, e.g. ``('acute appendicitis', 'tip appendicitis',
        'appendicitis', 'appendectomy')``.
    """
    check_pathology(pathology)
    keywords = load_reference("diagnosis.json")["pathologies"][pathology]["masking_keywords_seed"]
    return tuple(sorted(keywords, key=len, reverse=True))


@cache
def _masking_pattern(pathology: str) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(k) for k in masking_keywords(pathology))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def mask_pathology_words(text: str, pathology: str) -> str:
    """Replace every whole-word masking keyword of ``pathology`` in ``text`` by ``___``.

    Matching is case-insensitive and prefers the longest keyword at a position ("acute appendicitis" becomes
    one ``___``, not "acute ___"). A multi-word keyword matches only with single spaces between its words, as
    written in the reference; nothing else in the text changes (newlines and spacing are kept).

    Args:
        text: physical examination or radiology report text.
        pathology: the case's pathology, one of ``PATHOLOGIES``.

    Returns:
        The masked text.
    """
    return _masking_pattern(check_pathology(pathology)).sub(MASK, text)


def pathology_from_title(title: str | None) -> str | None:
    """Return the pathology whose cohort phrase occurs (case-insensitively) in an ICD diagnosis title.

    When several phrases occur, the first pathology in ``PATHOLOGIES`` order wins.

    Args:
        title: a ``d_icd_diagnoses.long_title``, e.g. ``"Acute appendicitis without mention of peritonitis"``.

    Returns:
        The pathology, or None when no cohort phrase occurs (or ``title`` is None).
    """
    if not title:
        return None
    lowered = title.lower()
    for pathology in PATHOLOGIES:
        if COHORT_PHRASES[pathology] in lowered:
            return pathology
    return None
