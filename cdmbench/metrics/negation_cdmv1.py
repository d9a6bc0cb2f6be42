"""Negation as CDMv1's negspacy setting decided it (``utils/nlp.py`` ``keyword_positive``), without scispaCy.

CDMv1 ran negspacy's ``Negex`` (termset ``en_clinical``, ``chunk_prefix=["no"]``) over the entities that the
scispaCy model ``en_core_sci_lg`` found; a keyword was positive when the first entity containing it was not
negated. negspacy's rules, applied here to the keyword occurrence:

1. The scope is the sentence, cut at termination terms ("but", "however", "although", ...): a preceding
   trigger before the keyword or a following trigger after it, in the same piece, negates it. A comma does
   not end the scope (cdmbench's own NegEx stops at clause punctuation).
2. A trigger that starts inside a pseudo-negation ("no further", "not ruled out", ...) is ignored.
3. ``chunk_prefix``: an entity whose text begins with "no" is negated. The entity is read as the keyword's word
   joined with the word before it; so "non-perforated appendicitis" is negated, as it was in CDMv1.

What cannot be reproduced without scispaCy: which words form an entity (here: the keyword's word and the one
before it), the sentence splitter (here: ``.``/``!``/``?`` and newlines), and the fallback for a keyword that
is in no entity (CDMv1 then only checked presence). The first occurrence of a keyword decides, as the first
entity did (see ``cdmbench.protocols``).

Example:
    >>> negspacy_trigger("Appendicitis, unlikely given the exam", 0, 12)
    'unlikely'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from cdmbench.metrics.negation import normalize_text, phrase_pattern
from cdmbench.vocabulary._data import load_reference

__all__ = ["negspacy_trigger"]

_SENTENCE_BREAK = re.compile(r"(?<!\d)\.|\.(?!\d)|[!?\n\r]")
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")


@dataclass(frozen=True)
class _Lists:
    preceding: tuple[tuple[str, re.Pattern[str]], ...]
    following: tuple[tuple[str, re.Pattern[str]], ...]
    pseudo: tuple[re.Pattern[str], ...]
    termination: tuple[re.Pattern[str], ...]
    chunk_prefix: tuple[str, ...]


@cache
def _lists() -> _Lists:
    lists = load_reference("diagnosis.json")["negation"]["cdmv1"]

    def compiled(key: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
        terms = sorted(set(lists[key]), key=lambda t: (-len(t), t))
        return tuple((t, phrase_pattern(t)) for t in terms)

    return _Lists(
        preceding=compiled("preceding_negations"),
        following=compiled("following_negations"),
        pseudo=tuple(p for _, p in compiled("pseudo_negations")),
        termination=tuple(p for _, p in compiled("termination")),
        chunk_prefix=tuple(t.lower() for t in lists["chunk_prefix"]),
    )


def _scope(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around the span, cut at the termination terms before and after it."""
    left = 0
    for m in _SENTENCE_BREAK.finditer(text, 0, start):
        left = m.end()
    found = _SENTENCE_BREAK.search(text, end)
    right = found.start() if found else len(text)
    for pattern in _lists().termination:
        for m in pattern.finditer(text, left, right):
            if m.end() <= start:
                left = max(left, m.end())
            elif m.start() >= end:
                right = min(right, m.start())
    return left, right


def _entity_text(text: str, left: int, start: int) -> str:
    """The keyword's entity as far as it can be told without scispaCy: from the word before the keyword's word
    (when only spaces separate them) to the end of the text."""
    word_start = start
    while word_start > left and re.match(r"[a-z0-9'-]", text[word_start - 1]):
        word_start -= 1
    before = list(_WORD.finditer(text, left, word_start))
    if before and not text[before[-1].end() : word_start].strip():
        word_start = before[-1].start()
    return text[word_start:]


def negspacy_trigger(text: str, start: int, end: int) -> str | None:
    """The trigger (or ``"chunk prefix 'no'"``) that negates ``text[start:end]`` by CDMv1's rules, or None."""
    text = normalize_text(text)
    lists = _lists()
    left, right = _scope(text, start, end)
    pseudo = [(m.start(), m.end()) for p in lists.pseudo for m in p.finditer(text, left, right)]

    def usable(m: re.Match[str]) -> bool:
        in_pseudo = any(p_start <= m.start() <= p_end for p_start, p_end in pseudo)
        return not in_pseudo and not (m.start() < end and start < m.end())

    for term, pattern in lists.preceding:
        if any(m.end() <= start and usable(m) for m in pattern.finditer(text, left, right)):
            return term
    for term, pattern in lists.following:
        if any(m.start() >= end and usable(m) for m in pattern.finditer(text, left, right)):
            return term
    entity = _entity_text(text, left, start)
    for prefix in lists.chunk_prefix:
        if entity.startswith(prefix):
            return f"chunk prefix {prefix!r}"
    return None
