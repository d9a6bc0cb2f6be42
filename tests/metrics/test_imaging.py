"""Imaging 0-2: the per-pathology tables, repeats, the EUS cap, pelvis and MRCP (scoring-rules.md section 5)."""

from __future__ import annotations

import pytest

from cdmbench.metrics.core import ToolCallInput
from cdmbench.metrics.imaging import score_imaging
from cdmbench.metrics.pathologies import pathology_config
from tests.metrics.helpers import imaging, pe


def score(pathology: str, *requests: tuple[str | None, str | None], biliary: bool = False):
    calls = [ToolCallInput.model_validate(imaging(r, m)) for r, m in requests]
    return score_imaging(calls, pathology_config(pathology), biliary)


@pytest.mark.parametrize(
    ("pathology", "modality", "points"),
    [
        ("appendicitis", "Ultrasound", 2),
        ("appendicitis", "CT", 1),
        ("appendicitis", "MRI", 1),
        ("appendicitis", "HIDA", 0),
        ("cholecystitis", "Ultrasound", 2),
        ("cholecystitis", "HIDA", 2),
        ("cholecystitis", "MRI", 1),
        ("cholecystitis", "EUS", 1),
        ("cholecystitis", "CT", 0),
        ("diverticulitis", "CT", 2),
        ("diverticulitis", "Ultrasound", 1),
        ("diverticulitis", "MRI", 1),
        ("pancreatitis", "Ultrasound", 2),
        ("pancreatitis", "CT", 1),
        ("pancreatitis", "MRI", 0),  # not valid for pancreatitis
        ("pancreatitis", "EUS", 0),  # valid, but only the biliary bonus scores
    ],
)
def test_imaging_table(pathology: str, modality: str, points: int) -> None:
    assert score(pathology, ("Abdomen", modality)).score == points


@pytest.mark.parametrize("pathology", ["appendicitis", "cholecystitis", "diverticulitis", "pancreatitis"])
def test_mrcp_scores_nothing(pathology: str) -> None:
    result = score(pathology, ("Abdomen", "MRCP"))
    assert result.score == 0
    assert result.unnecessary == [{"region": "Abdomen", "modality": "MRCP"}]


def test_requests_are_normalized_as_the_tool_does() -> None:
    assert score("appendicitis", ("RUQ", "US")).score == 2
    assert score("diverticulitis", (None, "CT scan of the abdomen and pelvis")).score == 2
    assert score("cholecystitis", ("abdominal", "hepatobiliary scan")).score == 2


@pytest.mark.parametrize("region", ["Pelvis", "pelvic", "abdomen and pelvis"])
def test_pelvis_counts_as_abdomen(region: str) -> None:
    result = score("diverticulitis", (region, "CT"))
    assert result.score == 2
    assert result.correct == [{"region": "Abdomen", "modality": "CT"}]


def test_non_abdominal_region_is_unnecessary() -> None:
    result = score("appendicitis", ("Chest", "Radiograph"), ("Head", "CT"))
    assert result.score == 0
    assert [u["region"] for u in result.unnecessary] == ["Chest", "Head"]


def test_first_valid_request_sets_the_score() -> None:
    assert score("appendicitis", ("Abdomen", "CT"), ("Abdomen", "Ultrasound")).score == 1
    assert score("appendicitis", ("Chest", "CT"), ("Abdomen", "Ultrasound")).score == 2


def test_repeats_are_unnecessary_and_change_nothing() -> None:
    result = score("appendicitis", ("Abdomen", "CT"), ("abdomen", "CAT scan"), ("Abdomen", "Ultrasound"))
    assert result.score == 1
    assert result.correct == [{"region": "Abdomen", "modality": "CT"}, {"region": "Abdomen", "modality": "Ultrasound"}]
    assert result.unnecessary == [{"region": "Abdomen", "modality": "CT"}]
    assert "repeated" in result.explanation


def test_unnormalizable_request_is_unnecessary() -> None:
    result = score("appendicitis", ("Abdomen", "thermography"))
    assert result.score == 0
    assert result.unnecessary == [{"region": "Abdomen", "modality": "thermography"}]


def test_eus_bonus_for_biliary_pancreatitis_is_capped_and_once() -> None:
    assert score("pancreatitis", ("Abdomen", "EUS"), biliary=True).score == 1
    assert score("pancreatitis", ("Abdomen", "Ultrasound"), ("Abdomen", "EUS"), biliary=True).score == 2  # not 3
    assert score("pancreatitis", ("Abdomen", "CT"), ("Abdomen", "EUS"), biliary=True).score == 2
    repeated = score("pancreatitis", ("Abdomen", "CT"), ("Abdomen", "EUS"), ("Abdomen", "EUS"), biliary=True)
    assert repeated.score == 2
    assert repeated.unnecessary == [{"region": "Abdomen", "modality": "EUS"}]
    # EUS first sets 1; a later ultrasound does not raise it (the score is no longer 0)
    assert score("pancreatitis", ("Abdomen", "EUS"), ("Abdomen", "Ultrasound"), biliary=True).score == 1


def test_eus_without_biliary_is_valid_and_adds_nothing() -> None:
    result = score("pancreatitis", ("Abdomen", "EUS"), ("Abdomen", "Ultrasound"))
    assert result.score == 2
    assert result.unnecessary == []
    assert "adds nothing" in result.explanation


def test_only_imaging_calls_are_read() -> None:
    calls = [ToolCallInput.model_validate(c) for c in (pe(), imaging("Abdomen", "US"))]
    assert score_imaging(calls, pathology_config("appendicitis"), False).score == 2
    assert score("appendicitis").explanation.startswith("No imaging was requested; the preferred")
