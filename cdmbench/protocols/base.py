"""``Protocol``: the one object that says how the environment answers and how the scorers read a trajectory.

A protocol is chosen once, from the config (``protocol=cdmv1|cdmbench``), and handed to the environment, the
agent and the scorers; they consult its fields instead of branching on its name. Every field is one documented
difference between CDMv1 and cdmbench (``docs/protocols.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdmbench.errors import DataSourceError
from cdmbench.vocabulary.imaging_requests import ImagingRequest
from cdmbench.vocabulary.lab_dictionary import LabDictionary

if TYPE_CHECKING:
    import pandas as pd

    from cdmbench.cases import RadiologyReport
    from cdmbench.environment.answers import LabEntry

__all__ = ["Protocol", "read_lab_items"]


@cache
def read_lab_items(path: str) -> pd.DataFrame:
    """A ``d_labitems`` table (itemid, label, fluid, category; CSV, gzip allowed) or CDMv1's ``lab_test_mapping.csv``.

    Raises:
        DataSourceError: the file cannot be read or lacks the itemid and label columns.
    """
    import pandas as pd  # here: pandas takes seconds to import, and only this reads a table

    try:
        table = pd.read_csv(Path(path).expanduser())
    except (OSError, ValueError) as exc:
        raise DataSourceError(
            f"cannot read protocol.lab_items={path!r} ({exc.__class__.__name__}); give a d_labitems CSV "
            "(itemid,label,fluid,category) or CDMv1's lab_test_mapping.csv, or protocol.lab_items=null."
        ) from None
    missing = [c for c in ("itemid", "label") if c not in table.columns]
    if missing:
        raise DataSourceError(f"protocol.lab_items={path!r} lacks column(s) {missing}; it needs itemid and label.")
    return table


@dataclass(frozen=True)
class Protocol:
    """How one protocol's environment answers and its scorers score (see ``cdmbench.protocols``)."""

    name: str
    """``cdmv1`` or ``cdmbench``."""
    description: str
    """One sentence on what the protocol is."""

    # ---------------------------------------------------------------- environment
    lab_reference_ranges: bool
    """Lab lines show ``| RR: [lo - hi]``."""
    lab_microbiology: bool
    """Microbiology results answer lab requests."""
    lab_answer: Callable[[Sequence[LabEntry]], str]
    """Writes a lab answer from the requested tests and their result lines."""
    normalize_imaging: Callable[[str | None, str | None], ImagingRequest]
    """Reads an imaging request (region, modality) in the protocol's vocabulary."""
    report_key: Callable[[RadiologyReport], tuple[str | None, str | None]]
    """A stored report's (region, modality) in the protocol's vocabulary."""
    report_answers: Callable[[str | None, str | None], bool]
    """Whether a report of modality B answers a request for modality A (regions must be equal)."""
    imaging_answer: Callable[[ImagingRequest, RadiologyReport | None, int], str]
    """Writes an imaging answer: the report, or why there is none (given: reports already served)."""
    invalid_answer: Callable[[str], str]
    """What the model reads after an invalid action (given: what was wrong)."""
    observation: Callable[[str, str], str]
    """Wraps a tool's answer (given: tool name, answer)."""

    # ---------------------------------------------------------------- agent
    resolve_tool_name: Callable[[str], tuple[str | None, str]]
    """A requested tool name -> (tool or None, input text it carried)."""
    free_tool_names: bool
    """The agent names tools in free text (no constrained choice)."""
    max_iters_is_miss: bool
    """An agent that uses all its steps without finishing gives no diagnosis (a miss)."""
    is_finish: Callable[[str], bool]
    """Whether an agent step's tool name ends the episode (``finish``; ``cdmv1``: also "Final Diagnosis")."""

    # ---------------------------------------------------------------- scoring
    lab_bare_names: bool
    """The lab dictionary adds cdmbench's bare names ('Bilirubin' for 'Bilirubin, Total')."""
    lab_article_anywhere: bool
    """Lab requests lose every capital 'A ' ("Hepatitis A Antibody" -> "Hepatitis Antibody"), not only a leading one."""
    labs_once_per_case: bool
    """Each requested itemid is scored once per case; False: once per request (duplicates across requests kept)."""
    treatment_needs_tool_calls: bool
    """A plan is scored only when the trajectory has a tool call (CDMv1); False: always."""
    first_diagnosis: Callable[[str], str]
    """The first diagnosis of an answer (the text that is scored)."""
    negation_trigger: Callable[[str, int, int], str | None]
    """The trigger negating ``text[start:end]``, or None."""
    first_occurrence_decides: bool
    """A keyword's first occurrence decides whether it is negated; False: any positive occurrence counts."""
    eus_bonus_cap: int | None
    """The cap on the imaging score with the biliary EUS bonus (None: every EUS request adds 1, uncapped)."""
    lab_items: str | None = None
    """A ``d_labitems`` CSV (or CDMv1's ``lab_test_mapping.csv``) whose labels join the lab dictionary (the config's
    ``protocol.lab_items``); None: the reference labels and the loaded cases' labels only."""

    def lab_dictionary(self, cases: Iterable[Any] = (), d_labitems: Any = None) -> LabDictionary:
        """The lab label dictionary of this protocol: reference labels, ``d_labitems`` (default: the ``lab_items``
        file) and the labels of ``cases`` (pass all loaded cases, never only the selected ones)."""
        if d_labitems is None and self.lab_items:
            d_labitems = read_lab_items(self.lab_items)
        return LabDictionary.build(d_labitems=d_labitems, cases=list(cases), bare_names=self.lab_bare_names)

    def resolve_call(self, name: str, args: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """A tool call's tool and arguments as the protocol reads them (text carried in the name joins the input).

        Returns:
            ``(tool, args)``; ``tool`` is None for a name that is no tool.
        """
        tool, carried = self.resolve_tool_name(str(name))
        given = dict(args)
        if not carried or tool is None:
            return tool, given
        if tool == "laboratory_tests":
            tests = given.get("tests")
            tests = [] if tests is None else tests if isinstance(tests, list) else [tests]
            given["tests"] = [carried, *tests]
        elif tool == "imaging":
            given["modality"] = " ".join(str(p) for p in (carried, given.get("modality")) if p)
        return tool, given

    def decide(self, triggers: Sequence[str | None]) -> tuple[bool, str | None]:
        """Whether a keyword is positive given the negation trigger of each of its occurrences (in order)."""
        if not triggers:
            return False, None
        if self.first_occurrence_decides:
            return triggers[0] is None, triggers[0]
        if any(t is None for t in triggers):
            return True, None
        return False, triggers[0]

    def is_positive(self, text: str, phrase: str) -> bool:
        """``phrase`` occurs in ``text`` and is not negated, by this protocol's negation and occurrence rules."""
        from cdmbench.metrics.negation import find_phrase

        spans = find_phrase(text, phrase)
        return self.decide([self.negation_trigger(text, s, e) for s, e in spans])[0]

    def imaging_score(self, score: int, bonus: int = 1) -> int:
        """The imaging score after a biliary EUS bonus."""
        raised = score + bonus
        return raised if self.eus_bonus_cap is None else min(self.eus_bonus_cap, raised)
