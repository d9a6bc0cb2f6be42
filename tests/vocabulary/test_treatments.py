"""Tests for cdmbench.vocabulary.treatments: keys, code lists and keyword rules."""

from __future__ import annotations

import pytest

from cdmbench.errors import UnknownNameError
from cdmbench.vocabulary import (
    TREATMENTS,
    always_required,
    procedure_codes,
    requested_rule,
    required_codes,
    required_discharge_keywords,
    treatments_for,
)


def test_treatment_keys() -> None:
    assert TREATMENTS == (
        "appendectomy",
        "cholecystectomy",
        "colectomy",
        "colonoscopy",
        "drainage",
        "ercp",
        "antibiotics",
        "support",
    )


@pytest.mark.parametrize(
    ("pathology", "scored", "always"),
    [
        ("appendicitis", {"appendectomy", "antibiotics", "support"}, {"antibiotics", "support"}),
        ("cholecystitis", {"cholecystectomy", "antibiotics", "support"}, {"antibiotics", "support"}),
        (
            "diverticulitis",
            {"colonoscopy", "antibiotics", "support", "drainage", "colectomy"},
            {"colonoscopy", "antibiotics", "support"},
        ),
        ("pancreatitis", {"support", "drainage", "ercp", "cholecystectomy"}, {"support"}),
    ],
)
def test_treatments_per_pathology(pathology: str, scored: set[str], always: set[str]) -> None:
    assert set(treatments_for(pathology)) == scored
    assert set(always_required(pathology)) == always
    assert "antibiotics" not in treatments_for("pancreatitis")


def test_procedure_codes() -> None:
    appendectomy = procedure_codes("appendectomy")
    assert appendectomy.icd9 == ("4701", "4709")
    assert set(appendectomy.icd10) == {"0DTJ4ZZ", "0DTJ0ZZ"}
    assert appendectomy.titles["4701"] == "Laparoscopic appendectomy"
    cholecystectomy = procedure_codes("cholecystectomy")
    assert {"0FT40ZZ", "0FT44ZZ", "0FB40ZZ", "0FB44ZZ"} <= set(cholecystectomy.icd10)  # defect 6 resolved
    assert len(cholecystectomy.keywords) == len(set(cholecystectomy.keywords))
    assert procedure_codes("antibiotics").icd9 == ()
    assert all(len(code) == 4 for key in TREATMENTS for code in procedure_codes(key).icd9)
    assert all(len(code) == 7 and code.isupper() for key in TREATMENTS for code in procedure_codes(key).icd10)
    with pytest.raises(UnknownNameError):
        procedure_codes("surgery")


def test_required_codes() -> None:
    assert required_codes("appendicitis", "appendectomy") == {"4701", "4709", "0DTJ4ZZ", "0DTJ0ZZ"}
    drainage_div = required_codes("diverticulitis", "drainage")
    drainage_pan = required_codes("pancreatitis", "drainage")
    assert "5491" in drainage_div and "0F9G30Z" not in drainage_div
    assert drainage_div < drainage_pan and "0F9G30Z" in drainage_pan  # pancreatitis-only extra list
    assert required_codes("pancreatitis", "cholecystectomy") == frozenset()  # required by 'biliary' instead
    assert required_codes("appendicitis", "antibiotics") == frozenset()
    with pytest.raises(UnknownNameError):
        required_codes("appendicitis", "ercp")


def test_required_discharge_keywords() -> None:
    assert required_discharge_keywords("appendicitis", "appendectomy") == (("appendectomy",), ())
    keywords, locations = required_discharge_keywords("diverticulitis", "drainage")
    assert "pigtail" in keywords and "pericolonic" in locations
    assert required_discharge_keywords("appendicitis", "support") == ((), ())


def test_requested_rules() -> None:
    assert requested_rule("appendicitis", "antibiotics").all_of == (("antibiotic",),)
    assert requested_rule("appendicitis", "support").all_of == (("fluid", "analgesi", "pain"),)
    assert requested_rule("pancreatitis", "support").all_of == (("fluid",), ("analgesi", "pain"), ("monitor",))
    appendectomy = requested_rule("appendicitis", "appendectomy")
    assert appendectomy.keywords == ("appendectomy",)
    assert appendectomy.location_words == ("appendix",) and "removal" in appendectomy.modifier_words
    drainage = requested_rule("pancreatitis", "drainage")
    assert drainage.keywords == () and "bile duct" in drainage.location_words and "drain" in drainage.modifier_words
    assert requested_rule("pancreatitis", "cholecystectomy").only_when_required
    assert not requested_rule("cholecystitis", "cholecystectomy").only_when_required
