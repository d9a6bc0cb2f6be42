"""The CDMv1 scorer of each pathology, and ``score_case``: (Case, prediction) -> one scores.jsonl line.

The four scorers share one core (``diagnosis``, ``physical_exam``, ``labs``, ``imaging``, ``treatment``,
``tools``); what differs between pathologies is data (``pathologies.PathologyConfig``), so each scorer is a
``PathologyScorer`` bound to its pathology's configuration, found by name in ``SCORERS``.

Example:
    >>> score = score_case(case, {"diagnosis": "Acute appendicitis", "treatments": ["appendectomy"],
    ...                           "tool_calls": [{"name": "physical_examination", "args": {}}]})
    >>> score.scores.diagnosis, score.scores.physical_examination
    (1, 1)
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from cdmbench.cases import Case
from cdmbench.errors import CaseFormatError, UnknownNameError
from cdmbench.metrics.core import Answers, CaseScore, Scores, as_scoring_input
from cdmbench.metrics.diagnosis import score_diagnosis
from cdmbench.metrics.imaging import score_imaging
from cdmbench.metrics.labs import score_labs
from cdmbench.metrics.pathologies import PathologyConfig, pathology_config
from cdmbench.metrics.physical_exam import score_physical_exam
from cdmbench.metrics.tools import resolve_calls, score_tools
from cdmbench.metrics.treatment import has_biliary_diagnosis, score_treatment
from cdmbench.vocabulary import PATHOLOGIES
from cdmbench.vocabulary.lab_dictionary import LabDictionary

if TYPE_CHECKING:
    from cdmbench.protocols import Protocol

__all__ = ["SCORERS", "PathologyScorer", "get_scorer", "score_case", "score_error"]


class PathologyScorer:
    """CDMv1's scorer for one pathology.

    Args:
        config: the pathology's scoring facts.
    """

    def __init__(self, config: PathologyConfig) -> None:
        self.config = config

    @property
    def pathology(self) -> str:
        """The pathology this scorer scores."""
        return self.config.name

    def score(
        self, case: Case, prediction: Any, dictionary: LabDictionary, protocol: Protocol | str | None = None
    ) -> CaseScore:
        """Score one prediction for ``case`` (whose pathology must be this scorer's) under ``protocol``."""
        from cdmbench.protocols import get_protocol

        protocol = get_protocol(protocol)
        given = as_scoring_input(prediction)
        calls = resolve_calls(given.tool_calls, protocol)
        biliary = has_biliary_diagnosis(case, protocol.is_positive)
        diagnosis = score_diagnosis(given.diagnosis, self.config, protocol)
        exam = score_physical_exam(calls)
        labs = score_labs(calls, self.config, dictionary, protocol)
        imaging = score_imaging(calls, self.config, biliary, protocol)
        plan = [] if protocol.treatment_needs_tool_calls and not calls else given.treatments
        treatment = score_treatment(case, self.config, plan, biliary, protocol.is_positive)
        tools = score_tools(calls, protocol)
        return CaseScore(
            hadm_id=case.hadm_id,
            pathology=self.pathology,
            scores=Scores(
                diagnosis=diagnosis.diagnosis,
                gracious_diagnosis=diagnosis.gracious_diagnosis,
                physical_examination=exam.first,
                late_physical_examination=exam.late,
                laboratory_tests=labs.score,
                imaging=imaging.score,
                invalid_tools=tools.invalid_tools,
                rounds=tools.rounds,
            ),
            answers=Answers(
                diagnosis=given.diagnosis,
                correct_laboratory_tests=labs.correct,
                unnecessary_laboratory_tests=labs.unnecessary,
                correct_imaging=imaging.correct,
                unnecessary_imaging=imaging.unnecessary,
                treatment_required=treatment.required,
                treatment_requested=treatment.requested,
            ),
            explanations={
                "diagnosis": diagnosis.explanation,
                "physical_examination": exam.explanation,
                "late_physical_examination": exam.late_explanation,
                "laboratory_tests": labs.explanation,
                "imaging": imaging.explanation,
                "treatment": treatment.explanation,
                "invalid_tools": tools.explanation,
                "rounds": tools.rounds_explanation,
            },
        )


SCORERS: MappingProxyType[str, PathologyScorer] = MappingProxyType(
    {p: PathologyScorer(pathology_config(p)) for p in PATHOLOGIES}
)
"""Pathology -> its scorer."""


def get_scorer(pathology: str | None) -> PathologyScorer:
    """Return the scorer of ``pathology``.

    Raises:
        UnknownNameError: not one of the four pathologies.
    """
    if pathology not in SCORERS:
        raise UnknownNameError("pathology", str(pathology), PATHOLOGIES, "Only cases of the four can be scored.")
    return SCORERS[pathology]


def score_case(
    case: Case, prediction: Any, dictionary: LabDictionary | None = None, protocol: Protocol | str | None = None
) -> CaseScore:
    """Score one prediction of ``case`` with CDMv1's rules, read as ``protocol`` reads them.

    Args:
        case: the case, with its pathology and ground truth.
        prediction: a predictions.jsonl record (dict or Pydantic ``PredictionRecord``) or a ``ScoringInput``;
            ``diagnosis``, ``treatments`` and ``tool_calls`` are read. A record with ``status`` "error" gives an
            error line (see ``score_error``).
        dictionary: the lab label dictionary shared with the lab tool; by default the reference labels plus this
            case's own (pass one built from all cases when scoring many, with ``protocol.lab_dictionary``).
        protocol: ``cdmv1``, ``cdmbench`` (the default) or a ``Protocol`` (``cdmbench.protocols``).

    Returns:
        The scores.jsonl line.

    Raises:
        CaseFormatError: the case has no pathology.
    """
    if case.pathology is None:
        raise CaseFormatError(
            f"case {case.hadm_id} has no pathology; only cases of the four pathologies can be scored. "
            "Fix the cases file (field 'pathology')."
        )
    status = prediction.get("status") if isinstance(prediction, dict) else getattr(prediction, "status", None)
    if status == "error":
        error = prediction.get("error") if isinstance(prediction, dict) else getattr(prediction, "error", None)
        kind = prediction.get("error_kind") if isinstance(prediction, dict) else getattr(prediction, "error_kind", None)
        return score_error(case, error, kind, dictionary)
    from cdmbench.protocols import get_protocol

    protocol = get_protocol(protocol)
    if dictionary is None:
        dictionary = protocol.lab_dictionary(cases=[case])
    return get_scorer(case.pathology).score(case, prediction, dictionary, protocol)


def score_error(
    case: Case, error: str | None, error_kind: str | None = None, dictionary: LabDictionary | None = None
) -> CaseScore:
    """The scores.jsonl line of a failed prediction: status 'error', scored as an empty answer (every score 0).

    A failed case counts in every mean as a miss (no final diagnosis is a miss, as in CDMv1), so a model that
    breaks on hard cases does not look better than one that answers them wrongly.
    """
    reason = error or "the prediction failed (no reason given)"
    scored = None
    if case.pathology in SCORERS:
        empty = {"diagnosis": "", "treatments": [], "tool_calls": []}
        scored = get_scorer(case.pathology).score(case, empty, dictionary or LabDictionary.build(cases=[case]))
    return CaseScore(
        hadm_id=case.hadm_id,
        pathology=case.pathology,
        status="error",
        error=reason,
        error_kind=error_kind,
        scores=scored.scores if scored else None,
        answers=scored.answers if scored else None,
        explanations={"error": f"Failed case, scored 0 on every metric: {reason}"},
    )
