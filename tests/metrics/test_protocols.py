"""Each scoring difference of docs/protocols.md: the same prediction scored under ``cdmbench`` and ``cdmv1``."""

from __future__ import annotations

import pytest

from cdmbench.metrics import score_case
from cdmbench.protocols import get_protocol
from tests.metrics.helpers import imaging, labs, make_case, pe, prediction


def _score(case, pred, protocol: str):
    return score_case(case, pred, get_protocol(protocol).lab_dictionary([case]), protocol)


@pytest.mark.parametrize(
    ("protocol", "answer", "expected"),
    [
        # both (bug fixed in both): negation only on the first diagnosis, never on the differential after it
        ("cdmbench", "Acute appendicitis and cholecystitis unlikely", 1),
        ("cdmv1", "Acute appendicitis and cholecystitis unlikely", 1),
        # CDMv1's first-diagnosis extraction: a numbered list anywhere gives its first item
        ("cdmbench", "Differential:\n1. Acute appendicitis - likely\n2. Mesenteric adenitis", 0),
        ("cdmv1", "Differential:\n1. Acute appendicitis - likely\n2. Mesenteric adenitis", 1),
        # section labels end CDMv1's diagnosis
        ("cdmbench", "Assessment: acute appendicitis", 1),
        ("cdmv1", "Assessment: acute appendicitis", 0),
        # CDMv1 split at the lower-case words and/or/vs only
        ("cdmbench", "Mesenteric adenitis Or appendicitis", 0),
        ("cdmv1", "Mesenteric adenitis Or appendicitis", 1),
        # negspacy's chunk prefix: an entity beginning with "no" is negated
        ("cdmbench", "Non-perforated appendicitis", 1),
        ("cdmv1", "Non-perforated appendicitis", 0),
    ],
)
def test_first_diagnosis_and_negation(protocol: str, answer: str, expected: int) -> None:
    assert _score(make_case("appendicitis"), prediction(answer), protocol).scores.diagnosis == expected


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [("cdmbench", None), ("cdmv1", "no")],  # negspacy's scope runs to the end of the sentence: a comma does not end it
)
def test_negation_scope_past_a_comma(protocol: str, expected: str | None) -> None:
    text = "No fever, appendicitis"
    assert get_protocol(protocol).negation_trigger(text, 10, 22) == expected


@pytest.mark.parametrize(("protocol", "positive"), [("cdmbench", True), ("cdmv1", False)])
def test_first_occurrence_decides_in_cdmv1(protocol: str, positive: bool) -> None:
    chosen = get_protocol(protocol)
    assert chosen.decide(["no", None]) == (positive, None if positive else "no")


@pytest.mark.parametrize(("protocol", "unnecessary"), [("cdmbench", [50993]), ("cdmv1", [50993, 50993])])
def test_unnecessary_labs_per_request(protocol: str, unnecessary: list[int]) -> None:
    pred = prediction("Acute appendicitis", calls=[pe(), labs("TSH", "TSH"), labs("TSH")])
    assert _score(make_case("appendicitis"), pred, protocol).answers.unnecessary_laboratory_tests == unnecessary


@pytest.mark.parametrize(("protocol", "gallbladder"), [("cdmbench", 1), ("cdmv1", 0)])
def test_bare_bilirubin_is_the_urine_test_in_cdmv1(protocol: str, gallbladder: int) -> None:
    scored = _score(make_case("cholecystitis"), prediction("x", calls=[labs("Bilirubin")]), protocol)
    assert bool(scored.answers.correct_laboratory_tests["gallbladder"]) is bool(gallbladder)


@pytest.mark.parametrize("protocol", ["cdmbench", "cdmv1"])
def test_urinalysis_never_gains_urine_volume_in_both(protocol: str) -> None:
    scored = _score(make_case("appendicitis"), prediction("x", calls=[labs("Urinalysis")]), protocol)
    assert 51109 not in scored.answers.unnecessary_laboratory_tests


@pytest.mark.parametrize(("protocol", "score", "invalid"), [("cdmbench", 2, 0), ("cdmv1", 0, 1)])
def test_ruq_ultrasound(protocol: str, score: int, invalid: int) -> None:
    scored = _score(make_case("cholecystitis"), prediction("x", calls=[imaging("RUQ", "Ultrasound")]), protocol)
    assert (scored.scores.imaging, scored.scores.invalid_tools) == (score, invalid)


