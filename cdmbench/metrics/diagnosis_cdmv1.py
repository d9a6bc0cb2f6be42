"""The first diagnosis of an answer as CDMv1's evaluator extracted it (``evaluators/pathology_evaluator.py``
``parse_diagnosis``), rewritten step by step:

1. The text after "Diagnosis:" (or "Final Diagnosis:") up to a line that names the treatment; a structured
   answer has no such label, so its whole diagnosis field is read.
2. A leading "Based on ...:" followed by a blank line is dropped.
3. Section labels end the diagnosis: from "Rationale:", "Note:", "Plan:", "Assessment:", "Impression:" (the
   full list below, each also with an "s") to the end is removed.
4. A numbered list anywhere ("1." at the start of any line) gives its first item, cut at the first "-" or ":";
   then a ``*`` list anywhere gives its first item, cut at "- " or ": ".
5. A blank line and the rest of that line are removed.
6. "... diagnosis ... is X." gives X ("diagnosis" in lower case, as CDMv1's pattern); text up to "patient has"
   is removed.
7. The rest is split at ``,`` ``.`` newlines and the whole lower-case words and/or/vs (case-sensitive: "And"
   does not split); the first non-empty piece is the diagnosis.

Example:
    >>> cdmv1_first_diagnosis("Differential:\\n1. Acute appendicitis - likely\\n2. Mesenteric adenitis")
    'Acute appendicitis'
"""

from __future__ import annotations

import re

__all__ = ["CDMV1_SECTIONS", "cdmv1_first_diagnosis"]

CDMV1_SECTIONS: tuple[str, ...] = (
    "rationale",
    "note",
    "recommendation",
    "explanation",
    "finding",
    "other.*diagnos.*include",
    "other.*diagnos.*considered(?: were)?",
    "management",
    "action",
    "plan",
    "reasoning",
    "assessment",
    "justification",
    "tests",
    "additional diagnoses",
    "notification",
    "impression",
    "background",
    "additional findings include",
)
"""Section labels whose text is not the diagnosis (CDMv1's list, in its order)."""

_LABELLED = re.compile(r"(Final )?Diagnosis:([\s\S]*?)(?=[\.\n].*Treatment.*:|$)", re.IGNORECASE)
_SECTION_PATTERNS = tuple(re.compile(rf"{s}[s]?:.*", re.IGNORECASE | re.DOTALL) for s in CDMV1_SECTIONS)
_NUMBERED = re.compile(r"^1\.(.*)", re.MULTILINE)
_STARRED = re.compile(r"^\*(.*)", re.MULTILINE)
_IN_SENTENCE = re.compile(r".*?diagnosis[^.\n]*?\bis\b(.*?)[.\n]", re.DOTALL)
_PATIENT_HAS = re.compile(r".*?patient has", re.DOTALL)
_SPLIT = re.compile(r"[,.\n]|(?:\s*\b(?:and|or|vs[.]?)\b\s*)")


def _first_item(text: str, item: re.Pattern[str], explanation: str) -> str:
    found = item.search(text)
    if not found:
        return text
    first = found.group(1).strip()
    return re.sub(explanation, "", first) if first != text else first


def cdmv1_first_diagnosis(answer: str) -> str:
    """The diagnosis CDMv1's evaluator would have scored in ``answer`` (``""`` when nothing is left)."""
    labelled = _LABELLED.search(answer)
    text = labelled.group(2).strip() if labelled else answer.strip()
    text = re.sub(r"^Based on.*:\n\n", "", text)
    for pattern in _SECTION_PATTERNS:
        text = pattern.sub("", text)
    text = _first_item(text, _NUMBERED, r"[-:].*")
    text = _first_item(text, _STARRED, r"[-:] .*")
    text = re.sub(r"\n\n.*", "", text)
    in_sentence = _IN_SENTENCE.search(text)
    if in_sentence:
        text = in_sentence.group(1).strip()
    text = _PATIENT_HAS.sub("", text, count=1)
    pieces = [piece for piece in _SPLIT.split(text) if piece]
    return pieces[0].strip() if pieces else ""
