"""The laboratory tool: a request of names, panels and itemids answered from the case's results.

The request is parsed by the one lab vocabulary (``cdmbench.vocabulary.lab_requests``: stop words,
separators, panels, fuzzy label matching, synonym classes, itemids). The tool finds, per requested test, its
result lines (each itemid's lines once per call, labs then microbiology when the protocol shows microbiology;
with reference ranges when it shows them); the protocol writes the answer (``cdmbench.environment.answers``):
``cdmbench`` lists the results, then the recognized tests the patient has no result for, then the names that were
not recognized; ``cdmv1`` lists the results and "<name>: N/A" for each unrecognized name, in request order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cdmbench.cases import LabResult, MicrobiologyEvent
from cdmbench.environment.answers import LabEntry
from cdmbench.environment.formatting import format_lab_result, format_microbiology_event
from cdmbench.vocabulary.lab_dictionary import LabDictionary
from cdmbench.vocabulary.lab_requests import parse_lab_request

if TYPE_CHECKING:
    from cdmbench.protocols import Protocol

__all__ = ["LabAnswer", "LabTool", "as_test_list"]


class LabAnswer:
    """What the lab tool made of one request."""

    __slots__ = ("normalized_args", "observation", "valid")

    def __init__(self, observation: str, normalized_args: dict[str, Any], valid: bool) -> None:
        self.observation = observation
        self.normalized_args = normalized_args
        self.valid = valid


def as_test_list(tests: Any) -> list[str | int] | None:
    """The request as a list of names and itemids (one string or number becomes a one-item list).

    Digit-only strings (``"50956"``) become integer itemids. Returns None when ``tests`` is neither a
    string, a number nor a list of them.
    """
    if isinstance(tests, str | int) and not isinstance(tests, bool):
        tests = [tests]
    if not isinstance(tests, list | tuple):
        return None
    out: list[str | int] = []
    for item in tests:
        if isinstance(item, bool) or not isinstance(item, str | int):
            return None
        if isinstance(item, str) and item.strip().isdigit():
            out.append(int(item.strip()))
        else:
            out.append(item)
    return out


class LabTool:
    """Laboratory and microbiology results of one case behind ``laboratory_tests(tests)``."""

    def __init__(
        self,
        labs: Sequence[LabResult],
        microbiology: Sequence[MicrobiologyEvent],
        dictionary: LabDictionary,
        protocol: Protocol,
    ) -> None:
        self._dictionary = dictionary
        self._protocol = protocol
        self._labs: dict[int, list[LabResult]] = defaultdict(list)
        for lab in labs:
            self._labs[lab.itemid].append(lab)
        self._micro: dict[int, list[MicrobiologyEvent]] = defaultdict(list)
        for event in microbiology if protocol.lab_microbiology else ():
            self._micro[event.test_itemid].append(event)

    def _lines(self, itemid: int) -> list[str]:
        ranges = self._protocol.lab_reference_ranges
        lines = [format_lab_result(lab, reference_range=ranges) for lab in self._labs.get(itemid, ())]
        lines += [format_microbiology_event(event) for event in self._micro.get(itemid, ())]
        return lines

    def request(self, tests: Any) -> LabAnswer:
        """Answer one request (a list of names/itemids, or one string); an unusable request is invalid."""
        items = as_test_list(tests)
        if not items:
            return LabAnswer(
                f"Cannot interpret the laboratory request {tests!r}: give a list of test names, "
                "panels (e.g. 'CBC') or itemids.",
                {"itemids": [], "unrecognized": []},
                False,
            )
        parsed = parse_lab_request(items, self._dictionary, self._protocol.lab_article_anywhere)
        shown: set[int] = set()
        entries: list[LabEntry] = []
        for match in parsed.matches:
            lines: list[str] = []
            available = False
            for itemid in match.itemids:
                found = self._lines(itemid)
                available = available or bool(found)
                if itemid not in shown:
                    shown.add(itemid)
                    lines.extend(found)
            entries.append(LabEntry(match.request, bool(match.itemids), available, tuple(lines)))
        normalized = {"itemids": list(parsed.itemids), "unrecognized": [str(name) for name in parsed.unmatched]}
        return LabAnswer(self._protocol.lab_answer(entries), normalized, True)
