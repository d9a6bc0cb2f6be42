"""CDMv1's cohort and exclusion rules that are not plain text extraction (docs/export-rules.md).

The facts (disease names, the manual exclusions, the "secondary" line, the first-diagnosis rule) come from
CDMv1's dataset code: ``CreateDataset.py`` and ``dataset/dataset.py`` of
paulhager/MIMIC-Clinical-Decision-Making-Dataset. The first discharge diagnosis, found there with scispaCy NER,
is approximated here by a line rule (``first_discharge_diagnosis``).

Example:
    >>> mask_disease_names("Periappendicitis, no abscess.", "appendicitis")
    'Peri___, no abscess.'
    >>> first_discharge_diagnosis("PRIMARY DIAGNOSIS:\\n- Acute appendicitis, perforated\\nSecondary:\\n- HTN")
    'Acute appendicitis'
"""

from __future__ import annotations

import re
from functools import cache
from types import MappingProxyType

from cdmbench.vocabulary.pathologies import COHORT_PHRASES, PATHOLOGIES, PATHOLOGY_WORDS

__all__ = [
    "DISEASE_NAMES",
    "MANUAL_EXCLUSIONS",
    "MASK",
    "MIN_EXAM_CHARS",
    "REASONS",
    "assign_pathology",
    "first_discharge_diagnosis",
    "mask_disease_names",
    "names_disease",
    "pathologies_in_title",
    "primary_part",
]

DISEASE_NAMES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "appendicitis": ("acute appendicitis", "appendicitis", "appendectomy"),
        "cholecystitis": ("acute cholecystitis", "cholecystitis", "cholecystostomy"),
        "diverticulitis": ("acute diverticulitis", "diverticulitis"),
        "pancreatitis": ("acute pancreatitis", "pancreatitis", "pancreatectomy"),
    }
)
"""Pathology -> CDMv1's disease names (``CreateDataset.py``): a history naming one excludes the admission; in the
exam and the radiology reports each is masked."""

MANUAL_EXCLUSIONS: frozenset[int] = frozenset({26769588, 24309551, 20525915, 23074436})
"""hadm_ids CDMv1 removed by hand after case review (several of the four pathologies; ``CreateDataset.py``)."""

MASK = "___"
"""What a masked disease name becomes (CDMv1 writes ``____``; cdmbench uses MIMIC's own placeholder)."""

MIN_EXAM_CHARS = 40
"""A physical examination shorter than this (after masking) is not a valid exam (``check_missing``)."""

REASONS: tuple[str, ...] = (
    "not_in_cohort",
    "manual_exclusion",
    "no_history",
    "history_names_disease",
    "short_exam",
    "not_primary_diagnosis",
    "not_first_diagnosis",
    "no_labs",
    "no_abdominal_imaging",
)
"""Exclusion reasons, in the order the rules are applied (the first failing rule is counted)."""

# A line that starts the secondary diagnoses: contains "secondary" but not "secondary to" / "with secondary".
_NOT_SECONDARY = re.compile(r"secondary to|with secondary", re.IGNORECASE)
# A heading line of the discharge diagnosis section: "Primary:", "PRIMARY DIAGNOSIS:", "Diagnoses:", "Final dx:".
_HEADING = re.compile(
    r"^(?:primary|secondary|final|discharge|principal|main|active|chronic|acute issues|diagnos[ie]s|dx|___)"
    r"(?:[ \t]+(?:diagnos[ie]s|dx|issues|problems?))*[ \t]*:?[ \t]*$",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^(?:[-*•#]+|\(?\d+[.)]|[a-z][.)](?=\s))[ \t]*", re.IGNORECASE)
# Where a line's first diagnosis ends (CDMv1 utils/nlp.py extract_primary_diagnosis, case-sensitive as there:
# "ACUTE APPENDICITIS AND PERFORATION" stays whole).
_CUT = re.compile(r",|\band\b|\bor\b|\bvs\b")


def pathologies_in_title(title: str | None) -> list[str]:
    """The pathologies whose cohort phrase an ICD ``long_title`` contains (case-insensitive), in fixed order."""
    lowered = (title or "").lower()
    return [p for p in PATHOLOGIES if COHORT_PHRASES[p] in lowered]


@cache
def _names_pattern(pathology: str) -> re.Pattern[str]:
    names = sorted(DISEASE_NAMES[pathology], key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE)


def names_disease(text: str | None, pathology: str) -> bool:
    """True when ``text`` contains one of the pathology's disease names (case-insensitive substring)."""
    return bool(text) and _names_pattern(pathology).search(text) is not None  # type: ignore[arg-type]


def mask_disease_names(text: str, pathology: str) -> str:
    """Replace every disease name of ``pathology`` in ``text`` by ``___``: case-insensitive substrings (so
    "periappendicitis" becomes "peri___"), the longest name first."""
    return _names_pattern(pathology).sub(MASK, text)


def primary_part(section: str) -> str:
    """The discharge diagnosis section, lower case, before its first "secondary" line (``dataset/dataset.py``
    ``pathology_in_primary_diagnosis``).

    As in CDMv1, the section is cut where the text of that line FIRST occurs: a bare ``secondary`` line after
    ``sepsis secondary to acute cholecystitis`` cuts inside the first line (``"sepsis "``).
    """
    lowered = section.lower()
    for line in lowered.split("\n"):
        if "secondary" in line and not _NOT_SECONDARY.search(line):
            return lowered[: lowered.find(line)]
    return lowered


def first_discharge_diagnosis(section: str | None) -> str | None:
    """The first diagnosis of a discharge diagnosis section (approximating CDMv1's scispaCy NER).

    The first non-empty line that is not a heading ("Primary:", "PRIMARY DIAGNOSIS:", "Diagnoses:" ...), with
    leading bullets or numbers stripped, cut at the first ``,`` or the first of the words ``and``, ``or``, ``vs``
    (lower case, as CDMv1 cuts).

    Returns:
        The diagnosis text, stripped; None when the section has no such line.
    """
    for raw in (section or "").split("\n"):
        line = _LEADING.sub("", raw.strip()).strip()
        if not line or _HEADING.match(line):
            continue
        head = _CUT.split(line, maxsplit=1)[0].strip()
        if head:
            return head
    return None


def assign_pathology(candidates: list[str], section: str | None) -> str:
    """The pathology of a cohort admission whose ICD titles match ``candidates`` (non-empty, fixed order).

    One candidate: that one. Several: the one the first discharge diagnosis names, else the first one the
    primary part of the section names, else the first candidate.
    """
    if len(candidates) == 1:
        return candidates[0]
    first = (first_discharge_diagnosis(section) or "").lower()
    primary = primary_part(section or "").lower()
    for text in (first, primary):
        for pathology in candidates:
            if PATHOLOGY_WORDS[pathology] in text:
                return pathology
    return candidates[0]
