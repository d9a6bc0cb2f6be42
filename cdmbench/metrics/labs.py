"""Laboratory tests (scoring-rules.md section 4, ``labs.json``).

Every laboratory call is parsed by the lab tool's own parser (``cdmbench.vocabulary.lab_requests``) with the
full label dictionary, so names, panels and integer itemids are understood whether or not the patient had the
test, and synonym classes are undirected (a bilirubin request reaches direct bilirubin 50883, defect 3).

Each requested itemid, in request order, goes to the first required category that contains it; a category
scores 1 at its first hit (later hits are recorded, not counted). An itemid that is in no required category is
neutral when it is in the pathology's neutral list, else unnecessary; names that matched no test are
unnecessary too. Each itemid and name is recorded once (``cdmbench``); ``cdmv1`` records them per request, as
CDMv1's evaluator did (a test requested in two calls is unnecessary twice; within one call it is listed once,
CDMv1's parser dropped repeats). A call whose tool failed (``failed``) returned no results and is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cdmbench.metrics.core import ToolCallInput
from cdmbench.metrics.pathologies import PathologyConfig
from cdmbench.metrics.tools import LABORATORY_TESTS, lab_request_items
from cdmbench.vocabulary._data import load_reference
from cdmbench.vocabulary.lab_requests import LabDictionary, parse_lab_request

if TYPE_CHECKING:
    from cdmbench.protocols import Protocol

__all__ = ["LabsResult", "requested_lab_tests", "score_labs"]


@dataclass(frozen=True)
class LabsResult:
    """The laboratory score with what it was computed from."""

    score: int
    correct: dict[str, list[int]]
    """Every required category -> the requested itemids that fell into it (empty when missed)."""
    neutral: list[int]
    unnecessary: list[int | str]
    explanation: str


def requested_lab_tests(
    calls: Sequence[ToolCallInput],
    dictionary: LabDictionary,
    once_per_case: bool = True,
    article_anywhere: bool = False,
) -> tuple[list[int], list[str]]:
    """Return (itemids in request order, names that matched nothing) over all laboratory calls.

    With ``once_per_case`` each is listed once; else once per call (repeats across calls kept).
    ``article_anywhere`` is the lab parser's CDMv1 article rule (``parse_lab_request``).
    """
    itemids: list[int] = []
    unmatched: list[str] = []
    for call in calls:
        if call.name != LABORATORY_TESTS or call.failed:  # a failed call returned no results
            continue
        items = lab_request_items(call.args.get("tests"))
        if not items:
            continue
        parsed = parse_lab_request(items, dictionary, article_anywhere)
        itemids.extend(int(i) for i in parsed.itemids)
        unmatched.extend(dict.fromkeys(str(name) for name in parsed.unmatched))
    if not once_per_case:
        return itemids, unmatched
    return list(dict.fromkeys(itemids)), list(dict.fromkeys(unmatched))


def _category_hint(category: str) -> str:
    return load_reference("labs.json")["category_labels"].get(category, category)


def score_labs(
    calls: Sequence[ToolCallInput],
    config: PathologyConfig,
    dictionary: LabDictionary,
    protocol: Protocol | None = None,
) -> LabsResult:
    """Score the laboratory requests of a trajectory against ``config``'s required categories.

    Args:
        calls: all tool calls in order (only ``laboratory_tests`` calls are read).
        config: the case's pathology configuration.
        dictionary: the full lab label dictionary (reference labels, d_labitems labels and the cases' own).
        protocol: the protocol (default ``cdmbench``): whether each test counts once per case or per request.
    """
    from cdmbench.protocols import get_protocol

    protocol = get_protocol(protocol)
    itemids, unmatched = requested_lab_tests(
        calls, dictionary, protocol.labs_once_per_case, protocol.lab_article_anywhere
    )
    correct: dict[str, list[int]] = {category: [] for category in config.lab_categories}
    neutral: list[int] = []
    unnecessary: list[int | str] = []
    for itemid in itemids:
        category = next((c for c, ids in config.lab_categories.items() if itemid in ids), None)
        if category is not None:
            correct[category].append(itemid)
        elif itemid in config.neutral_itemids:
            neutral.append(itemid)
        else:
            unnecessary.append(itemid)
    unnecessary.extend(unmatched)
    hit = [c for c, ids in correct.items() if ids]
    missed = [c for c, ids in correct.items() if not ids]
    parts = [f"{len(hit)} of {config.max_laboratory_score} required lab categories for {config.name} requested"]
    if hit:
        parts.append("hit: " + ", ".join(f"{c} ({', '.join(map(str, correct[c]))})" for c in hit))
    if missed:
        parts.append("missed: " + ", ".join(f"{c} (e.g. {_category_hint(c)})" for c in missed))
    if unnecessary:
        shown = ", ".join(map(str, unnecessary[:10])) + (" ..." if len(unnecessary) > 10 else "")
        parts.append(f"{len(unnecessary)} unnecessary: {shown}")
    if not itemids and not unmatched:
        parts.append("no laboratory tests were requested")
    return LabsResult(len(hit), correct, neutral, unnecessary, "; ".join(parts) + ".")
