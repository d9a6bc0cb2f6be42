"""A call whose tool failed (``"failed": true``) is an invalid call, and its tool counts as not used."""

from __future__ import annotations

import pytest

from cdmbench.environment.records import ToolCall
from cdmbench.metrics import score_case
from cdmbench.metrics.core import ToolCallInput
from cdmbench.metrics.tools import resolve_calls
from tests.metrics.helpers import imaging, labs, make_case, pe, prediction


def failed(call: dict) -> dict:
    return {**call, "failed": True}


@pytest.mark.parametrize("protocol", ["cdmbench", "cdmv1"])
def test_a_failed_examination_is_invalid_and_not_done(protocol: str) -> None:
    score = score_case(make_case(), prediction("Acute appendicitis", [], [failed(pe())]), protocol=protocol)
    assert (score.scores.invalid_tools, score.scores.rounds) == (1, 1)
    assert (score.scores.physical_examination, score.scores.late_physical_examination) == (0, 0)
    assert "the physical_examination call failed" in score.explanations["invalid_tools"]
    assert "failed" in score.explanations["physical_examination"]


@pytest.mark.parametrize("protocol", ["cdmbench", "cdmv1"])
def test_a_failed_lab_or_imaging_call_scores_nothing(protocol: str) -> None:
    calls = [pe(), failed(labs("CBC", "CRP")), failed(imaging("Abdomen", "Ultrasound"))]
    score = score_case(make_case(), prediction("Acute appendicitis", [], calls), protocol=protocol)
    assert (score.scores.laboratory_tests, score.scores.imaging) == (0, 0)
    assert (score.scores.invalid_tools, score.scores.rounds) == (2, 3)
    assert score.answers.correct_imaging == [] and score.answers.unnecessary_imaging == []
    assert "the laboratory_tests call failed" in score.explanations["invalid_tools"]
    assert "the imaging call failed" in score.explanations["invalid_tools"]
    assert "failed" in score.explanations["imaging"]


def test_a_retry_after_a_failure_counts() -> None:
    calls = [failed(pe()), pe(), labs("CBC")]
    score = score_case(make_case(), prediction("Acute appendicitis", [], calls))
    assert (score.scores.physical_examination, score.scores.late_physical_examination) == (0, 1)
    assert (score.scores.invalid_tools, score.scores.laboratory_tests) == (1, 1)


def test_calls_without_the_flag_read_as_not_failed() -> None:
    score = score_case(make_case(), prediction("Acute appendicitis", [], [pe(), labs("CBC")]))
    assert (score.scores.invalid_tools, score.scores.physical_examination, score.scores.laboratory_tests) == (0, 1, 1)
    assert ToolCallInput.model_validate({"name": "imaging", "failed": None}).failed is False


def test_resolve_calls_keeps_the_flag() -> None:
    given = [ToolCallInput.model_validate(failed({"name": "Laboratory Test", "args": {"tests": ["CBC"]}}))]
    (resolved,) = resolve_calls(given, "cdmv1")
    assert resolved.name == "laboratory_tests" and resolved.failed


def test_the_record_says_failed_only_when_set() -> None:
    kept = {"index": 0, "name": "physical_examination", "observation": "x", "valid": False}
    assert ToolCall(**kept, failed=True).to_record() == {"name": "physical_examination", "args": {}, "failed": True}
    assert "failed" not in ToolCall(**kept).to_record()
