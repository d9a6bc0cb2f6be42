"""The record of one tool call, kept in order by the environment (the basis of scoring)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["TOOL_NAMES", "ToolCall", "valid_tools_message"]

TOOL_NAMES: tuple[str, ...] = ("physical_examination", "laboratory_tests", "imaging")
"""The three tools of the benchmark; any other name is an invalid tool call."""

_TOOL_USAGE: dict[str, str] = {
    "physical_examination": "physical_examination() - the admission physical examination",
    "laboratory_tests": "laboratory_tests(tests: list of test names, panels or itemids) - laboratory results",
    "imaging": "imaging(region: str, modality: str) - a radiology report, e.g. region 'Chest', modality 'CT'",
}


def valid_tools_message() -> str:
    """The list of valid tools with their arguments (the answer to an invalid call)."""
    return "Valid tools:\n" + "\n".join(f"- {_TOOL_USAGE[name]}" for name in TOOL_NAMES)


class ToolCall(BaseModel):
    """One call of a tool, as it was made and as the environment understood and answered it."""

    model_config = ConfigDict(frozen=True)

    index: int
    """Position of the call among all calls on the case (0-based, invalid calls included)."""
    name: str
    """The tool name as the program gave it."""
    args: dict[str, Any] = Field(default_factory=dict)
    """The arguments as the program gave them."""
    normalized_args: dict[str, Any] = Field(default_factory=dict)
    """What the environment understood: lab itemids and unrecognized names, canonical imaging region/modality."""
    observation: str
    """The text the tool answered."""
    valid: bool
    """False for an unknown tool name or a call whose arguments cannot be used."""
    requested_name: str | None = None
    """The name as the program gave it, when the protocol read it as another tool's (``cdmv1``'s fuzzy names)."""
    failed: bool = False
    """The tool failed while carrying the call out (an invalid action, and the tool counts as not used)."""

    def to_record(self) -> dict[str, Any]:
        """The call in the predictions-file format: ``{"name": ..., "args": {...}}`` (plus ``requested_name`` when
        the protocol read the name as another tool's, and ``"failed": true`` when the tool failed)."""
        record: dict[str, Any] = {"name": self.name, "args": dict(self.args)}
        if self.requested_name is not None:
            record["requested_name"] = self.requested_name
        if self.failed:
            record["failed"] = True
        return record
