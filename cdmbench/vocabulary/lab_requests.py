"""Parse a laboratory request (names and/or itemids) into itemids, per CDMv1's rules (``labs.json``).

Text steps (``request_parsing``): the words order/run/level/levels/repeat/check are removed; the lower-case word
'and' and newlines separate tests like commas; the text is split on commas outside parentheses; English stop
words (``data/stopwords_en.txt``) are dropped from each part; a leading article 'A ' is removed (only at the
start: "Hepatitis A Antibody" keeps its 'A'; ``article_anywhere=True``, the ``cdmv1`` protocol, removes every
capital 'A ' as CDMv1 did).

Matching (``matching_cdmv1``) of each part against the ``LabDictionary``: the full name (score >= 90), else
the long name outside parentheses (>= 90), else the short name inside them (== 100), else, when the part names a
fluid ('urine glucose'), the part without the fluid word among labels of that fluid (>= 90, ids kept only if of
that fluid). A matched label gives all its itemids (panels expanded, synonym classes closed); an integer itemid
or a string of digits is used as given; anything else is reported as unmatched.

Example:
    >>> parse_lab_request(["order a CBC and a lipase level"]).unmatched
    []
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from functools import cache
from importlib import resources

from pydantic import BaseModel

from cdmbench.vocabulary._data import load_reference
from cdmbench.vocabulary.lab_dictionary import LabDictionary, _default_dictionary, split_short_long
from cdmbench.vocabulary.labs import fluid_keywords

__all__ = ["STOP_WORDS", "LabMatch", "LabRequest", "parse_lab_request", "split_lab_request"]

FULL_NAME_THRESHOLD = 90
SHORT_NAME_THRESHOLD = 100


@cache
def _stop_words() -> frozenset[str]:
    text = resources.files("cdmbench.vocabulary").joinpath("data").joinpath("stopwords_en.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


STOP_WORDS: frozenset[str] = _stop_words()
"""English stop words dropped from a lab request (NLTK's English list as data, plus 'please')."""

_STRIP_WORDS = re.compile(
    r"\b(?:"
    + "|".join(map(re.escape, load_reference("labs.json")["request_parsing"]["strip_words"]["words"]))
    + r")\b",
    re.IGNORECASE,
)
_PUNCTUATION = str.maketrans("", "", string.punctuation)


class LabMatch(BaseModel):
    """What one requested test matched."""

    request: str
    """The requested test after parsing (an itemid as its digits)."""
    label: str | None = None
    """The dictionary label it matched; None for an itemid or an unmatched name."""
    itemids: list[int] = []
    """The itemids it stands for (empty when unmatched)."""
    step: str | None = None
    """How it matched: 'itemid', 'full', 'long', 'short' or 'fluid'; None when unmatched."""
    score: float | None = None
    """The fuzz.ratio score of the match (None for itemids and unmatched names)."""


class LabRequest(BaseModel):
    """A parsed lab request."""

    itemids: list[int]
    """All matched itemids in request order, without duplicates."""
    matches: list[LabMatch]
    """One entry per requested test, in order."""
    unmatched: list[str]
    """Requested names that matched no label (scored as unnecessary tests)."""


def _drop_stop_words(part: str) -> str:
    kept = []
    for word in part.split():
        bare = word.translate(_PUNCTUATION)
        if (len(bare) > 1 and bare.lower() in STOP_WORDS) or (len(bare) == 1 and bare in STOP_WORDS):
            continue
        kept.append(word)
    return " ".join(kept)


def _split_commas(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == "," and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def split_lab_request(text: str, article_anywhere: bool = False) -> list[str]:
    """Split one request string into test names (see the module docstring for the steps).

    Example:
        >>> split_lab_request("Please order a CBC, BMP and a lipase level")
        ['CBC', 'BMP', 'lipase']
    """
    text = _STRIP_WORDS.sub(" ", text)
    text = re.sub(r"\band\b", ",", text)
    text = re.sub(r"[\r\n]+", ",", text)
    names = []
    for part in _split_commas(text):
        part = _drop_stop_words(part)
        part = re.sub(r"\bA\s" if article_anywhere else r"^A\s+", "", part).strip()
        if part:
            names.append(part)
    return names


def _fluid_of(name: str) -> tuple[tuple[str, ...], str] | None:
    lowered = name.lower()
    for fluid, accepted in fluid_keywords().items():
        for keyword in (fluid, *accepted):
            pos = lowered.find(keyword.lower())
            if pos >= 0:
                rest = " ".join(f"{name[:pos]} {name[pos + len(keyword) :]}".split())
                return accepted, rest
    return None


def _match_name(name: str, dictionary: LabDictionary) -> LabMatch:
    found = dictionary.best_label(name, FULL_NAME_THRESHOLD)
    if found:
        return LabMatch(
            request=name, label=found[0], itemids=list(dictionary.itemids(found[0])), step="full", score=found[1]
        )
    parts = split_short_long(name)
    if parts:
        short, long = parts
        found = dictionary.best_label(long, FULL_NAME_THRESHOLD)
        if found:
            ids = list(dictionary.itemids(found[0]))
            return LabMatch(request=name, label=found[0], itemids=ids, step="long", score=found[1])
        found = dictionary.best_label(short, SHORT_NAME_THRESHOLD)
        if found:
            ids = list(dictionary.itemids(found[0]))
            return LabMatch(request=name, label=found[0], itemids=ids, step="short", score=found[1])
    fluid = _fluid_of(name)
    if fluid and fluid[1]:
        accepted, rest = fluid
        found = dictionary.best_label(rest, FULL_NAME_THRESHOLD, fluids=accepted)
        if found:
            ids = [i for i in dictionary.itemids(found[0]) if dictionary.fluid(i) in (*accepted, None)]
            return LabMatch(request=name, label=found[0], itemids=ids, step="fluid", score=found[1])
    return LabMatch(request=name)


def parse_lab_request(
    tests: Iterable[str | int] | str | int, dictionary: LabDictionary | None = None, article_anywhere: bool = False
) -> LabRequest:
    """Map requested lab tests (names and/or itemids) to itemids.

    Args:
        tests: the ``tests`` argument of a laboratory tool call: a list of names and/or itemids (a single string
            or itemid is accepted too); a string may hold several tests ("CBC, BMP and lipase").
        dictionary: the label dictionary (``LabDictionary.build(d_labitems, cases)``); default: the reference
            labels and panels only.
        article_anywhere: remove every capital 'A ' (CDMv1), not only a leading one.

    Returns:
        A ``LabRequest`` with the itemids in request order (deduplicated), what each test matched, and the
        names that matched nothing.

    Example:
        >>> parse_lab_request(["CBC", 50956]).itemids[-1]
        50956
    """
    dictionary = dictionary or _default_dictionary()
    if isinstance(tests, str | int):
        tests = [tests]
    matches: list[LabMatch] = []
    for test in tests:
        if isinstance(test, bool) or test is None:
            continue
        if isinstance(test, int) or (isinstance(test, str) and test.strip().isdigit()):
            itemid = int(test)
            matches.append(LabMatch(request=str(itemid), itemids=[itemid], step="itemid"))
            continue
        matches.extend(_match_name(name, dictionary) for name in split_lab_request(str(test), article_anywhere))
    itemids = list(dict.fromkeys(i for m in matches for i in m.itemids))
    unmatched = [m.request for m in matches if m.step is None]
    return LabRequest(itemids=itemids, matches=matches, unmatched=unmatched)
