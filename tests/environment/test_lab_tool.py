"""The laboratory tool: panels, fuzzy names, itemids, synonyms, missing and unrecognized tests."""

from __future__ import annotations

import pytest

from cdmbench.cases import Case
from cdmbench.environment import CaseEnvironment
from cdmbench.environment.lab_tool import as_test_list
from cdmbench.programs import lab_dictionary


@pytest.fixture
def env(case: Case) -> CaseEnvironment:
    return CaseEnvironment(case, lab_dictionary([case]))


def test_panel_expands_to_the_patients_results(env: CaseEnvironment) -> None:
    observation = env.laboratory_tests(["CBC"])
    assert observation.splitlines()[:2] == [
        "(Blood) White Blood Cells: 15.1 K/uL | RR: [4.0 - 10.0]",
        "(Blood) Hemoglobin: 13.2 g/dL | RR: [12.0 - 16.0]",
    ]
    assert "Lipase" not in observation
    assert "Not recognized" not in observation
    assert 51301 in env.calls[0].normalized_args["itemids"]


def test_fuzzy_name_and_stop_words(env: CaseEnvironment) -> None:
    observation = env.laboratory_tests(["White Blood Cell", "check lipase level"])
    assert "(Blood) White Blood Cells: 15.1 K/uL | RR: [4.0 - 10.0]" in observation
    assert "(Blood) Lipase: 32.0 IU/L | RR: [0.0 - 60.0]" in observation
    assert "Not recognized" not in observation


def test_itemids_as_integers_and_digit_strings(env: CaseEnvironment) -> None:
    observation = env.laboratory_tests([50956, "51222", 90201])
    assert observation.splitlines() == [
        "(Blood) Lipase: 32.0 IU/L | RR: [0.0 - 60.0]",
        "(Blood) Hemoglobin: 13.2 g/dL | RR: [12.0 - 16.0]",
        "(Blood) Blood Culture, Routine: No growth.",
    ]


def test_separators_split_one_string(env: CaseEnvironment) -> None:
    observation = env.laboratory_tests(["Lipase and Hemoglobin\nWhite Blood Cells"])
    assert sum(line.startswith("(Blood)") for line in observation.splitlines()) == 3


def test_result_without_reference_range_has_no_rr_part(env: CaseEnvironment) -> None:
    observation = env.laboratory_tests([51498])
    assert observation == "(Urine) Specific Gravity: 1.02"


def test_missing_then_unrecognized_are_reported_last(env: CaseEnvironment) -> None:
    observation = env.laboratory_tests(["Lipase", "Amylase", "frobnicase test"])
    lines = observation.splitlines()
    assert lines[0] == "(Blood) Lipase: 32.0 IU/L | RR: [0.0 - 60.0]"
    assert lines[1] == "Not available for this patient: Amylase."
    assert lines[2].startswith("Not recognized as laboratory tests:") and "frobnicase test" in lines[2]
    assert env.calls[0].normalized_args["unrecognized"] == ["frobnicase test"]
    assert 50867 in env.calls[0].normalized_args["itemids"]  # amylase recognized although the patient has none


def test_synonym_classes_and_panel_synonyms_expand(env: CaseEnvironment) -> None:
    # direct, indirect and total bilirubin form one class: the itemid label 'Bilirubin, Direct' reaches the total
    assert "(Blood) Bilirubin, Total: 2.1 mg/dL | RR: [0.0 - 1.5]" in env.laboratory_tests(["Bilirubin, Direct"])
    assert {50883, 50884, 50885} <= set(env.calls[-1].normalized_args["itemids"])
    # ... but a panel keeps its own list: CDMv1's 'Direct Bilirubin' entry is 50883 alone (issue 11)
    assert env.laboratory_tests(["Direct Bilirubin"]) == "Not available for this patient: Direct Bilirubin."
    assert env.calls[-1].normalized_args["itemids"] == [50883]
    observation = env.laboratory_tests(["LFTs"])
    assert "Bilirubin, Total: 2.1" in observation and "Lipase" not in observation


def test_a_result_is_shown_once_when_requested_twice(env: CaseEnvironment) -> None:
    observation = env.laboratory_tests(["Lipase", 50956])
    assert observation.count("Lipase") == 1


def test_label_dictionary_comes_from_the_cases(case: Case) -> None:
    case.lab_results[2].test_name = "Zymogen Index Q"  # a label the reference does not know
    case.lab_results[2].itemid = 99999
    assert "Zymogen Index Q: 32.0" in CaseEnvironment(case, lab_dictionary([case])).laboratory_tests(
        ["Zymogen Index Q"]
    )
    assert "Not recognized" in CaseEnvironment(case, lab_dictionary()).laboratory_tests(["Zymogen Index Q"])


@pytest.mark.parametrize(
    ("given", "expected"),
    [("CBC", ["CBC"]), (50956, [50956]), (["a", " 7 "], ["a", 7]), ([], []), ({"x": 1}, None), ([1.5], None)],
)
def test_as_test_list(given, expected) -> None:
    assert as_test_list(given) == expected
