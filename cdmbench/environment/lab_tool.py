"""The laboratory tool: a request of names, panels and itemids answered from the case's results.

The request is parsed by the one lab vocabulary (``cdmbench.vocabulary.lab_requests``: stop words,
separators, panels, fuzzy label matching, synonym classes, itemids); the answer lists

1. one line per available result of a requested itemid, in request order (labs, then microbiology),
2. the recognized tests the patient has no result for,
3. the names that were not recognized.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from cdmbench.cases import LabResult, MicrobiologyEvent
from cdmbench.environment.formatting import format_lab_result, format_microbiology_event
from cdmbench.vocabulary.lab_dictionary import LabDictionary
from cdmbench.vocabulary.lab_requests import parse_lab_request

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
    ) -> None:
        self._dictionary = dictionary
        self._labs: dict[int, list[LabResult]] = defaultdict(list)
        for lab in labs:
            self._labs[lab.itemid].append(lab)
        self._micro: dict[int, list[MicrobiologyEvent]] = defaultdict(list)
        for event in microbiology:
            self._micro[event.test_itemid].append(event)

    def _lines(self, itemid: int) -> list[str]:
        lines = [format_lab_result(lab) for lab in self._labs.get(itemid, ())]
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
        parsed = parse_lab_request(items, self._dictionary)
        results: list[str] = []
        shown: set[int] = set()
        missing: list[str] = []
        for match in parsed.matches:
            if not match.itemids:  # not recognized: reported below
                continue
            found = False
            for itemid in match.itemids:
                lines = self._lines(itemid)
                found = found or bool(lines)
                if itemid not in shown:
                    shown.add(itemid)
                    results.extend(lines)
            if not found:
                missing.append(match.request)
        unrecognized = [str(name) for name in parsed.unmatched]
        parts: list[str] = []
        if results:
            parts.append("\n".join(results))
        if missing:
            parts.append("Not available for this patient: " + ", ".join(dict.fromkeys(missing)) + ".")
        if unrecognized:
            parts.append("Not recognized as laboratory tests: " + ", ".join(dict.fromkeys(unrecognized)) + ".")
        observation = "\n".join(parts) or "No laboratory tests were requested."
        normalized = {"itemids": list(parsed.itemids), "unrecognized": unrecognized}
        return LabAnswer(observation, normalized, True)
