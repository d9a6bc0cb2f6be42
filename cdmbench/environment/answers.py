"""How each protocol words the tools' answers (the environment finds the results; these functions write them).

``cdmbench``: reports with their exam header, labs with reference ranges and microbiology, then the recognized
tests the patient has no result for and the names that were not recognized; unusable calls say what was wrong.

``cdmv1`` (CDMv1 ``tools/Actions.py`` ``get_action_results``, ``retrieve_lab_tests``, ``retrieve_imaging``):
every answer starts with the tool's title ("Laboratory Tests:"); lab lines without reference ranges, a recognized
test the patient lacks is left out silently, an unrecognized name is "<name>: N/A" in its place; an imaging answer
is "<Region> <Modality>: <report text>", or CDMv1's "Cannot repeat this scan anymore." and "Not available."
sentences; an invalid action gets the sentence LangChain gave CDMv1's agent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdmbench.cases import RadiologyReport
from cdmbench.environment.formatting import format_radiology_report
from cdmbench.environment.records import TOOL_NAMES, valid_tools_message
from cdmbench.vocabulary.imaging import MODALITIES, REGIONS
from cdmbench.vocabulary.imaging_requests import ImagingRequest

__all__ = [
    "CDMV1_TITLES",
    "LabEntry",
    "cdmbench_imaging_answer",
    "cdmbench_invalid",
    "cdmbench_lab_answer",
    "cdmv1_imaging_answer",
    "cdmv1_invalid",
    "cdmv1_lab_answer",
    "cdmv1_observation",
    "plain_observation",
]

CDMV1_TITLES: dict[str, str] = {
    "physical_examination": "Physical Examination",
    "laboratory_tests": "Laboratory Tests",
    "imaging": "Imaging",
}
"""cdmbench tool name -> CDMv1's action title (the first line of each CDMv1 observation)."""


@dataclass(frozen=True)
class LabEntry:
    """One requested test of a lab call, with what the environment found for it."""

    request: str
    """The test as requested (after parsing)."""
    recognized: bool
    """It matched a label or is an itemid."""
    available: bool
    """The patient has a result for one of its itemids."""
    lines: tuple[str, ...]
    """Its result lines not already given for an earlier test of the same call."""


def cdmbench_lab_answer(entries: Sequence[LabEntry]) -> str:
    """Results in request order, then "Not available for this patient: ..." and "Not recognized ...: ..."."""
    results = [line for entry in entries for line in entry.lines]
    missing = [e.request for e in entries if e.recognized and not e.available]
    unrecognized = [e.request for e in entries if not e.recognized]
    parts: list[str] = []
    if results:
        parts.append("\n".join(results))
    if missing:
        parts.append("Not available for this patient: " + ", ".join(dict.fromkeys(missing)) + ".")
    if unrecognized:
        parts.append("Not recognized as laboratory tests: " + ", ".join(dict.fromkeys(unrecognized)) + ".")
    return "\n".join(parts) or "No laboratory tests were requested."


def cdmv1_lab_answer(entries: Sequence[LabEntry]) -> str:
    """CDMv1's lab lines: results in request order, "<name>: N/A" for an unrecognized name, nothing else."""
    lines: list[str] = []
    for entry in entries:
        lines.extend(entry.lines if entry.recognized else (f"{entry.request}: N/A",))
    return "\n".join(lines)


def cdmbench_imaging_answer(request: ImagingRequest, report: RadiologyReport | None, already_given: int) -> str:
    """The report with its exam header; else why there is none (``already_given`` matching reports were given)."""
    if not request.valid or request.region is None or request.modality is None:
        return (
            f"Cannot interpret the imaging request: {request.reason or 'region or modality not recognized'}. "
            f"Regions: {', '.join(REGIONS)}. Modalities: {', '.join(MODALITIES)}."
        )
    if report is not None:
        return format_radiology_report(report)
    what = f"{request.modality} of the {request.region.lower()}"
    if already_given:
        observation = f"No further {what} is available: all {already_given} such report(s) were already given."
    else:
        observation = f"{what[0].upper()}{what[1:]} is not available for this patient."
    return f"{observation} Try another modality or region."


def cdmv1_imaging_answer(request: ImagingRequest, report: RadiologyReport | None, already_given: int) -> str:
    """ "<Region> <Modality>: <report>", or CDMv1's "Cannot repeat this scan anymore." / "Not available." line."""
    if not request.valid:
        return ""
    scan = f"{request.region} {request.modality}"
    if report is not None:
        return f"{scan}: {(report.text or '').strip()}"
    if already_given:
        return f"{scan}: Cannot repeat this scan anymore. Try a different imaging modality."
    return f"{scan}: Not available. Try a different imaging modality."


def cdmbench_invalid(observation: str) -> str:
    """What was wrong, then the list of valid tools with their arguments."""
    return f"{observation}\n{valid_tools_message()}"


def cdmv1_invalid(observation: str) -> str:
    """The sentence LangChain answered CDMv1's invalid actions with (CDMv1's ``InvalidActionError`` tool name)."""
    tools = ", ".join(TOOL_NAMES)
    return f"Provide a diagnosis and treatment OR a valid tool. That is not a valid tool, try one of [{tools}]."


def plain_observation(tool: str, body: str) -> str:
    """The answer as the tool wrote it."""
    return body


def cdmv1_observation(tool: str, body: str) -> str:
    """CDMv1's "<Title>:" line above the answer (``get_action_results``)."""
    return f"{CDMV1_TITLES.get(tool, tool)}:\n{body}".rstrip("\n")
