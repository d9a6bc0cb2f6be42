"""The two protocols: ``CDMV1`` (CDMv1's environment and parsing, as published) and ``CDMBENCH`` (ours).

Each field's CDMv1 source and the reason for cdmbench's choice are in ``docs/protocols.md``.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from cdmbench.cases import RadiologyReport
from cdmbench.environment import answers
from cdmbench.environment.records import TOOL_NAMES
from cdmbench.metrics.diagnosis import first_diagnosis_span
from cdmbench.metrics.diagnosis_cdmv1 import cdmv1_first_diagnosis
from cdmbench.metrics.negation import negation_trigger
from cdmbench.metrics.negation_cdmv1 import negspacy_trigger
from cdmbench.protocols.base import Protocol
from cdmbench.vocabulary.cdmv1_imaging import cdmv1_modality_region, cdmv1_report_answers, parse_cdmv1_imaging_request
from cdmbench.vocabulary.imaging_requests import normalize_imaging_request, report_matches
from cdmbench.vocabulary.tool_names import CDMV1_TOOL_NAMES, TOOL_NAME_THRESHOLD, resolve_cdmv1_tool_name

__all__ = ["CDMBENCH", "CDMV1", "FINISH"]


def _exact_tool_name(name: str) -> tuple[str | None, str]:
    return (name if name in TOOL_NAMES else None), ""


FINISH = "finish"
"""The step name that ends the agent's episode in both protocols."""

_CDMV1_FINISH = "Final Diagnosis"


def _exact_finish(name: str) -> bool:
    return name == FINISH


def _cdmv1_finish(name: str) -> bool:
    """``finish``, or a name CDMv1's parser would have ended on: "diagnosis:" in it (``diagnosis_provided``), or a
    name that is no tool and matches "Final Diagnosis" as tool names are matched (dash split, WRatio above 80)."""
    text = str(name).strip()
    if text == FINISH or "diagnosis:" in text.lower():
        return True
    if resolve_cdmv1_tool_name(text)[0] is not None:
        return False
    action = text.split("-", 1)[0].strip().replace("_", " ")
    choices = [*CDMV1_TOOL_NAMES, _CDMV1_FINISH]
    found = process.extractOne(action, choices, scorer=fuzz.WRatio, processor=utils.default_process)
    return found is not None and found[0] == _CDMV1_FINISH and round(found[1]) > TOOL_NAME_THRESHOLD


def _canonical_report(report: RadiologyReport) -> tuple[str | None, str | None]:
    return report.region, report.modality


def _cdmv1_report(report: RadiologyReport) -> tuple[str | None, str | None]:
    """CDMv1 filed a report by its exam name with the request dictionaries; without one, the stored names."""
    modality, region = cdmv1_modality_region(report.exam_name)
    if modality is None or region is None:
        return report.region, report.modality
    return region, modality


def _first_span(answer: str) -> str:
    start, end = first_diagnosis_span(answer)
    return answer[start:end]


CDMBENCH = Protocol(
    name="cdmbench",
    description="cdmbench's environment and scoring: CDMv1's rules with its defects fixed and its vocabulary broadened",
    lab_reference_ranges=True,
    lab_microbiology=True,
    lab_answer=answers.cdmbench_lab_answer,
    normalize_imaging=normalize_imaging_request,
    report_key=_canonical_report,
    report_answers=report_matches,
    imaging_answer=answers.cdmbench_imaging_answer,
    invalid_answer=answers.cdmbench_invalid,
    observation=answers.plain_observation,
    resolve_tool_name=_exact_tool_name,
    free_tool_names=False,
    max_iters_is_miss=False,
    is_finish=_exact_finish,
    lab_bare_names=True,
    lab_article_anywhere=False,
    labs_once_per_case=True,
    treatment_needs_tool_calls=False,
    first_diagnosis=_first_span,
    negation_trigger=negation_trigger,
    first_occurrence_decides=False,
    eus_bonus_cap=2,
)
"""The default protocol."""

CDMV1 = Protocol(
    name="cdmv1",
    description="CDMv1's environment and parsing as published (paulhager/MIMIC-Clinical-Decision-Making-Framework)",
    lab_reference_ranges=False,
    lab_microbiology=False,
    lab_answer=answers.cdmv1_lab_answer,
    normalize_imaging=parse_cdmv1_imaging_request,
    report_key=_cdmv1_report,
    report_answers=cdmv1_report_answers,
    imaging_answer=answers.cdmv1_imaging_answer,
    invalid_answer=answers.cdmv1_invalid,
    observation=answers.cdmv1_observation,
    resolve_tool_name=resolve_cdmv1_tool_name,
    free_tool_names=True,
    max_iters_is_miss=True,
    is_finish=_cdmv1_finish,
    lab_bare_names=False,
    lab_article_anywhere=True,
    labs_once_per_case=False,
    treatment_needs_tool_calls=True,
    first_diagnosis=cdmv1_first_diagnosis,
    negation_trigger=negspacy_trigger,
    first_occurrence_decides=True,
    eus_bonus_cap=None,
)
"""CDMv1's protocol."""
