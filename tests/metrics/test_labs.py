"""Laboratory categories, neutral and unnecessary tests (scoring-rules.md section 4)."""

from __future__ import annotations

import pytest

from cdmbench.cases import Case
from cdmbench.metrics.core import ToolCallInput
from cdmbench.metrics.labs import score_labs
from cdmbench.metrics.pathologies import pathology_config
from cdmbench.vocabulary.lab_dictionary import LabDictionary
from tests.metrics.helpers import labs, make_case


@pytest.fixture(scope="module")
def dictionary() -> LabDictionary:
    return LabDictionary.build()


def score(pathology: str, dictionary: LabDictionary, *lab_calls: dict):
    calls = [ToolCallInput.model_validate(c) for c in lab_calls]
    return score_labs(calls, pathology_config(pathology), dictionary)


@pytest.mark.parametrize(
    ("pathology", "tests", "category"),
    [
        ("appendicitis", ["CRP"], "inflammation"),
        ("appendicitis", ["White Blood Cells"], "inflammation"),
        ("diverticulitis", ["WBC"], "inflammation"),
        ("cholecystitis", ["CBC"], "inflammation"),
        ("cholecystitis", ["ALT"], "liver"),
        ("cholecystitis", ["AST"], "liver"),
        ("cholecystitis", ["GGT"], "gallbladder"),
        ("pancreatitis", ["lipase"], "pancreas"),
        ("pancreatitis", ["amylase"], "pancreas"),
        ("pancreatitis", ["CRP"], "inflammation"),
        ("pancreatitis", ["triglycerides"], "seriousness"),
        ("pancreatitis", ["BUN"], "seriousness"),
    ],
)
def test_each_category_by_name(pathology: str, tests: list[str], category: str, dictionary: LabDictionary) -> None:
    result = score(pathology, dictionary, labs(*tests))
    assert result.score == 1
    assert result.correct[category]


@pytest.mark.parametrize("request_", ["bilirubin", "Total bilirubin", "direct bilirubin", "LFTs"])
def test_bilirubin_reaches_the_gallbladder_category(request_: str, dictionary: LabDictionary) -> None:
    result = score("cholecystitis", dictionary, labs(request_))
    assert 50883 in result.correct["gallbladder"]


def test_requests_by_itemid(dictionary: LabDictionary) -> None:
    result = score("pancreatitis", dictionary, labs(50956, "51000"))
    assert result.correct["pancreas"] == [50956]
    assert result.correct["seriousness"] == [51000]
    assert result.score == 2


def test_a_category_counts_once(dictionary: LabDictionary) -> None:
    result = score("pancreatitis", dictionary, labs("lipase"), labs("amylase"), labs("lipase"))
    assert result.score == 1
    assert result.correct["pancreas"] == [50956, 50867]  # later hits recorded, once each


def test_all_three_cholecystitis_categories(dictionary: LabDictionary) -> None:
    result = score("cholecystitis", dictionary, labs("CBC", "Liver function panel"))
    assert result.score == 3 == pathology_config("cholecystitis").max_laboratory_score
    assert "3 of 3" in result.explanation


def test_neutral_tests_are_neither_correct_nor_unnecessary(dictionary: LabDictionary) -> None:
    result = score("appendicitis", dictionary, labs("Urinalysis", "BMP"))
    assert result.score == 0
    assert 51508 in result.neutral  # urinalysis is a neutral panel
    assert 50931 in result.neutral  # glucose (BMP, also in RFP) is neutral


def test_unnecessary_tests_and_unmatched_names(dictionary: LabDictionary) -> None:
    result = score("appendicitis", dictionary, labs("Troponin", "lipase", "xyz test"))
    assert result.unnecessary == [51003, 50956, "xyz test"]
    assert "missed: inflammation" in result.explanation


def test_alp_is_neutral_for_cholecystitis_and_lfp_is_not(dictionary: LabDictionary) -> None:
    alp = score("cholecystitis", dictionary, labs("ALP"))
    assert alp.neutral == [50863] and alp.unnecessary == []
    lfp = score("cholecystitis", dictionary, labs("LFP"))
    assert 51274 in lfp.unnecessary  # PT: in the LFP, which is not neutral for cholecystitis
    assert 51274 in score("appendicitis", dictionary, labs("LFP")).neutral


def test_full_dictionary_maps_tests_the_patient_never_had() -> None:
    case: Case = make_case("pancreatitis")  # has only a WBC result
    dictionary = LabDictionary.build(cases=[case])
    result = score("pancreatitis", dictionary, labs("Lipase"))
    assert result.correct["pancreas"] == [50956]


def test_case_labels_extend_the_dictionary() -> None:
    case = make_case("appendicitis")
    case.lab_results[0].test_name = "Synthetic Inflammation Marker"
    case.lab_results[0].itemid = 51652
    result = score("appendicitis", LabDictionary.build(cases=[case]), labs("synthetic inflammation marker"))
    assert result.correct["inflammation"] == [51652]


def test_no_labs_requested(dictionary: LabDictionary) -> None:
    result = score("appendicitis", dictionary)
    assert result.score == 0 and "no laboratory tests were requested" in result.explanation
