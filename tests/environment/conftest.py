"""A synthetic case with labs, microbiology and several radiology reports, for the tool tests."""

from __future__ import annotations

import pytest

from cdmbench.cases import Case


def make_case() -> Case:
    """A synthetic admission (invented values; no MIMIC text)."""
    return Case.model_validate(
        {
            "hadm_id": 29990001,
            "pathology": "cholecystitis",
            "patient_history": "A 51 year old with 2 days of pain after meals and fever.",
            "physical_exam_text": "  T 38.4 HR 104. Tender on deep palpation below the right costal margin.  ",
            "lab_results": [
                {
                    "itemid": 51301,
                    "test_name": "White Blood Cells",
                    "fluid": "Blood",
                    "value": "15.1 K/uL",
                    "ref_range_lower": 4.0,
                    "ref_range_upper": 10.0,
                },
                {
                    "itemid": 51222,
                    "test_name": "Hemoglobin",
                    "fluid": "Blood",
                    "value": "13.2 g/dL",
                    "ref_range_lower": 12.0,
                    "ref_range_upper": 16.0,
                },
                {
                    "itemid": 50956,
                    "test_name": "Lipase",
                    "fluid": "Blood",
                    "value": "32.0 IU/L",
                    "ref_range_lower": 0.0,
                    "ref_range_upper": 60.0,
                },
                {
                    "itemid": 50885,
                    "test_name": "Bilirubin, Total",
                    "fluid": "Blood",
                    "value": "2.1 mg/dL",
                    "ref_range_lower": 0.0,
                    "ref_range_upper": 1.5,
                },
                {"itemid": 51498, "test_name": "Specific Gravity", "fluid": "Urine", "value": "1.02"},
            ],
            "microbiology_events": [
                {
                    "test_itemid": 90201,
                    "test_name": "Blood Culture, Routine",
                    "spec_type_desc": "BLOOD CULTURE",
                    "comments": "No growth.",
                },
            ],
            "radiology_reports": [
                {
                    "note_id": "1-RR-1",
                    "exam_name": "CHEST (PA AND LAT)",
                    "region": "Chest",
                    "modality": "Radiograph",
                    "text": "Lungs are clear.",
                },
                {
                    "note_id": "1-RR-2",
                    "exam_name": "LIVER OR GALLBLADDER US",
                    "region": "Abdomen",
                    "modality": "Ultrasound",
                    "text": "First ultrasound findings.",
                },
                {
                    "note_id": "1-RR-3",
                    "exam_name": "CT ABD & PELVIS WITH CONTRAST",
                    "region": "Abdomen",
                    "modality": "CT",
                    "text": "CT findings.",
                },
                {
                    "note_id": "1-RR-4",
                    "exam_name": "ABDOMEN US (COMPLETE STUDY)",
                    "region": "Abdomen",
                    "modality": "Ultrasound",
                    "text": "Second ultrasound findings.",
                },
                {
                    "note_id": "1-RR-5",
                    "exam_name": "MRCP",
                    "region": "Abdomen",
                    "modality": "MRCP",
                    "text": "MRCP findings.",
                },
            ],
            "ground_truth": {"primary_diagnosis": ["SECRET DIAGNOSIS"], "treatments": [{"title": "SECRET PROCEDURE"}]},
        }
    )


@pytest.fixture
def case() -> Case:
    return make_case()
