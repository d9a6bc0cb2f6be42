"""The predictions line: what a program answered for one case (docs/formats.md "Predictions file")."""

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
    """'ok', or 'error' with the reason in `error` and the kind in `error_kind`."""
    error: str | None = None
    """Why the case failed (exception type and message, or the unreadable step), when status is 'error'."""
    error_kind: Literal["lm_error", "format_error"] | None = None
    """'lm_error' (the LM unreachable or failing after retries; `retry_errors=true` reruns it) or 'format_error'
    (the model's own output could not be used for the final answer; `retry_errors=true` keeps it), when status is
    'error'."""
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
    parsing: dict[str, int] = Field(default_factory=dict)
    """CDMv1's parsing failures: `action` (agent steps that could not be read), `diagnosis`, `treatment` (0/1)."""
    transcript: list[dict[str, Any]] | None = None
    """Per LM call: messages (unless `transcript=false`), completion, reasoning_content, finish reason, usage,
    latency (see ``cdmbench.lm.transcript.LMCall``)."""
