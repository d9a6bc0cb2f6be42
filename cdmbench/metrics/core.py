"""The records every scorer shares: the prediction as the scorers read it, and one scores.jsonl line.

``ScoringInput`` is the part of a predictions line the scorers use (diagnosis, treatments, tool calls), read
leniently from a dict or any Pydantic record with those fields. ``CaseScore`` is one line of ``scores.jsonl``
in docs/formats.md's format, plus ``status`` ("ok", or "error" for a prediction that failed: then ``scores`` and
``answers`` are null and ``error`` says why).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["SCORE_KEYS", "Answers", "CaseScore", "Scores", "ScoringInput", "ToolCallInput", "as_scoring_input"]

SCORE_KEYS: tuple[str, ...] = (
    "diagnosis",
    "gracious_diagnosis",
    "physical_examination",
    "late_physical_examination",
    "laboratory_tests",
    "imaging",
    "invalid_tools",
    "rounds",
)
"""The keys of ``scores`` in a scores.jsonl line, in docs/formats.md's order."""


class ToolCallInput(BaseModel):
    """One tool call of a prediction."""

    model_config = ConfigDict(extra="ignore")

    name: str
    """Tool name as the program called it."""
    args: dict[str, Any] = Field(default_factory=dict)
    """Arguments as given (anything but a JSON object is read as no arguments)."""
    failed: bool = False
    """The tool failed carrying the call out (``"failed": true`` in the predictions file): an invalid call, and the
    tool counts as not used; absent (older predictions files) reads as False."""

    @field_validator("failed", mode="before")
    @classmethod
    def _failed_as_bool(cls, value: Any) -> Any:
        return value is True

    @field_validator("name", mode="before")
    @classmethod
    def _name_as_text(cls, value: Any) -> Any:
        return "" if value is None else str(value) if not isinstance(value, str) else value

    @field_validator("args", mode="before")
    @classmethod
    def _args_as_dict(cls, value: Any) -> Any:
        return dict(value) if isinstance(value, Mapping) else {}


class ScoringInput(BaseModel):
    """What the scorers read from a prediction."""

    model_config = ConfigDict(extra="ignore")

    diagnosis: str = ""
    """The model's diagnosis as written."""
    treatments: list[str] = Field(default_factory=list)
    """The treatment plan, one item per entry (a single string becomes one item)."""
    tool_calls: list[ToolCallInput] = Field(default_factory=list)
    """The tool calls in order."""

    @field_validator("diagnosis", mode="before")
    @classmethod
    def _diagnosis_as_text(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("treatments", mode="before")
    @classmethod
    def _treatments_as_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value if v is not None] if isinstance(value, list | tuple) else value

    @field_validator("tool_calls", mode="before")
    @classmethod
    def _calls_as_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            return value  # rejected by validation, with the field named
        return [v.model_dump() if isinstance(v, BaseModel) else v for v in value]

    @property
    def treatment_text(self) -> str:
        """The whole treatment plan as one text (items joined by newlines)."""
        return "\n".join(self.treatments)


def as_scoring_input(prediction: Any) -> ScoringInput:
    """Read a prediction (a predictions.jsonl dict, a Pydantic record, or a ``ScoringInput``) for the scorers.

    Raises:
        pydantic.ValidationError: a field has an unusable type (e.g. ``tool_calls`` is a string).
    """
    if isinstance(prediction, ScoringInput):
        return prediction
    if isinstance(prediction, BaseModel):
        prediction = prediction.model_dump()
    return ScoringInput.model_validate(prediction)


class Scores(BaseModel):
    """The per-case scores (scoring-rules.md section 1)."""

    diagnosis: int = 0
    """1 when the answer names the pathology (word or full alternative name), not negated."""
    gracious_diagnosis: int = 0
    """1 when ``diagnosis`` is 1 or a gracious-only alternative name matches."""
    physical_examination: int = 0
    """1 when the first tool call is the physical examination."""
    late_physical_examination: int = 0
    """1 when a physical examination was requested at any point."""
    laboratory_tests: int = 0
    """Number of required lab categories hit (0..k)."""
    imaging: int = 0
    """Imaging score 0..2, set by the first valid abdominal request."""
    invalid_tools: int = 0
    """Number of invalid tool calls."""
    rounds: int = 0
    """Number of tool calls, invalid ones included."""


class Answers(BaseModel):
    """What the scores were computed from."""

    diagnosis: str = ""
    """The model's diagnosis as written."""
    correct_laboratory_tests: dict[str, list[int]] = Field(default_factory=dict)
    """Required category -> requested itemids in it (every required category is listed, hit or not)."""
    unnecessary_laboratory_tests: list[int | str] = Field(default_factory=list)
    """Requested itemids neither required nor neutral, and names that matched no test."""
    correct_imaging: list[dict[str, str | None]] = Field(default_factory=list)
    """Valid imaging requests ({"region", "modality"}, canonical), first occurrences."""
    unnecessary_imaging: list[dict[str, str | None]] = Field(default_factory=list)
    """Invalid, unscored and repeated imaging requests."""
    treatment_required: dict[str, bool] = Field(default_factory=dict)
    """Treatment key -> required by the ground truth."""
    treatment_requested: dict[str, bool] = Field(default_factory=dict)
    """Treatment key -> requested (keyword present, not negated) in the model's plan."""


class CaseScore(BaseModel):
    """One scores.jsonl line (docs/formats.md), with ``status``."""

    model_config = ConfigDict(extra="forbid")

    hadm_id: int
    """The case's admission id."""
    pathology: str | None
    """The case's pathology."""
    status: Literal["ok", "error"] = "ok"
    """'ok', or 'error' when the prediction failed (then it is scored as an empty answer: every score 0)."""
    error: str | None = None
    """The prediction's error reason, when ``status`` is 'error'."""
    error_kind: str | None = None
    """'lm_error' or 'format_error', when ``status`` is 'error' and the prediction says which."""
    scores: Scores | None = None
    """The scores (all 0 for a failed case: it counts as a miss); null only for an unscorable error line."""
    answers: Answers | None = None
    """What the scores were computed from."""
    explanations: dict[str, str] = Field(default_factory=dict)
    """Metric -> one sentence saying why it got its score (also the GEPA feedback)."""

    def to_record(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (what ``RunDirectory.scores.append`` takes); no ``error`` on ok lines."""
        return self.model_dump(mode="json", exclude={"error", "error_kind"} if self.status == "ok" else set())

    def to_line(self) -> str:
        """The record as one compact JSON line (no newline); ``error`` is left out of ok lines."""
        return self.model_dump_json(exclude={"error", "error_kind"} if self.status == "ok" else set())
