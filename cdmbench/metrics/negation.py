"""NegEx negation detection over the trigger lists of ``diagnosis.json`` (``negation.cdmv1``).

CDMv1 ran negspacy's NegEx (termset ``en_clinical``) over scispaCy entities. cdmbench applies the same
trigger lists directly to the model's text, for every occurrence of a keyword (scoring-rules.md defect 1),
without a spaCy model:

1. The text is lower-cased and cut into clauses at sentence and clause punctuation (``. , ; ! ?``, newlines;
   a period between digits is kept). A trigger's scope never leaves its clause.
2. Pseudo-negations ("no further", "not ruled out", "gram negative", ...) are found first; a trigger that
   overlaps one is ignored.
3. A preceding trigger ("no", "without", "negative for", "ruled out", ...) negates what follows it in the
   clause; a following trigger ("unlikely", "was ruled out", ...) negates what precedes it. A termination
   term ("but", "however", "secondary to", ...) between the trigger and the keyword ends the scope.
4. The chunk prefix "no" is a preceding trigger already, so it needs no extra rule.

Triggers match whole words (``no`` does not fire inside ``nodule``); their words may be separated by any
whitespace. Curly apostrophes are read as straight ones.

Example:
    >>> negation_trigger("Acute appendicitis, no perforation", 6, 18) is None
    True
    >>> negation_trigger("No evidence of appendicitis", 15, 27)
    'no evidence of'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from cdmbench.vocabulary._data import load_reference

__all__ = [
    "Negation",
    "find_phrase",
    "is_positive",
    "negation_trigger",
    "normalize_text",
    "phrase_pattern",
    "trigger_lists",
]

_CLAUSE_BREAK = re.compile(r"(?<!\d)\.|\.(?!\d)|[,;!?\n\r]")
_WORD_CHAR = "a-z0-9"


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    term: str


@dataclass(frozen=True)
class Negation:
    """The compiled trigger lists (one per process; see ``trigger_lists``)."""

    preceding: tuple[tuple[str, re.Pattern[str]], ...]
    following: tuple[tuple[str, re.Pattern[str]], ...]
    pseudo: tuple[re.Pattern[str], ...]
    termination: tuple[re.Pattern[str], ...]


def phrase_pattern(phrase: str, *, whole_word: bool = True) -> re.Pattern[str]:
    """Compile a lower-case phrase into a case-insensitive pattern; its words may be split by any whitespace.

    Args:
        phrase: e.g. ``"low anterior resection"``.
        whole_word: require word boundaries at both ends (triggers); False matches inside words (keyword stems
            such as ``"analgesi"``).
    """
    body = r"\s+".join(re.escape(word) for word in phrase.lower().split())
    if whole_word:
        body = rf"(?<![{_WORD_CHAR}]){body}(?![{_WORD_CHAR}])"
    return re.compile(body, re.IGNORECASE)


@cache
def trigger_lists() -> Negation:
    """The compiled NegEx trigger lists of ``diagnosis.json`` (shared with ``negation_cdmv1``)."""
    lists = load_reference("diagnosis.json")["negation"]["cdmv1"]

    def compiled(key: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
        # Longest first, so "no evidence of" is reported rather than "no" when both match.
        terms = sorted(set(lists[key]), key=lambda t: (-len(t), t))
        return tuple((t, phrase_pattern(t)) for t in terms)

    return Negation(
        preceding=compiled("preceding_negations") + tuple((t, phrase_pattern(t)) for t in lists["chunk_prefix"]),
        following=compiled("following_negations"),
        pseudo=tuple(p for _, p in compiled("pseudo_negations")),
        termination=tuple(p for _, p in compiled("termination")),
    )


def normalize_text(text: str) -> str:
    """Lower-case ``text`` and read curly apostrophes as straight ones (same length: offsets stay valid)."""
    # Same length as the input, so offsets stay valid.
    return text.replace("\u2019", "'").replace("\u2018", "'").lower()


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): from the last break before it to the first break after it."""
    left = 0
    for m in _CLAUSE_BREAK.finditer(text, 0, start):
        left = m.end()
    right_match = _CLAUSE_BREAK.search(text, end)
    right = right_match.start() if right_match else len(text)
    return left, right


def _matches(patterns, clause: str, offset: int) -> list[_Match]:
    out = []
    for term, pattern in patterns:
        out.extend(_Match(m.start() + offset, m.end() + offset, term) for m in pattern.finditer(clause))
    return out


def negation_trigger(text: str, start: int, end: int) -> str | None:
    """Return the trigger that negates the span ``text[start:end]``, or None when the span is positive.

    Args:
        text: the model's text (a diagnosis or a treatment plan), as written.
        start: start offset of the keyword occurrence in ``text``.
        end: end offset (exclusive).

    Returns:
        The trigger phrase (e.g. ``"ruled out"``), or None.
    """
    text = normalize_text(text)
    left, right = _clause_bounds(text, start, end)
    clause = text[left:right]
    rules = trigger_lists()
    pseudo = [(m.start() + left, m.end() + left) for p in rules.pseudo for m in p.finditer(clause)]
    stops = [m.start() + left for p in rules.termination for m in p.finditer(clause)]

    def usable(match: _Match) -> bool:
        overlaps_keyword = match.start < end and start < match.end
        in_pseudo = any(match.start < p_end and p_start < match.end for p_start, p_end in pseudo)
        return not overlaps_keyword and not in_pseudo

    for match in _matches(rules.preceding, clause, left):
        if match.end <= start and usable(match) and not any(match.end <= s < start for s in stops):
            return match.term
    for match in _matches(rules.following, clause, left):
        if match.start >= end and usable(match) and not any(end <= s < match.start for s in stops):
            return match.term
    return None


def find_phrase(text: str, phrase: str) -> list[tuple[int, int]]:
    """Return the (start, end) spans of every case-insensitive occurrence of ``phrase`` in ``text``.

    The phrase matches as a substring (stems like ``"analgesi"`` match ``"analgesia"``); a multi-word phrase
    matches literally, its words separated by any whitespace (scoring-rules.md defect 2).
    """
    if not phrase.strip():
        return []
    return [(m.start(), m.end()) for m in phrase_pattern(phrase, whole_word=False).finditer(text)]


def is_positive(text: str, phrase: str) -> bool:
    """True when ``phrase`` occurs in ``text`` at least once outside the scope of a negation."""
    return any(negation_trigger(text, s, e) is None for s, e in find_phrase(text, phrase))
