"""The cohort helpers of cdmbench.data_export.rules on hand-written discharge diagnosis sections."""

from __future__ import annotations

import pytest

from cdmbench.data_export.rules import (
    assign_pathology,
    first_discharge_diagnosis,
    mask_disease_names,
    names_disease,
    pathologies_in_title,
    primary_part,
)


@pytest.mark.parametrize(
    ("section", "first"),
    [
        ("PRIMARY DIAGNOSIS:\n- Acute appendicitis, perforated\n\nSECONDARY DIAGNOSIS:\n- HTN", "Acute appendicitis"),
        ("Primary:\n* Gallstone pancreatitis\nSecondary:\n* Acute cholecystitis", "Gallstone pancreatitis"),
        ("Diagnoses:\n1. Sepsis\n2. Acute appendicitis", "Sepsis"),
        ("\n\nAcute cholecystitis and choledocholithiasis", "Acute cholecystitis"),
        ("Final diagnosis:\n(1) Diverticulitis vs. colitis", "Diverticulitis"),
        ("Acute pancreatitis or biliary colic", "Acute pancreatitis"),
        ("ACUTE APPENDICITIS AND PERFORATION", "ACUTE APPENDICITIS AND PERFORATION"),  # CDMv1 cuts lower case only
        ("Acute cholecystitis, VSD", "Acute cholecystitis"),
        ("Acute appendicitis vsd", "Acute appendicitis vsd"),  # "vs" as a word only
        ("Pancreatitis (gallstone)/choledocholithiasis", "Pancreatitis (gallstone)/choledocholithiasis"),
        ("Sandwich organ failure", "Sandwich organ failure"),  # "and" inside a word does not cut
        ("PRIMARY DIAGNOSIS:\n\n", None),
        ("", None),
    ],
)
def test_first_discharge_diagnosis(section: str, first: str | None) -> None:
    assert first_discharge_diagnosis(section) == first


def test_primary_part_stops_at_the_secondary_line_only() -> None:
    section = "Sepsis secondary to appendicitis\nAbscess with secondary infection\nSecondary:\nHTN"
    assert primary_part(section) == "sepsis secondary to appendicitis\nabscess with secondary infection\n"
    assert primary_part("Acute appendicitis") == "acute appendicitis"


def test_primary_part_cuts_where_the_secondary_line_first_occurs() -> None:
    # CDMv1 splits the section at the secondary line's TEXT: a bare "secondary" line cuts inside the first line
    assert primary_part("Sepsis secondary to acute cholecystitis\nsecondary\nhtn") == "sepsis "
    assert primary_part("Acute appendicitis\n SECONDARY \nHTN") == "acute appendicitis\n"


def test_disease_names_are_substrings_and_per_pathology() -> None:
    assert names_disease("PSH: s/p APPENDECTOMY", "appendicitis")
    assert not names_disease("PSH: s/p appendectomy", "cholecystitis")
    assert names_disease("s/p cholecystostomy tube", "cholecystitis")
    assert not names_disease(None, "pancreatitis")
    assert mask_disease_names("Acute Appendicitis; periappendicitis.", "appendicitis") == "___; peri___."
    assert mask_disease_names("acute diverticulitis", "diverticulitis") == "___"


def test_titles_and_assignment() -> None:
    assert pathologies_in_title("Acute pancreatitis with acute cholecystitis") == ["cholecystitis", "pancreatitis"]
    assert pathologies_in_title("Diverticulitis of colon") == ["diverticulitis"]
    assert pathologies_in_title("Chronic pancreatitis") == []
    both = ["cholecystitis", "pancreatitis"]
    assert assign_pathology(both, "Gallstone pancreatitis\nAcute cholecystitis") == "pancreatitis"
    assert assign_pathology(both, "Sepsis\nAcute cholecystitis") == "cholecystitis"  # the primary part decides
    assert assign_pathology(both, None) == "cholecystitis"
    assert assign_pathology(["appendicitis"], "Sepsis") == "appendicitis"
