"""Synthetic cases and predictions for the scorer tests (no real patient data)."""

from __future__ import annotations

from typing import Any

from cdmbench.cases import Case

DIAGNOSIS_LINE = {
    "appendicitis": "Acute appendicitis",
    "cholecystitis": "Acute cholecystitis",
    "diverticulitis": "Sigmoid diverticulitis",
    "pancreatitis": "Acute pancreatitis",
}


def make_case(
    pathology: str = "appendicitis",
    *,
    hadm_id: int = 20000001,
    primary: list[str] | None = None,
    procedures: list[tuple[str, str | None]] = (),
    icd_diagnoses: list[str] | None = None,
) -> Case:
    """A synthetic case; ``procedures`` are (title, icd_code or None for a discharge-note procedure)."""
    return Case(
        hadm_id=hadm_id,
        pathology=pathology,
        demographics={"age": 40, "gender": "F"},
        patient_history="Synthetic patient with abdominal pain.",
        physical_exam_text="Tender abdomen.",
        lab_results=[{"itemid": 51301, "test_name": "White Blood Cells", "value": "14.2 K/uL"}],
        ground_truth={
            "primary_diagnosis": primary if primary is not None else [DIAGNOSIS_LINE[pathology]],
            "treatments": [
                {"title": title, "icd_code": code, "is_coded": code is not None} for title, code in procedures
            ],
            "icd_diagnoses": icd_diagnoses,
        },
    )


def pe() -> dict[str, Any]:
    return {"name": "physical_examination", "args": {}}


def labs(*tests: str | int) -> dict[str, Any]:
    return {"name": "laboratory_tests", "args": {"tests": list(tests)}}


def imaging(region: str | None, modality: str | None) -> dict[str, Any]:
    return {"name": "imaging", "args": {"region": region, "modality": modality}}


def prediction(diagnosis: str = "", treatments: list[str] | str = (), calls: list[dict] = ()) -> dict[str, Any]:
    return {
        "diagnosis": diagnosis,
        "treatments": list(treatments) if isinstance(treatments, tuple) else treatments,
        "tool_calls": list(calls),
    }
