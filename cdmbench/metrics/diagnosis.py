"""Diagnosis and gracious diagnosis (scoring-rules.md section 2, ``diagnosis.json``).

1. The first diagnosis of the answer is kept: a leading list marker ("1.", "*", "-") or "Diagnosis:" label is
   dropped, then the text is cut at ``,`` ``.`` newlines and the whole words and/or/vs/vs.
2. It is lower-cased, ASCII punctuation is removed and whitespace collapsed ("processed answer").
3. Word test: a word w with ``fuzz.ratio(w, pathology word) > 90`` (rounded to an integer, as thefuzz did) that
   is not negated -> diagnosis = gracious = 1.
4. Alternative names: location stem and one modifier stem both occur in the processed answer, both positive
   -> diagnosis = gracious = 1. Gracious-only names: the same test -> gracious = 1 only.

Negation is checked on the first diagnosis as written, never on the rest of the answer ("Acute appendicitis and
cholecystitis unlikely" names appendicitis; issue 11), for every occurrence (defect 1): each match in the
processed text is mapped back to its span, and the NegEx of ``negation.py`` decides. A word or stem counts when
at least one of its occurrences is positive.

The protocol (``cdmbench.protocols``) supplies the first diagnosis, the negation test and the occurrence rule:
``cdmv1`` extracts the first diagnosis as CDMv1's evaluator did (``diagnosis_cdmv1``), applies its negspacy
setting (``negation_cdmv1``) and lets a keyword's first occurrence decide.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from cdmbench.metrics.pathologies import AlternativeName, PathologyConfig

if TYPE_CHECKING:
    from cdmbench.protocols import Protocol

__all__ = ["FUZZY_THRESHOLD", "DiagnosisResult", "first_diagnosis_span", "score_diagnosis"]

FUZZY_THRESHOLD = 90
"""A word must have a (rounded) fuzz.ratio strictly above this to name the pathology."""

_LEADING_MARKER = re.compile(
    r"^\s*(?:(?:\d+[.)]|[*\u2022-])\s*)?(?:(?:final|primary|most likely|working)\s+)?(?:diagnosis\s*[:\-]\s*)?",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"(?<!\d)\.|\.(?!\d)|,|\n|\r|\b(?:and|or|vs)\b", re.IGNORECASE)
_PUNCTUATION = frozenset(string.punctuation)


@dataclass(frozen=True)
class DiagnosisResult:
    """The diagnosis scores of one answer, with the sentence that explains them."""

    diagnosis: int
    gracious_diagnosis: int
    explanation: str


def first_diagnosis_span(answer: str) -> tuple[int, int]:
    """Return the (start, end) span of the first diagnosis in ``answer`` (see the module docstring)."""
    start = _LEADING_MARKER.match(answer).end()
    while True:
        cut = _SPLIT.search(answer, start)
        end = cut.start() if cut else len(answer)
        if answer[start:end].strip() or cut is None:
            return start, end
        start = cut.end()


class _Processed:
    """The processed answer (lower case, no ASCII punctuation, single spaces) with offsets into the original."""

    def __init__(self, answer: str, start: int, end: int) -> None:
        chars: list[str] = []
        offsets: list[int] = []
        for i in range(start, end):
            ch = answer[i]
            if ch in _PUNCTUATION:
                continue
            if ch.isspace():
                if chars and chars[-1] != " ":
                    chars.append(" ")
                    offsets.append(i)
                continue
            chars.append(ch.lower())
            offsets.append(i)
        while chars and chars[-1] == " ":
            chars.pop()
            offsets.pop()
        self.text = "".join(chars)
        self._offsets = offsets

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self._offsets[start], self._offsets[end - 1] + 1

    def words(self) -> list[tuple[str, int, int]]:
        return [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", self.text)]

    def occurrences(self, stem: str) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in re.finditer(re.escape(stem), self.text)]


def _negated_by(
    text: str, processed: _Processed, spans: list[tuple[int, int]], protocol: Protocol
) -> tuple[bool, str | None]:
    """(the keyword is positive, the trigger of its first negated occurrence)."""
    triggers = [protocol.negation_trigger(text, *processed.original_span(s, e)) for s, e in spans]
    return protocol.decide(triggers)


def _name_matches(
    text: str, processed: _Processed, name: AlternativeName, protocol: Protocol
) -> tuple[str | None, str | None]:
    """(the matching phrase, or None; a negation trigger that blocked a match, or None)."""
    locations = processed.occurrences(name.location)
    if not locations:
        return None, None
    location_ok, location_trigger = _negated_by(text, processed, locations, protocol)
    if not location_ok:
        return None, location_trigger
    blocked = None
    for modifier in name.modifiers:
        spans = processed.occurrences(modifier)
        if not spans:
            continue
        ok, trigger = _negated_by(text, processed, spans, protocol)
        if ok:
            return f"{name.location} + {modifier}", None
        blocked = blocked or trigger
    return None, blocked


def score_diagnosis(answer: str, config: PathologyConfig, protocol: Protocol | None = None) -> DiagnosisResult:
    """Score a model's diagnosis against ``config``'s pathology.

    Args:
        answer: the model's diagnosis as written (may hold several; the first is scored).
        config: the case's pathology configuration.
        protocol: the protocol (default ``cdmbench``).

    Returns:
        The diagnosis and gracious diagnosis scores (0/1) and an explanation.
    """
    from cdmbench.protocols import get_protocol

    protocol = get_protocol(protocol)
    if not answer.strip():
        return DiagnosisResult(0, 0, f"No diagnosis was given; the case is {config.name}.")
    text = protocol.first_diagnosis(answer)
    first = text.strip()
    processed = _Processed(text, 0, len(text))
    negated: list[str] = []

    words = processed.words()
    for word, _, _ in words:
        ratio = round(fuzz.ratio(word, config.word))
        if ratio > FUZZY_THRESHOLD:
            spans = [(s, e) for w, s, e in words if w == word]
            positive, trigger = _negated_by(text, processed, spans, protocol)
            if positive:
                return DiagnosisResult(
                    1, 1, f"Correct: {first!r} names {config.name} (word {word!r}, similarity {ratio})."
                )
            negated.append(f"{word!r} is negated by {trigger!r}")

    for name in config.alternative_names:
        phrase, trigger = _name_matches(text, processed, name, protocol)
        if phrase:
            return DiagnosisResult(1, 1, f"Correct: {first!r} is an alternative name of {config.name} ({phrase}).")
        if trigger:
            negated.append(f"the alternative name {name.location!r} is negated by {trigger!r}")

    for name in config.gracious_names:
        phrase, trigger = _name_matches(text, processed, name, protocol)
        if phrase:
            return DiagnosisResult(
                0,
                1,
                f"Gracious only: {first!r} is a close (gracious) name for {config.name} ({phrase}), "
                f"but does not name {config.name} itself.",
            )
        if trigger:
            negated.append(f"the gracious name {name.location!r} is negated by {trigger!r}")

    if negated:
        return DiagnosisResult(
            0,
            0,
            f"Wrong: the answer mentions {config.name} only negated ({'; '.join(dict.fromkeys(negated))}) in {answer!r}.",
        )
    if not first:
        return DiagnosisResult(0, 0, f"Wrong: no diagnosis could be read from {answer!r}.")
    return DiagnosisResult(0, 0, f"Wrong: {first!r} does not name {config.name}.")
