"""Tests for cdmbench.vocabulary.lab_dictionary and lab_requests: building the label table, parsing requests."""

from __future__ import annotations

import pandas as pd
import pytest

from cdmbench.cases import Case
from cdmbench.errors import DataSourceError
from cdmbench.vocabulary import PANELS, LabDictionary, parse_lab_request, split_lab_request
from cdmbench.vocabulary.lab_dictionary import split_short_long


@pytest.fixture(scope="module")
def dictionary() -> LabDictionary:
    return LabDictionary.build()


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("order a CBC and a lipase level", ["CBC", "lipase"]),
        ("Please run CBC, BMP and LFTs", ["CBC", "BMP", "LFTs"]),
        ("CBC\nlipase\n", ["CBC", "lipase"]),
        ("A CBC", ["CBC"]),
        ("Hepatitis A Antibody", ["Hepatitis A Antibody"]),
        ("INR(PT), PTT", ["INR(PT)", "PTT"]),
        ("Thyroxine (T4, free), TSH", ["Thyroxine (T4, free)", "TSH"]),
        ("repeat the lipase", ["lipase"]),
        ("check levels of amylase", ["amylase"]),
        ("Bilirubin AND GGT", ["Bilirubin GGT"]),  # only lower-case "and" separates; "AND" is a stop word (CDMv1)
        ("", []),
    ],
)
def test_split_lab_request(text: str, names: list[str]) -> None:
    assert split_lab_request(text) == names


@pytest.mark.parametrize(
    ("panel", "name"),
    [
        ("Complete Blood Count (CBC)", "CBC"),
        ("Complete Blood Count (CBC)", "complete blood count"),
        ("Basic Metabolic Panel (BMP)", "BMP"),
        ("Comprehensive Metabolic Panel (CMP)", "CMP"),
        ("Liver Function Panel (LFP)", "LFTs"),
        ("Liver Function Panel (LFP)", "Liver Function Test (LFT)"),
        ("Urinalysis", "urinalysis"),
        ("Urinalysis", "Urine Analysis (UA)"),
        ("Coagulation Profile", "coagulation profile"),
        ("Renal Function Panel (RFP)", "Renal Function"),
    ],
)
def test_panels_expand(dictionary: LabDictionary, panel: str, name: str) -> None:
    parsed = parse_lab_request([name], dictionary)
    assert parsed.unmatched == []
    assert set(PANELS[panel]) <= set(parsed.itemids)


def test_bilirubin_reaches_the_whole_class(dictionary: LabDictionary) -> None:
    for request in ("bilirubin", "Total Bilirubin", "Bilirubin, Total"):
        assert {50883, 50884, 50885} <= set(parse_lab_request([request], dictionary).itemids), request


def test_direct_bilirubin_panel_is_not_expanded(dictionary: LabDictionary) -> None:
    # CDMv1's "Direct Bilirubin" entry lists 50883 only; synonyms expand labels of itemids, never panels (issue 11)
    assert parse_lab_request(["direct bilirubin"], dictionary).itemids == [50883]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("WBC", {51300, 51301}),
        ("white blood cell count", {51300}),  # CDMv1's entry: 51300 alone (a panel is not expanded)
        ("White Blood Cells", {51301, 51755}),
        ("CRP", {50889}),
        ("C-reactive protein", {50889}),
        ("lipase", {50956}),
        ("Lipase level", {50956}),
        ("ALT", {50861}),
        ("GGT", {50927}),
        ("urine glucose", {51478, 51981, 51084}),
        ("blood glucose", {50809, 50931, 52569}),
    ],
)
def test_single_names(dictionary: LabDictionary, name: str, expected: set[int]) -> None:
    parsed = parse_lab_request([name], dictionary)
    assert expected <= set(parsed.itemids)
    assert parsed.unmatched == []


