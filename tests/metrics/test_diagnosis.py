"""Diagnosis and gracious diagnosis for each pathology (scoring-rules.md section 2), in both protocols.

Every scoring test here runs under ``cdmbench`` and ``cdmv1`` (CDMv1's first-diagnosis extraction and negspacy
negation give the same results on these answers); ``test_first_diagnosis_is_scored`` is cdmbench's span rule.
"""

from __future__ import annotations

import pytest

from cdmbench.metrics.diagnosis import DiagnosisResult, first_diagnosis_span
from cdmbench.metrics.diagnosis import score_diagnosis as _score_diagnosis
from cdmbench.metrics.pathologies import PathologyConfig, pathology_config

_PROTOCOL = {"name": "cdmbench"}


@pytest.fixture(autouse=True, params=["cdmbench", "cdmv1"])
def protocol(request: pytest.FixtureRequest):
    _PROTOCOL["name"] = request.param
    yield request.param
    _PROTOCOL["name"] = "cdmbench"


def score_diagnosis(answer: str, config: PathologyConfig) -> DiagnosisResult:
    return _score_diagnosis(answer, config, _PROTOCOL["name"])


def scores(answer: str, pathology: str) -> tuple[int, int]:
    result = score_diagnosis(answer, pathology_config(pathology))
    return result.diagnosis, result.gracious_diagnosis


@pytest.mark.parametrize(
    ("pathology", "answer"),
    [
        ("appendicitis", "Acute appendicitis"),
        ("cholecystitis", "Acute calculous cholecystitis"),
        ("diverticulitis", "Sigmoid diverticulitis with abscess"),
        ("pancreatitis", "Acute gallstone pancreatitis"),
    ],
)
def test_exact_name(pathology: str, answer: str) -> None:
    assert scores(answer, pathology) == (1, 1)


@pytest.mark.parametrize(
    ("pathology", "answer", "expected"),
    [
        ("appendicitis", "appendicitiss", (1, 1)),  # ratio 96 > 90
        ("appendicitis", "appendicits", (1, 1)),
        ("pancreatitis", "pancreatic", (0, 0)),  # ratio 82, and no modifier
        ("cholecystitis", "cholecystis", (1, 1)),  # ratio 92
    ],
)
def test_fuzzy_word_threshold(pathology: str, answer: str, expected: tuple[int, int]) -> None:
    assert scores(answer, pathology) == expected


@pytest.mark.parametrize(
    ("pathology", "answer"),
    [
        ("appendicitis", "Perforated appendix"),
        ("appendicitis", "Gangrenous appendix"),
        ("cholecystitis", "Gallbladder inflammation"),
        ("cholecystitis", "Ascending cholangitis"),  # CDMv1's full alternative, restored (defect 8)
        ("diverticulitis", "Diverticular abscess"),
        ("pancreatitis", "Necrotizing pancreas inflammation"),
    ],
)
def test_alternative_names(pathology: str, answer: str) -> None:
    assert scores(answer, pathology) == (1, 1)


@pytest.mark.parametrize(
    ("pathology", "answer"),
    [
        ("cholecystitis", "Acute gallbladder disease"),
        ("cholecystitis", "Acute gallbladder attack"),
        ("cholecystitis", "Acute biliary colic"),
        ("diverticulitis", "Acute colonic perforation"),
        ("diverticulitis", "Sigmoid perforation"),
        ("diverticulitis", "Sigmoid colitis"),
    ],
)
def test_gracious_only_names(pathology: str, answer: str) -> None:
    assert scores(answer, pathology) == (0, 1)
    assert "Gracious only" in score_diagnosis(answer, pathology_config(pathology)).explanation


@pytest.mark.parametrize(
    ("pathology", "answer"),
    [
        ("appendicitis", "No appendicitis"),
        ("appendicitis", "Appendix not perforated"),
        ("cholecystitis", "Not consistent with cholecystitis"),
        ("cholecystitis", "Acute gallbladder disease was ruled out"),
        ("diverticulitis", "Negative for diverticulitis"),
        ("pancreatitis", "Ruled out pancreatitis"),
        ("pancreatitis", "Pancreatitis unlikely"),
    ],
)
def test_negated_diagnoses_score_nothing(pathology: str, answer: str) -> None:
    result = score_diagnosis(answer, pathology_config(pathology))
    assert (result.diagnosis, result.gracious_diagnosis) == (0, 0)
    assert "negated" in result.explanation


def test_negation_of_another_finding_does_not_count() -> None:
    assert scores("Acute appendicitis, no perforation", "appendicitis") == (1, 1)


@pytest.mark.parametrize(
    ("pathology", "answer"),
    [
        ("appendicitis", "Acute cholecystitis"),
        ("cholecystitis", "Acute pancreatitis"),
        ("diverticulitis", "Appendicitis"),
        ("pancreatitis", "Peptic ulcer disease"),
        ("appendicitis", ""),
    ],
)
def test_wrong_diagnosis(pathology: str, answer: str) -> None:
    assert scores(answer, pathology) == (0, 0)


@pytest.mark.parametrize(
    ("answer", "first"),
    [
        ("Cholecystitis or pancreatitis", "Cholecystitis "),
        ("Cholecystitis vs. pancreatitis", "Cholecystitis "),
        ("1. Acute appendicitis\n2. Diverticulitis", "Acute appendicitis"),
        ("Diagnosis: acute pancreatitis, biliary", "acute pancreatitis"),
        (", , Appendicitis", " Appendicitis"),
    ],
)
def test_first_diagnosis_is_scored(answer: str, first: str) -> None:
    start, end = first_diagnosis_span(answer)
    assert answer[start:end] == first


def test_only_the_first_diagnosis_counts() -> None:
    assert scores("Cholecystitis and pancreatitis", "pancreatitis") == (0, 0)
    assert scores("Pancreatitis and cholecystitis", "pancreatitis") == (1, 1)


def test_punctuation_is_removed_before_matching() -> None:
    assert scores("'Appendicitis'!", "appendicitis") == (1, 1)
