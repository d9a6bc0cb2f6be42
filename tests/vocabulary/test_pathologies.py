"""Tests for cdmbench.vocabulary.pathologies: words, cohort phrases, masking."""

from __future__ import annotations

import pytest

from cdmbench import cases
from cdmbench.errors import UnknownNameError
from cdmbench.vocabulary import (
    COHORT_PHRASES,
    PATHOLOGIES,
    PATHOLOGY_WORDS,
    mask_pathology_words,
    masking_keywords,
    pathology_from_title,
)


def test_pathologies_in_fixed_order_and_same_as_case_model() -> None:
    assert PATHOLOGIES == ("appendicitis", "cholecystitis", "diverticulitis", "pancreatitis")
    assert tuple(cases.PATHOLOGIES) == PATHOLOGIES
    assert dict(PATHOLOGY_WORDS) == {p: p for p in PATHOLOGIES}
    assert tuple(COHORT_PHRASES) == PATHOLOGIES


def test_masking_keywords_longest_first() -> None:
    keywords = masking_keywords("appendicitis")
    assert set(keywords) == {"acute appendicitis", "appendicitis", "appendectomy", "tip appendicitis"}
    assert [len(k) for k in keywords] == sorted((len(k) for k in keywords), reverse=True)
    assert keywords[0] == "acute appendicitis"


def test_masking_keywords_unknown_pathology() -> None:
    with pytest.raises(UnknownNameError, match="appendicitis"):
        masking_keywords("gastritis")
    with pytest.raises(UnknownNameError):
        mask_pathology_words("text", "Appendicitis")


@pytest.mark.parametrize(
    ("text", "pathology", "expected"),
    [
        ("Findings consistent with Acute Appendicitis.", "appendicitis", "Findings consistent with ___."),
        ("tip appendicitis vs appendicitis", "appendicitis", "___ vs ___"),
        ("APPENDICITIS; s/p appendectomy", "appendicitis", "___; s/p ___"),
        ("acute\nappendicitis", "appendicitis", "acute\n___"),
        ("no appendicitisx or xappendicitis", "appendicitis", "no appendicitisx or xappendicitis"),
        ("perforated diverticulitis in sigmoid", "diverticulitis", "___ in sigmoid"),
        ("acute cholecystitis, pancreatitis", "cholecystitis", "___, pancreatitis"),
        ("prior cholecystostomy tube", "cholecystitis", "prior ___ tube"),
        ("Autoimmune pancreatitis; uncomplicated pancreatitis", "pancreatitis", "___; ___"),
    ],
)
def test_mask_pathology_words(text: str, pathology: str, expected: str) -> None:
    assert mask_pathology_words(text, pathology) == expected


def test_mask_keeps_everything_else() -> None:
    text = "ABDOMEN: \n \nTender RLQ.\r\n  Rebound present.\tappendicitis  \n"
    assert mask_pathology_words(text, "appendicitis") == text.replace("appendicitis", "___")
    assert mask_pathology_words("", "pancreatitis") == ""


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Acute appendicitis without mention of peritonitis", "appendicitis"),
        ("Acute appendicitis with generalized peritonitis", "appendicitis"),
        ("ACUTE CHOLECYSTITIS", "cholecystitis"),
        ("Calculus of gallbladder with acute cholecystitis, without mention of obstruction", "cholecystitis"),
        ("Diverticulitis of colon (without mention of hemorrhage)", "diverticulitis"),
        ("Diverticulitis of large intestine without perforation or abscess without bleeding", "diverticulitis"),
        ("Acute pancreatitis", "pancreatitis"),
        ("Idiopathic acute pancreatitis without necrosis or infection", "pancreatitis"),
        ("Chronic pancreatitis", None),
        ("Chronic cholecystitis", None),
        ("Diverticulosis of colon", None),
        ("Other appendicitis", None),
        ("", None),
        (None, None),
    ],
)
def test_pathology_from_title(title: str | None, expected: str | None) -> None:
    assert pathology_from_title(title) == expected
