"""``CaseEnvironment``: one case behind the three tools, with every call recorded in order.

The environment keeps only what the tools show (the examination, labs, microbiology and radiology
reports); it never holds the case's ground truth or pathology. A fresh environment per case and per run
makes the answers reproducible: the same calls in the same order give the same observations.

Example:
    >>> env = CaseEnvironment(case, LabDictionary.from_cases([case]))
    >>> env.physical_examination()
    'VS: T 38.1 ...'
    >>> env.call("imaging", {"region": "Abdomen", "modality": "US"})
    >>> env.tool_calls_record()
    [{'name': 'physical_examination', 'args': {}}, {'name': 'imaging', 'args': {...}}]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cdmbench.cases import Case
from cdmbench.environment.imaging_tool import ImagingTool
from cdmbench.environment.lab_tool import LabTool
from cdmbench.environment.records import TOOL_NAMES, ToolCall
from cdmbench.io import jsonable
from cdmbench.vocabulary.lab_dictionary import LabDictionary

if TYPE_CHECKING:
    from cdmbench.protocols import Protocol

__all__ = ["NO_EXAMINATION", "CaseEnvironment"]

NO_EXAMINATION = "No physical examination is documented for this patient."


class CaseEnvironment:
    """The tools ``physical_examination``, ``laboratory_tests`` and ``imaging`` bound to one case.

    Args:
        case: the admission; only its examination, labs, microbiology and radiology are kept.
        dictionary: the lab label dictionary used to parse lab requests (build it from all loaded cases
            so a request is understood whether or not this patient had the test).
        protocol: how requests are read and answers written (``cdmbench.protocols``; default ``cdmbench``).
    """

    def __init__(self, case: Case, dictionary: LabDictionary, protocol: Protocol | str | None = None) -> None:
        from cdmbench.protocols import get_protocol

        self.protocol = get_protocol(protocol)
        self.hadm_id = case.hadm_id
        self._exam = case.physical_exam_text.strip()
        self._labs = LabTool(case.lab_results, case.microbiology_events, dictionary, self.protocol)
        self._imaging = ImagingTool(case.radiology_reports, self.protocol)
        self.calls: list[ToolCall] = []

    # ------------------------------------------------------------------ the three tools

    def physical_examination(self) -> str:
        """The admission physical examination."""
        return self.call("physical_examination", {})

    def laboratory_tests(self, tests: list[str | int] | str) -> str:
        """Results of the requested tests (names, panels or itemids)."""
        return self.call("laboratory_tests", {"tests": tests})

    def imaging(self, region: str, modality: str) -> str:
        """The next radiology report that matches the requested region and modality."""
        return self.call("imaging", {"region": region, "modality": modality})

    # ------------------------------------------------------------------ dispatch and record

    def call(self, name: str, args: Mapping[str, Any] | None = None) -> str:
        """Run tool ``name`` with ``args`` and record the call; an unknown name is recorded as invalid.

        The protocol reads the name (``cdmv1``: CDMv1's fuzzy matching; the call is then recorded under the tool's
        name, the name as given is kept in ``requested_name``).

        Returns:
            The observation (for an invalid call, what was wrong and the list of valid tools).
        """
        given = dict(args) if isinstance(args, Mapping) else {}
        tool, used = self.protocol.resolve_call(str(name), given)
        if tool == "physical_examination":
            observation, normalized, valid = self._exam or NO_EXAMINATION, {}, True
        elif tool == "laboratory_tests":
            answer = self._labs.request(used.get("tests"))
            observation, normalized, valid = answer.observation, answer.normalized_args, answer.valid
        elif tool == "imaging":
            answer = self._imaging.request(used.get("region"), used.get("modality"))
            observation, normalized, valid = answer.observation, answer.normalized_args, answer.valid
        else:
            observation, normalized, valid = f"Unknown tool {name!r}.", {}, False
        if valid:
            observation = self.protocol.observation(str(tool), observation)
        else:
            observation = self.protocol.invalid_answer(observation)
        record = ToolCall(
            index=len(self.calls),
            name=str(tool or name),
            args=_record_args(str(tool or name), used if tool else given),
            normalized_args=normalized,
            observation=observation,
            valid=valid,
            requested_name=str(name) if tool is not None and tool != name else None,
        )
        self.calls.append(record)
        return observation

    def reject(self, name: str, args: Mapping[str, Any] | None, observation: str, failed: bool = False) -> str:
        """Record an action that could not be carried out (a tool failure, an unreadable step) as invalid.

        Args:
            name: the tool name (or ``unreadable_step``).
            args: the arguments as given.
            observation: what the model is told.
            failed: the tool itself failed (recorded as ``"failed": true``; the scorers count the call as invalid
                and the tool as not used).

        Returns:
            ``observation`` (what the model is told), followed by the list of valid tools.
        """
        observation = self.protocol.invalid_answer(observation)
        given = dict(args) if isinstance(args, Mapping) else {}
        self.calls.append(
            ToolCall(
                index=len(self.calls),
                name=str(name),
                args=jsonable(given),
                observation=observation,
                valid=False,
                failed=failed,
            )
        )
        return observation

    def tool_calls_record(self) -> list[dict[str, Any]]:
        """All calls in order, in the predictions-file format (``[{"name": ..., "args": {...}}, ...]``)."""
        return [call.to_record() for call in self.calls]

    @property
    def tool_names(self) -> tuple[str, ...]:
        """The valid tool names."""
        return TOOL_NAMES


def _record_args(name: str, given: dict[str, Any]) -> dict[str, Any]:
    """The arguments as given, JSON-safe; a lab request given as one string or number becomes a list."""
    if name == "laboratory_tests" and "tests" in given and not isinstance(given["tests"], list | tuple):
        given = {**given, "tests": [given["tests"]]}
    return jsonable(given)
