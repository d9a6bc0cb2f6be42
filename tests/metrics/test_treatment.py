"""Treatment required (ground truth) and requested (the model's plan), per pathology (scoring-rules.md section 6)."""

from __future__ import annotations

import pytest

from cdmbench.metrics import treatment
from cdmbench.metrics.pathologies import pathology_config
from cdmbench.protocols import get_protocol
from tests.metrics.helpers import make_case

_POSITIVE = {"test": get_protocol("cdmbench").is_positive}


@pytest.fixture(autouse=True, params=["cdmbench", "cdmv1"])
def protocol(request: pytest.FixtureRequest):
    """Every treatment test runs with each protocol's keyword test (CDMv1's cases give the same results)."""
    _POSITIVE["test"] = get_protocol(request.param).is_positive
    yield request.param
    _POSITIVE["test"] = get_protocol("cdmbench").is_positive


def has_biliary_diagnosis(case) -> bool:
    return treatment.has_biliary_diagnosis(case, _POSITIVE["test"])


def score_treatment(case, config, plan):
    return treatment.score_treatment(case, config, plan, positive=_POSITIVE["test"])


def required(pathology: str, **case_fields) -> dict[str, bool]:
    case = make_case(pathology, **case_fields)
    return treatment.treatment_required(case, pathology_config(pathology), positive=_POSITIVE["test"])


def requested(pathology: str, plan: list[str], **case_fields) -> dict[str, bool]:
    return score_treatment(make_case(pathology, **case_fields), pathology_config(pathology), plan).requested


# ----------------------------------------------------------------------------- required


def test_always_required_treatments() -> None:
    assert required("appendicitis") == {"appendectomy": False, "antibiotics": True, "support": True}
    assert required("cholecystitis") == {"cholecystectomy": False, "antibiotics": True, "support": True}
    assert required("diverticulitis") == {
        "colonoscopy": True,
        "antibiotics": True,
        "support": True,
        "drainage": False,
        "colectomy": False,
    }
    assert required("pancreatitis") == {"support": True, "drainage": False, "ercp": False, "cholecystectomy": False}


@pytest.mark.parametrize(
    ("pathology", "treatment", "title", "code"),
    [
        ("appendicitis", "appendectomy", "Laparoscopic appendectomy", "4701"),
        ("appendicitis", "appendectomy", "Resection of Appendix, Percutaneous Endoscopic Approach", "0DTJ4ZZ"),
        ("cholecystitis", "cholecystectomy", "Laparoscopic cholecystectomy", "5123"),
        ("cholecystitis", "cholecystectomy", "Excision of Gallbladder, Open Approach", "0FB40ZZ"),
        ("cholecystitis", "cholecystectomy", "Resection of Gallbladder, Open Approach", "0FT40ZZ"),  # added
        ("cholecystitis", "cholecystectomy", "Resection of Gallbladder, Perc Endo", "0FT44ZZ"),  # added
        ("diverticulitis", "colectomy", "Laparoscopic sigmoidectomy", "1736"),
        ("diverticulitis", "colectomy", "Resection of Sigmoid Colon, Open Approach", "0DTN0ZZ"),
        ("diverticulitis", "drainage", "Percutaneous abdominal drainage", "54.91"),
        ("diverticulitis", "drainage", "Drainage of Peritoneal Cavity, Percutaneous", "0W9G3ZZ"),
        ("pancreatitis", "drainage", "Drainage of Pancreas with Drainage Device", "0F9G30Z"),
        ("pancreatitis", "ercp", "Endoscopic retrograde cholangiopancreatography [ERCP]", "5110"),
        ("pancreatitis", "ercp", "Fluoroscopy of Bile Ducts", "BF10YZZ"),
    ],
)
def test_required_by_icd_code(pathology: str, treatment: str, title: str, code: str) -> None:
    assert required(pathology, procedures=[(title, code)])[treatment] is True


def test_pancreatitis_only_drainage_codes_do_not_count_for_diverticulitis() -> None:
    assert required("diverticulitis", procedures=[("Drainage of Pancreas", "0F9G30Z")])["drainage"] is False


def test_unlisted_codes_are_not_required() -> None:
    assert required("appendicitis", procedures=[("Appendectomy, coded wrongly", "9999")])["appendectomy"] is False


@pytest.mark.parametrize(
    ("pathology", "treatment", "discharge_line"),
    [
        ("appendicitis", "appendectomy", "Laparoscopic appendectomy"),
        ("cholecystitis", "cholecystectomy", "lap cholecystectomy"),
        ("cholecystitis", "cholecystectomy", "cholecystecotmy"),  # CDMv1's misspelled keywords
        ("diverticulitis", "colectomy", "Low anterior resection with diverting loop ileostomy"),
        ("diverticulitis", "colectomy", "Sigmoid resection"),
        ("pancreatitis", "ercp", "ERCP with biliary stent placement"),
    ],
)
def test_required_by_discharge_keyword(pathology: str, treatment: str, discharge_line: str) -> None:
    assert required(pathology, procedures=[(discharge_line, None)])[treatment] is True


def test_negated_discharge_keyword_does_not_require() -> None:
    assert required("appendicitis", procedures=[("No appendectomy performed", None)])["appendectomy"] is False


