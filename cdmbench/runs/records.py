"""The predictions line: what a program answered for one case (DESIGN.md "Predictions file")."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PredictionRecord", "ToolCallRecord"]


class ToolCallRecord(BaseModel):
    """One tool call as the scorers read it."""

    model_config = ConfigDict(extra="allow")

    name: str
    """Tool name as the program called it (anything but the three tools is invalid)."""
    args: dict[str, Any] = Field(default_factory=dict)
    """Arguments as given (lab names or itemids; imaging region and modality)."""


class PredictionRecord(BaseModel):
    """One line of predictions.jsonl."""

    model_config = ConfigDict(extra="allow")

    hadm_id: int
    """The case's admission id."""
    status: Literal["ok", "error"] = "ok"
    """'ok', or 'error' with the reason in `error`."""
    error: str | None = None
    """Why the case failed (exception type and message), when status is 'error'."""
    diagnosis: str = ""
    """The program's primary diagnosis."""
    treatments: list[str] | str = Field(default_factory=list)
    """The treatment plan (a list, or one string)."""
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    """Tool calls in order."""
    latency_s: float | None = None
    """Wall time spent on the case."""
    usage: dict[str, Any] = Field(default_factory=dict)
    """Token usage per LM (prompt_tokens, completion_tokens, ...)."""
