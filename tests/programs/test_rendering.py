"""render_case: section order, abnormal-only labs, reference ranges, never selected by pathology."""

from __future__ import annotations

import pytest

from cdmbench.cases import Case
from cdmbench.errors import ConfigError
from cdmbench.programs import render_case
from cdmbench.programs.lab_values import expected_interpretation, numeric_value
from tests.environment.conftest import make_case


def _positions(text: str, *titles: str) -> list[int]:
    return [text.index(title) for title in titles]


@pytest.mark.parametrize("order", ["pli", "lip", "ilp"])
def test_history_first_then_sections_in_order(case: Case, order: str) -> None:
    text = render_case(case, order=order)
    titles = {"p": "Physical examination:", "l": "Laboratory results:", "i": "Imaging:"}
    positions = _positions(text, "Patient history:", *(titles[c] for c in order))
    assert positions == sorted(positions)
    assert text.startswith("Patient history:\nA 51 year old")


def test_subset_and_no_history(case: Case) -> None:
    text = render_case(case, order="l", include_history=False)
    assert text.startswith("Laboratory results:")
    assert "Imaging:" not in text and "Physical examination:" not in text


@pytest.mark.parametrize("order", ["", "plp", "x", "plix"])
def test_bad_order(case: Case, order: str) -> None:
    with pytest.raises(ConfigError):
        render_case(case, order=order)


def test_all_labs_all_reports_and_reference_ranges(case: Case) -> None:
    text = render_case(case)
    for lab in case.lab_results:
        assert f"{lab.test_name}: {lab.value}" in text
    assert "(Blood) Blood Culture, Routine: No growth." in text
    assert text.count("Exam: ") == len(case.radiology_reports)
    assert "(Blood) Lipase: 32.0 IU/L | RR: [0.0 - 60.0]" in text
    assert "| RR:" not in render_case(case, reference_ranges=False)


def test_abnormal_only(case: Case) -> None:
    text = render_case(case, abnormal_only=True)
    assert "White Blood Cells: 15.1" in text and "Bilirubin, Total: 2.1" in text
    assert "Lipase" not in text and "Hemoglobin" not in text and "Specific Gravity" not in text
    assert "Blood Culture" in text


def test_labs_do_not_depend_on_the_pathology() -> None:
    texts = set()
    for pathology in ("appendicitis", "cholecystitis", "diverticulitis", "pancreatitis", None):
        case = make_case()
        case.pathology = pathology
        texts.add(render_case(case))
    assert len(texts) == 1
    assert "SECRET" not in texts.pop()


def test_lab_values() -> None:
    assert numeric_value("14.2 K/uL") == 14.2
    assert numeric_value("<0.5") == 0.5
    assert numeric_value("NEG") is None
    case = make_case()
    assert [expected_interpretation(lab) for lab in case.lab_results] == ["high", "normal", "normal", "high", None]
