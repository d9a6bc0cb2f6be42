"""GEPA feedback per predictor: each stage of a program hears about its own part of the case.

GEPA calls its metric once per predictor with ``pred_name`` (e.g. ``gather.react``, ``diagnose.predict``); the
stage is the first part of that name. The ReAct step (``gather``) hears about examination order, missing lab
categories, imaging and invalid actions; ``synthesize`` about findings left out of the summary that the scorer
needed; ``diagnose`` about the diagnosis (right, wrong, gracious only); ``treat`` about missing or unnecessary
treatments; ``interpret`` about the lab values it read wrongly. Feedback names what was expected in clinical
words (the discharge diagnosis, lab categories, imaging modality, treatments) and never the admission id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cdmbench.cases import Case
from cdmbench.metrics.core import CaseScore
from cdmbench.metrics.pathologies import pathology_config

__all__ = ["STAGES", "diagnosis_feedback", "lab_feedback", "scrub", "stage_feedback", "stage_of"]

STAGES = ("gather", "synthesize", "diagnose", "treat", "interpret")
"""Program stages by the first part of a predictor's name."""


def stage_of(pred_name: str | None) -> str | None:
    """The stage of a predictor name (``gather.react`` -> ``gather``); None for the whole program."""
    if not pred_name:
        return None
    head = pred_name.split(".")[0]
    return head if head in STAGES else None


def _get(pred: Any, key: str, default: Any = None) -> Any:
    if isinstance(pred, Mapping):
        return pred.get(key, default)
    return getattr(pred, key, default)


def _discharge_diagnosis(case: Case) -> str:
    truth = case.ground_truth
    if truth and truth.primary_diagnosis:
        return truth.primary_diagnosis[0]
    return case.pathology or "unknown"


def diagnosis_feedback(case: Case, score: CaseScore) -> str:
    """Right, wrong or gracious only, with the discharge diagnosis when it was missed."""
    s = score.scores
    expected = _discharge_diagnosis(case)
    if s is None:
        return f"No diagnosis could be read. The discharge diagnosis was {expected}."
    if s.diagnosis:
        return f"Diagnosis right: it names {case.pathology} ({expected})."
    if s.gracious_diagnosis:
        return (
            f"Diagnosis only graciously right: it points to the right organ or process but does not name "
            f"{case.pathology}; the discharge diagnosis was {expected}. Name the disease itself."
        )
    explanation = score.explanations.get("diagnosis", "")
    return f"Diagnosis wrong. {explanation} The discharge diagnosis was {expected}.".replace("  ", " ")


def _gather_feedback(case: Case, score: CaseScore, penalty: float) -> list[str]:
    lines = [
        score.explanations[k]
        for k in ("physical_examination", "laboratory_tests", "imaging")
        if k in score.explanations
    ]
    if score.scores and score.scores.invalid_tools:
        lines.append(score.explanations.get("invalid_tools", f"{score.scores.invalid_tools} invalid tool call(s)."))
        if penalty:
            lines.append(f"Each invalid action costs {penalty:.2f}; use only the three tools and their arguments.")
    return lines


def _mentions(text: str, *names: str) -> bool:
    lowered = text.lower()
    return any(name and name.lower() in lowered for name in names)


def _synthesize_feedback(case: Case, score: CaseScore, pred: Any) -> list[str]:
    summary = str(_get(pred, "summary", "") or "")
    if not case.pathology:
        return []
    config = pathology_config(case.pathology)
    calls = _get(pred, "tool_calls", []) or []
    seen = set(score.answers.correct_laboratory_tests) if calls and score.answers else None  # what the agent got
    left_out = []
    for category, itemids in config.lab_categories.items():
        if seen is not None and category not in seen:
            continue  # never gathered: the gathering step hears about it, not the summary
        names = sorted({lab.test_name for lab in case.lab_results if lab.itemid in itemids and lab.test_name})
        if names and not _mentions(summary, *names):
            left_out.append(f"the {category} labs ({', '.join(names[:4])})")
    modalities = sorted(
        {r.modality for r in case.radiology_reports if r.modality and config.imaging_points.get(r.modality, 0) > 0}
    )
    gathered = {str((c.get("args") or {}).get("modality", "")) for c in calls if isinstance(c, dict)}
    for modality in modalities:
        if (not gathered or modality in gathered) and not _mentions(summary, modality):
            left_out.append(f"the {modality} findings")
    if left_out:
        return [f"The summary leaves out findings the diagnosis of {case.pathology} rests on: {'; '.join(left_out)}."]
    return ["The summary keeps the findings the scorer needed."]


def _treat_feedback(case: Case, score: CaseScore) -> list[str]:
    answers = score.answers
    if answers is None:
        return []
    missing = [k for k, v in answers.treatment_required.items() if v and not answers.treatment_requested.get(k)]
    unneeded = [k for k, v in answers.treatment_requested.items() if v and not answers.treatment_required.get(k)]
    lines = []
    if missing:
        lines.append(f"Missing treatments for {case.pathology}: {', '.join(missing)}.")
    if unneeded:
        lines.append(f"Unnecessary treatments (not required for this case): {', '.join(unneeded)}.")
    if not missing and not unneeded:
        lines.append("The treatment plan holds every required treatment and nothing unnecessary.")
    return lines


def stage_feedback(case: Case, score: CaseScore, pred: Any, stage: str | None, penalty: float) -> list[str]:
    """Feedback lines of one stage (None: every stage, for the whole program)."""
    parts: dict[str, Callable[[], list[str]]] = {
        "gather": lambda: _gather_feedback(case, score, penalty),
        "synthesize": lambda: [*_synthesize_feedback(case, score, pred), diagnosis_feedback(case, score)],
        "diagnose": lambda: [diagnosis_feedback(case, score)],
        "treat": lambda: [*_treat_feedback(case, score), diagnosis_feedback(case, score)],
    }
    if stage in parts:
        return parts[stage]()
    lines = [diagnosis_feedback(case, score), *_gather_feedback(case, score, penalty), *_treat_feedback(case, score)]
    return [line for line in lines if line]


def lab_feedback(interpretations: list[dict[str, Any]]) -> str:
    """Which lab values were read wrongly, with the reading expected from the reference range."""
    wrong = [i for i in interpretations if i.get("predicted") != i.get("expected")]
    if not interpretations:
        return "The case has no lab value with a reference range."
    if not wrong:
        return f"All {len(interpretations)} lab values read correctly."
    shown = "; ".join(
        f"{i.get('test_name')} {i.get('value')} (range {i.get('reference_range') or '?'}): "
        f"said {i.get('predicted') or 'nothing readable'}, expected {i.get('expected')}"
        for i in wrong[:8]
    )
    return (
        f"{len(wrong)} of {len(interpretations)} lab values read wrongly: {shown}. A value below the lower limit is "
        "low, above the upper limit high, otherwise normal."
    )


def scrub(text: str, case: Case) -> str:
    """Remove the admission id from feedback text."""
    return text.replace(str(case.hadm_id), "this admission")
