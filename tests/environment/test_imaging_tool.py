"""The imaging tool: normalization, matching, repeats returning the next report, not available."""

from __future__ import annotations

import pytest

from cdmbench.cases import Case
from cdmbench.environment import CaseEnvironment
from cdmbench.programs import lab_dictionary


@pytest.fixture
def env(case: Case) -> CaseEnvironment:
    return CaseEnvironment(case, lab_dictionary())


@pytest.mark.parametrize(
    ("region", "modality"),
    [("Abdomen", "US"), ("abdominal", "ultrasound"), ("RUQ", "sonogram"), ("Abdomen and pelvis", "U/S")],
)
def test_ultrasound_spellings_find_the_ultrasound_report(env: CaseEnvironment, region: str, modality: str) -> None:
    observation = env.imaging(region, modality)
    assert observation.startswith("Exam: LIVER OR GALLBLADDER US\nModality: Ultrasound\nRegion: Abdomen\nFindings:")
    assert observation.endswith("First ultrasound findings.")
    assert env.calls[0].normalized_args == {"region": "Abdomen", "modality": "Ultrasound"}


def test_whole_request_in_the_modality_argument(env: CaseEnvironment) -> None:
    observation = env.imaging("", "CT scan of the abdomen and pelvis")
    assert observation.endswith("CT findings.")
    assert env.calls[0].valid


def test_repeats_return_the_next_report_then_not_available(env: CaseEnvironment) -> None:
    first = env.imaging("Abdomen", "Ultrasound")
    second = env.imaging("abdomen", "US")  # the same request, spelled differently
    third = env.imaging("Abdomen", "Ultrasound")
    assert first.endswith("First ultrasound findings.")
    assert second.endswith("Second ultrasound findings.")
    assert "No further Ultrasound" in third and "Try another modality" in third
    assert all(call.valid for call in env.calls)


def test_not_available_says_try_another_modality(env: CaseEnvironment) -> None:
    observation = env.imaging("Abdomen", "HIDA scan")
    assert observation == "HIDA of the abdomen is not available for this patient. Try another modality or region."
    assert env.calls[0].valid


def test_region_must_match(env: CaseEnvironment) -> None:
    assert "not available" in env.imaging("Head", "CT")
    assert env.imaging("Chest", "X-ray").endswith("Lungs are clear.")


def test_mri_request_may_get_an_mrcp_report_but_not_the_reverse(env: CaseEnvironment) -> None:
    assert env.imaging("Abdomen", "MRI").endswith("MRCP findings.")
    fresh = CaseEnvironment(
        Case.model_validate(
            {
                "hadm_id": 1,
                "radiology_reports": [
                    {
                        "note_id": "n",
                        "exam_name": "MR ABD",
                        "region": "Abdomen",
                        "modality": "MRI",
                        "text": "MRI findings.",
                    }
                ],
            }
        ),
        lab_dictionary(),
    )
    assert "not available" in fresh.imaging("Abdomen", "MRCP")