def test_drainage_needs_a_keyword_and_a_location() -> None:
    assert required("diverticulitis", procedures=[("CT-guided drain placement into pelvic abscess", None)])["drainage"]
    assert not required("diverticulitis", procedures=[("Right IJ central venous catheter", None)])["drainage"]
    # CDMv1 tests keyword and location independently over the discharge procedures
    two_lines = [("pigtail catheter placed", None), ("peritoneal lavage", None)]
    assert required("diverticulitis", procedures=two_lines)["drainage"]
    assert required("pancreatitis", procedures=[("Drain placement into pancreatic pseudocyst", None)])["drainage"]


def test_pancreatitis_cholecystectomy_requires_a_biliary_diagnosis() -> None:
    assert required("pancreatitis", primary=["Acute biliary pancreatitis"])["cholecystectomy"] is True
    assert required("pancreatitis", primary=["Acute pancreatitis"], icd_diagnoses=["Calculus of bile duct, biliary"])[
        "cholecystectomy"
    ]
    assert not required("pancreatitis", primary=["Acute pancreatitis, not biliary"])["cholecystectomy"]
    # codes are not used for it
    assert not required("pancreatitis", procedures=[("Laparoscopic cholecystectomy", "5123")])["cholecystectomy"]


def test_biliary_lookup() -> None:
    assert (
        has_biliary_diagnosis(make_case("pancreatitis", primary=["Gallstone pancreatitis"], icd_diagnoses=None))
        is False
    )
    assert has_biliary_diagnosis(make_case("pancreatitis", primary=["Biliary pancreatitis"]))


# ----------------------------------------------------------------------------- requested


@pytest.mark.parametrize(
    ("pathology", "treatment", "plan"),
    [
        ("appendicitis", "appendectomy", ["Laparoscopic appendectomy"]),
        ("appendicitis", "appendectomy", ["Surgical removal of the appendix"]),  # organ + surgery word
        ("appendicitis", "antibiotics", ["IV antibiotics (ceftriaxone and metronidazole)"]),
        ("appendicitis", "support", ["Pain control"]),
        ("cholecystitis", "cholecystectomy", ["Lap cholecystectomy within 72 hours"]),
        ("cholecystitis", "cholecystectomy", ["Surgery to remove the gallbladder"]),
        ("diverticulitis", "colonoscopy", ["Follow-up colonoscopy in 6 weeks"]),
        ("diverticulitis", "colectomy", ["Elective low anterior resection"]),  # multi-word keyword
        ("diverticulitis", "colectomy", ["Colon surgery if recurrent"]),
        ("diverticulitis", "drainage", ["Percutaneous drainage of the pelvic abscess"]),
        ("pancreatitis", "support", ["Aggressive IV fluids, analgesia and close monitoring"]),
        ("pancreatitis", "ercp", ["ERCP with sphincterotomy"]),
        ("pancreatitis", "ercp", ["Place a biliary stent"]),
        ("pancreatitis", "drainage", ["Pigtail catheter into the pancreatic collection"]),
        ("pancreatitis", "drainage", ["Drain placed in the common bile duct"]),  # multi-word location
    ],
)
def test_requested(pathology: str, treatment: str, plan: list[str]) -> None:
    primary = ["Biliary pancreatitis"] if pathology == "pancreatitis" else None
    assert requested(pathology, plan, primary=primary)[treatment] is True


@pytest.mark.parametrize(
    ("pathology", "treatment", "plan"),
    [
        ("appendicitis", "appendectomy", ["No appendectomy needed"]),
        ("appendicitis", "antibiotics", ["IV fluids, no antibiotics"]),
        ("appendicitis", "appendectomy", ["Appendix looks normal. Surgery consult"]),  # two sentences
        ("cholecystitis", "cholecystectomy", ["No surgery to remove the gallbladder"]),
        ("diverticulitis", "colonoscopy", ["Colonoscopy was not done"]),
        ("diverticulitis", "drainage", ["Drain placement"]),  # no location word: no plain-keyword path
        ("pancreatitis", "support", ["IV fluids and analgesia"]),  # monitoring missing
        ("pancreatitis", "ercp", ["No ERCP"]),
    ],
)
def test_not_requested(pathology: str, treatment: str, plan: list[str]) -> None:
    assert requested(pathology, plan)[treatment] is False


def test_pancreatitis_has_no_antibiotics_entry() -> None:
    assert "antibiotics" not in requested("pancreatitis", ["IV antibiotics"])


def test_pancreatitis_cholecystectomy_is_only_evaluated_when_required() -> None:
    assert requested("pancreatitis", ["Cholecystectomy"], primary=["Acute pancreatitis"])["cholecystectomy"] is False
    assert requested("pancreatitis", ["Cholecystectomy"], primary=["Biliary pancreatitis"])["cholecystectomy"] is True


def test_explanation_names_the_missing_treatment() -> None:
    case = make_case("appendicitis", procedures=[("Laparoscopic appendectomy", "4701")])
    result = score_treatment(case, pathology_config("appendicitis"), ["IV antibiotics", "IV fluids"])
    assert result.recall == pytest.approx(2 / 3)
    assert "missing appendectomy" in result.explanation
    assert "procedure code 4701" in result.explanation


def test_treatment_is_scored_as_one_string_too() -> None:
    case = make_case("appendicitis")
    plan = "Laparoscopic appendectomy. IV antibiotics. IV fluids."
    assert score_treatment(case, pathology_config("appendicitis"), [plan]).recall == 1.0
