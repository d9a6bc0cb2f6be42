"""One case's transcript for the report: a predictions line joined with its scores line and its case.

Programs record different things (docs/formats.md leaves the extra fields of a predictions line free): the agent
keeps a ReAct ``trajectory`` (``thought_i``, ``tool_name_i``, ``tool_args_i``, ``observation_i``) and the
environment's ``observations`` beside its ``tool_calls``; the full-information programs keep a ``summary``;
a hand-written line may hold only ``tool_calls``. ``transcript_steps`` reads whichever is there.

Example:
    >>> steps = transcript_steps({"tool_calls": [{"name": "physical_examination", "args": {}}],
    ...                           "observations": ["T 38.4"]})
    >>> steps[0].tool, steps[0].observation
    ('physical_examination', 'T 38.4')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["KNOWN_FIELDS", "CaseInfo", "CaseView", "Step", "outcome_of", "transcript_steps"]

KNOWN_FIELDS: frozenset[str] = frozenset(
    {
        "hadm_id",
        "status",
        "error",
        "diagnosis",
        "differential",
        "treatments",
        "tool_calls",
        "observations",
        "trajectory",
        "findings",
        "summary",
        "latency_s",
        "usage",
        "error_kind",
        "failure",
        "format_failures",
        "parsing",
        "steps",
        "transcript",
    }
)
"""Predictions-line fields the card shows in their own sections; any other field is shown as JSON."""

FINISH = "finish"
"""ReAct's closing pseudo-tool; its step is not a tool call."""


@dataclass(frozen=True)
class Step:
    """One information-gathering step: the agent's thought, the tool call and what the tool answered."""

    tool: str | None
    """The tool name as called (None for a step with only a thought)."""
    args: Any = None
    """The arguments as given."""
    observation: str | None = None
    """The tool's answer (None when the program did not record it)."""
    thought: str | None = None
    """The reasoning before the call, when the program recorded it."""
    status: str = "ok"
    """``ok``, or ``format_error`` (the step's answer could not be read), ``tool_error``, ``context_window``."""
    reasoning: str | None = None
    """The model's reasoning for the step (``reasoning_content`` or its ``<think>`` block)."""
    raw: str | None = None
    """The text of an unreadable step, as the model produced it."""
    reason: str | None = None
    """Why the step failed (``truncated``, ``malformed``, ``empty``, or the tool error's kind)."""


@dataclass(frozen=True)
class CaseInfo:
    """What the report shows from the cases file: never scored, only displayed."""

    history: str = ""
    """The patient history as presented to the program."""
    age: int | None = None
    """Age in years."""
    gender: str | None = None
    """Gender as recorded."""
    pathology: str | None = None
    """The case's benchmark pathology."""
    reference_diagnosis: list[str] = field(default_factory=list)
    """The ground truth's primary diagnosis."""


@dataclass(frozen=True)
class CaseView:
    """Everything one case card shows."""

    hadm_id: int
    """The admission."""
    prediction: dict[str, Any] | None
    """The predictions line (None: the case was scored but its prediction is not in the run)."""
    score: dict[str, Any] | None
    """The scores line (None: not scored)."""
    info: CaseInfo | None
    """The case from the cases file (None: no cases file, or the case is not in it)."""

    @property
    def pathology(self) -> str:
        """The pathology from the scores line, else from the case, else ``unknown``."""
        found = (self.score or {}).get("pathology") or (self.info.pathology if self.info else None)
        return str(found or "unknown")

    @property
    def outcome(self) -> str:
        """``correct``, ``incorrect``, ``error`` or ``unscored`` (see ``outcome_of``)."""
        return outcome_of(self.prediction, self.score)


def outcome_of(prediction: dict[str, Any] | None, score: dict[str, Any] | None) -> str:
    """The filter class of a case: ``error`` when either line has status error, else by gracious diagnosis.

    Returns:
        ``"error"``, ``"correct"`` (gracious diagnosis 1), ``"incorrect"`` (0) or ``"unscored"``.
    """
    if (prediction or {}).get("status") == "error" or (score or {}).get("status") == "error":
        return "error"
    scores = (score or {}).get("scores") or {}
    value = scores.get("gracious_diagnosis", scores.get("diagnosis"))
    if value is None:
        return "unscored"
    return "correct" if value else "incorrect"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _trajectory_steps(trajectory: dict[str, Any], records: list[Any]) -> list[Step]:
    by_index = {r.get("index"): r for r in records if isinstance(r, dict)}
    steps = []
    index = 0
    while any(f"{key}_{index}" in trajectory for key in ("tool_name", "thought", "observation")):
        tool = trajectory.get(f"tool_name_{index}")
        record = by_index.get(index, {})
        steps.append(
            Step(
                tool=_text(tool),
                args=trajectory.get(f"tool_args_{index}"),
                observation=None if tool == FINISH else _text(trajectory.get(f"observation_{index}")),
                thought=_text(trajectory.get(f"thought_{index}")),
                status=str(record.get("status") or "ok"),
                reasoning=_text(record.get("reasoning_content")),
                raw=_text(record.get("raw")),
                reason=_text(record.get("reason")),
            )
        )
        index += 1
    return steps


def transcript_steps(prediction: dict[str, Any]) -> list[Step]:
    """The information-gathering steps of a predictions line, in order.

    The ReAct trajectory is used when it has steps (it holds the thoughts, and the observations as the agent
    saw them); otherwise ``tool_calls`` paired with ``observations`` (when recorded).

    Args:
        prediction: one predictions.jsonl line.

    Returns:
        The steps; empty for a program that calls no tools.
    """
    trajectory = prediction.get("trajectory")
    if isinstance(trajectory, dict):
        records = prediction.get("steps")
        steps = _trajectory_steps(trajectory, records if isinstance(records, list) else [])
        if steps:
            return steps
    calls = prediction.get("tool_calls") or []
    observations = prediction.get("observations") or []
    steps = []
    for index, call in enumerate(calls):
        call = call if isinstance(call, dict) else {"name": str(call)}
        observation = observations[index] if index < len(observations) else None
        steps.append(Step(tool=_text(call.get("name")), args=call.get("args", {}), observation=_text(observation)))
    return steps