@pytest.mark.parametrize(("protocol", "score"), [("cdmbench", 2), ("cdmv1", 3)])  # a repeat never adds (both)
def test_eus_bonus(protocol: str, score: int) -> None:
    case = make_case("pancreatitis", icd_diagnoses=["Acute pancreatitis, biliary"], primary=["Biliary pancreatitis"])
    calls = [imaging("Abdomen", "Ultrasound"), imaging("Abdomen", "EUS"), imaging("Abdomen", "EUS")]
    assert _score(case, prediction("x", calls=calls), protocol).scores.imaging == score


@pytest.mark.parametrize(("protocol", "invalid", "lab_score"), [("cdmbench", 1, 0), ("cdmv1", 0, 1)])
def test_tool_names_as_cdmv1_matched_them(protocol: str, invalid: int, lab_score: int) -> None:
    calls = [{"name": "Laboratory Tests", "args": {"tests": ["White Blood Cells"]}}]
    scored = _score(make_case("appendicitis"), prediction("x", calls=calls), protocol)
    assert (scored.scores.invalid_tools, scored.scores.laboratory_tests) == (invalid, lab_score)


@pytest.mark.parametrize("protocol", ["cdmbench", "cdmv1"])
def test_treatment_items_are_scored_as_lines_in_both(protocol: str) -> None:
    # CDMv1 kept the text after the last "X:" of a free-text plan; a structured plan has no such text
    case = make_case("appendicitis", procedures=[("Laparoscopic appendectomy", "0DTJ4ZZ")])
    pred = prediction("Acute appendicitis", ["Plan: laparoscopic appendectomy", "IV antibiotics"], calls=[pe()])
    requested = _score(case, pred, protocol).answers.treatment_requested
    assert requested["appendectomy"] and requested["antibiotics"]


@pytest.mark.parametrize(("protocol", "requested"), [("cdmbench", True), ("cdmv1", False)])
def test_treatment_negation_scope(protocol: str, requested: bool) -> None:
    # negspacy's scope runs past the comma: "no antibiotics, ..." negates what follows it in the sentence
    case = make_case("appendicitis", procedures=[("Laparoscopic appendectomy", "0DTJ4ZZ")])
    pred = prediction("Acute appendicitis", ["No surgery, antibiotics"])
    assert _score(case, pred, protocol).answers.treatment_requested["antibiotics"] is requested


@pytest.mark.parametrize(("protocol", "requested"), [("cdmbench", True), ("cdmv1", False)])
def test_treatment_without_tool_calls(protocol: str, requested: bool) -> None:
    # CDMv1 parsed the treatment only when the trajectory had an action (full-information programs have none)
    case = make_case("appendicitis", procedures=[("Laparoscopic appendectomy", "0DTJ4ZZ")])
    pred = prediction("Acute appendicitis", ["Laparoscopic appendectomy"])
    assert _score(case, pred, protocol).answers.treatment_requested["appendectomy"] is requested


@pytest.mark.parametrize(("protocol", "imaging_score"), [("cdmbench", 2), ("cdmv1", 0)])
def test_score_command_takes_the_protocol(tmp_path, protocol: str, imaging_score: int) -> None:
    import json

    from cdmbench.cases import save_cases
    from cdmbench.config import compose
    from cdmbench.metrics.command import run

    case = make_case("cholecystitis")
    save_cases(tmp_path / "cases.json", [case], source="synthetic")
    pred = {"hadm_id": case.hadm_id, **prediction("Acute cholecystitis", calls=[imaging("RUQ", "Ultrasound")])}
    (tmp_path / "p.jsonl").write_text(json.dumps(pred) + "\n", encoding="utf-8")
    overrides = [f"cases={tmp_path / 'cases.json'}", f"predictions={tmp_path / 'p.jsonl'}", f"output={tmp_path / 's'}"]
    assert run(compose("score", [*overrides, f"protocol={protocol}"])) == 0
    line = json.loads((tmp_path / "s").read_text(encoding="utf-8"))
    assert line["scores"]["imaging"] == imaging_score