def test_fluid_restriction_keeps_only_that_fluid(dictionary: LabDictionary) -> None:
    ids = parse_lab_request(["blood glucose"], dictionary).itemids
    assert all(dictionary.fluid(i) == "Blood" for i in ids)


def test_itemids_are_used_as_given(dictionary: LabDictionary) -> None:
    parsed = parse_lab_request([50956, "50956", " 51301 ", 99999999], dictionary)
    assert parsed.itemids == [50956, 51301, 99999999]
    assert [m.step for m in parsed.matches] == ["itemid"] * 4
    assert parse_lab_request(50956).itemids == [50956]


def test_unknown_names_are_reported(dictionary: LabDictionary) -> None:
    parsed = parse_lab_request(["banana", "lipase", "Hepatitis A Antibody"], dictionary)
    assert parsed.unmatched == ["banana", "Hepatitis A Antibody"]
    assert parsed.itemids == [50956]


def test_order_a_cbc_and_a_lipase(dictionary: LabDictionary) -> None:
    parsed = parse_lab_request(["order a CBC and a lipase level"], dictionary)
    assert [m.label for m in parsed.matches] == ["CBC", "Lipase"]
    assert parsed.itemids == [*PANELS["Complete Blood Count (CBC)"], 50956]
    assert parsed.unmatched == []


def test_itemids_deduplicated_in_order(dictionary: LabDictionary) -> None:
    parsed = parse_lab_request(["lipase", "CBC", "Lipase", 50956], dictionary)
    assert parsed.itemids[0] == 50956
    assert len(parsed.itemids) == len(set(parsed.itemids))


def test_d_labitems_frame_adds_labels_and_keeps_the_A() -> None:
    d_labitems = pd.DataFrame(
        {
            "itemid": [51990, 51991],
            "label": ["Hepatitis A Virus Antibody", "Hepatitis B Surface Antigen"],
            "fluid": ["Blood", "Blood"],
            "category": ["Chemistry", "Chemistry"],
        }
    )
    dictionary = LabDictionary.build(d_labitems=d_labitems)
    assert parse_lab_request(["Hepatitis A Virus Antibody"], dictionary).itemids == [51990]
    # without the 'A' the name would match the hepatitis B label no better than 90
    assert parse_lab_request(["Hepatitis B Surface Antigen"], dictionary).itemids == [51991]
    assert dictionary.fluid(51990) == "Blood"


def test_d_labitems_tuples_and_bad_frame() -> None:
    dictionary = LabDictionary.build(d_labitems=[(51990, "Hepatitis A Virus Antibody", "Blood", "Chemistry")])
    assert "Hepatitis A Virus Antibody" in dictionary
    with pytest.raises(DataSourceError, match="itemid"):
        LabDictionary.build(d_labitems=pd.DataFrame({"name": ["x"]}))


def test_case_labels_are_added() -> None:
    case = Case.model_validate(
        {
            "hadm_id": 1,
            "patient_history": "h",
            "physical_exam_text": "p",
            "lab_results": [{"itemid": 59999, "test_name": "Synthetic Marker X", "fluid": "Blood"}],
            "microbiology_events": [{"test_itemid": 90999, "test_name": "Synthetic Swab Culture"}],
            "radiology_reports": [],
            "ground_truth": {"primary_diagnosis": ["x"], "treatments": []},
        }
    )
    dictionary = LabDictionary.build(cases=[case])
    assert parse_lab_request(["synthetic marker x"], dictionary).itemids == [59999]
    assert parse_lab_request(["Synthetic Swab Culture"], dictionary).itemids == [90999]
    assert parse_lab_request(["synthetic marker x"]).unmatched == ["synthetic marker x"]  # not in the default


def test_split_short_long() -> None:
    assert split_short_long("Complete Blood Count (CBC)") == ("CBC", "Complete Blood Count")
    assert split_short_long("Thyroxine (T4), Free") == ("T4", "Thyroxine, Free")
    assert split_short_long("INR(PT)") == ("PT", "INR")
    assert split_short_long("Lipase") is None
