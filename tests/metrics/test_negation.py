"""NegEx over diagnosis.json's trigger lists: the issue's required phrases and the scope rules."""

from __future__ import annotations

import pytest

from cdmbench.metrics.negation import find_phrase, is_positive, negation_trigger


@pytest.mark.parametrize(
    ("text", "keyword", "trigger"),
    [
        ("no appendicitis", "appendicitis", "no"),
        ("Not consistent with cholecystitis", "cholecystitis", "not"),
        ("ruled out pancreatitis", "pancreatitis", "ruled out"),
        ("without evidence of perforation", "perforation", "without"),
        ("negative for diverticulitis", "diverticulitis", "negative for"),
        ("Patient denies fever", "fever", "denies"),
        ("No evidence of appendicitis", "appendicitis", "no evidence of"),
        ("Appendicitis was ruled out", "appendicitis", "was ruled out"),
        ("pancreatitis unlikely", "pancreatitis", "unlikely"),
        ("Patient doesn\u2019t need antibiotics", "antibiotic", "doesn't"),
    ],
)
def test_negated(text: str, keyword: str, trigger: str) -> None:
    (start, end), *_ = find_phrase(text, keyword)
    assert negation_trigger(text, start, end) == trigger
    assert not is_positive(text, keyword)


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("acute appendicitis, no perforation", "appendicitis"),  # the trigger follows, in another clause
        ("no perforation. Acute appendicitis", "appendicitis"),  # sentence ends the scope
        ("no fever but appendicitis", "appendicitis"),  # termination term
        ("appendicitis not ruled out", "appendicitis"),  # pseudo-negation
        ("no further imaging; acute pancreatitis", "pancreatitis"),
        ("nodular appendicitis", "appendicitis"),  # 'no' only as a whole word
        ("no gallstones however cholecystitis", "cholecystitis"),
        ("IV fluids, no antibiotics", "fluid"),
    ],
)
def test_positive(text: str, keyword: str) -> None:
    assert is_positive(text, keyword)


def test_every_occurrence_is_checked() -> None:
    text = "No appendicitis on the first scan; appendicitis on the second"
    spans = find_phrase(text, "appendicitis")
    assert [negation_trigger(text, s, e) for s, e in spans] == ["no", None]
    assert is_positive(text, "appendicitis")


def test_multi_word_phrases_match_literally() -> None:
    assert find_phrase("Plan: Low  Anterior\nResection", "low anterior resection") == [(6, 29)]
    assert find_phrase("place a biliary stent", "biliary stent")
    assert not find_phrase("biliary and stent", "biliary stent")
    assert find_phrase("analgesia", "analgesi")  # stems match inside words
    assert find_phrase("anything", "") == []


def test_decimal_point_does_not_end_a_clause() -> None:
    assert not is_positive("no fever 38.5 appendicitis", "appendicitis")
