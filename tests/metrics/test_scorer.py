"""score_case end to end: one scores.jsonl line in DESIGN.md's format, per pathology."""

from __future__ import annotations

import json

import pytest

from cdmbench.errors import CaseFormatError, UnknownNameError
from cdmbench.metrics import SCORE_KEYS, SCORERS, get_scorer, score_case
from tests.metrics.helpers import imaging, labs, make_case, pe, prediction

GOOD = {
    "appendicitis": prediction(
        "Acute appendicitis",
        ["Laparoscopic appendectomy", "IV antibiotics", "IV fluids and analgesia"],
        [pe(), labs("CBC", "CRP"), imaging("Abdomen", "Ultrasound")],
    ),
    "cholecystitis": prediction(
        "Acute cholecystitis",
        ["Laparoscopic cholecystectomy", "IV antibiotics", "IV fluids, pain control"],
        [pe(), labs("CBC", "LFTs"), imaging("RUQ", "US")],
    ),
    "diverticulitis": prediction(
        "Acute sigmoid diverticulitis",
        ["IV antibiotics", "IV fluids", "Colonoscopy in 6 weeks"],
        [pe(), labs("WBC"), imaging("abdomen and pelvis", "CT")],
    ),
    "pancreatitis": prediction(
        "Acute pancreatitis",
        ["IV fluids, analgesia and monitoring in a step-down unit"],
        [pe(), labs("lipase", "CBC", "CRP"), imaging("Abdomen", "US")],
    ),
}
PROCEDURES = {
    "appendicitis": [("Laparoscopic appendectomy", "4701")],
    "cholecystitis": [("Laparoscopic cholecystectomy", "5123")],
    "diverticulitis": [],
    "pancreatitis": [],
}


@pytest.mark.parametrize("pathology", list(SCORERS))
def test_a_good_trajectory_scores_full_marks(pathology: str) -> None:
    case = make_case(pathology, procedures=PROCEDURES[pathology])
    score = score_case(case, GOOD[pathology])
    s = score.scores
    assert (s.diagnosis, s.gracious_diagnosis, s.physical_examination, s.late_physical_examination) == (1, 1, 1, 1)
    assert s.laboratory_tests == get_scorer(pathology).config.max_laboratory_score
    assert (s.imaging, s.invalid_tools, s.rounds) == (2, 0, 3)
    required = score.answers.treatment_required
    assert all(score.answers.treatment_requested[k] for k, v in required.items() if v)


def test_line_has_the_design_format() -> None:
    score = score_case(make_case("appendicitis"), GOOD["appendicitis"])
    line = json.loads(score.to_line())
    assert list(line) == ["hadm_id", "pathology", "status", "scores", "answers", "explanations"]
    assert tuple(line["scores"]) == SCORE_KEYS
    assert set(line["answers"]) == {
        "diagnosis",
        "correct_laboratory_tests",
        "unnecessary_laboratory_tests",
        "correct_imaging",
        "unnecessary_imaging",
        "treatment_required",
        "treatment_requested",
    }
    assert line["answers"]["correct_imaging"] == [{"region": "Abdomen", "modality": "Ultrasound"}]
    assert set(line["explanations"]) >= {
        "diagnosis",
        "physical_examination",
        "laboratory_tests",
        "imaging",
        "treatment",
        "invalid_tools",
        "rounds",
    }


def test_no_tool_calls_still_scores_treatment() -> None:
    score = score_case(make_case("appendicitis"), prediction("Appendicitis", "IV antibiotics and fluids"))
    assert score.scores.rounds == 0
    assert score.answers.treatment_requested == {"appendectomy": False, "antibiotics": True, "support": True}


def test_prediction_record_with_error_status() -> None:
    score = score_case(
        make_case("cholecystitis"),
        {"hadm_id": 20000001, "status": "error", "error": "LM timeout", "error_kind": "lm_error"},
    )
    # a failed case is a miss: every score 0, so it counts in every mean
    assert score.status == "error" and score.scores is not None
    assert all(value == 0 for value in score.scores.model_dump().values())
    line = json.loads(score.to_line())
    assert line["error"] == "LM timeout" and line["error_kind"] == "lm_error" and line["scores"]["diagnosis"] == 0


def test_pydantic_prediction_records_are_read() -> None:
    from cdmbench.metrics.core import ScoringInput

    record = ScoringInput.model_validate(GOOD["appendicitis"])
    assert score_case(make_case("appendicitis"), record).scores.diagnosis == 1


def test_runs_prediction_record_is_read() -> None:
    from cdmbench.runs.records import PredictionRecord

    record = PredictionRecord.model_validate({"hadm_id": 20000001, **GOOD["appendicitis"]})
    score = score_case(make_case("appendicitis"), record)
    assert (score.scores.diagnosis, score.scores.imaging, score.scores.rounds) == (1, 2, 3)
    assert score.to_record() == json.loads(score.to_line())
    failed = PredictionRecord(hadm_id=20000001, status="error", error="RuntimeError: boom")
    assert score_case(make_case("appendicitis"), failed).to_record()["error"] == "RuntimeError: boom"


def test_case_without_pathology_is_refused() -> None:
    case = make_case("appendicitis")
    case.pathology = None
    with pytest.raises(CaseFormatError, match="has no pathology"):
        score_case(case, GOOD["appendicitis"])
    with pytest.raises(UnknownNameError):
        get_scorer("gastritis")
