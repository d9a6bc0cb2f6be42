"""Tests for cdmbench.vocabulary.imaging: classification of stored radiology exam names."""

from __future__ import annotations

import pytest

from cdmbench.vocabulary import MODALITIES, REGIONS, classify_exam
from cdmbench.vocabulary.imaging import MODALITY_TIE_ORDER, REGION_TIE_ORDER

# The generator's exam-name catalogue and what the export must classify it as.
CATALOGUE = [
    ("CT ABD & PELVIS WITH CONTRAST", "CT", "Abdomen"),
    ("CT ABD & PELVIS W/O CONTRAST", "CT", "Abdomen"),
    ("CT ABDOMEN W/CONTRAST", "CT", "Abdomen"),
    ("CTA ABD & PELVIS", "CT", "Abdomen"),
    ("LIVER OR GALLBLADDER US (SINGLE ORGAN)", "Ultrasound", "Abdomen"),
    ("US ABD LIMIT, SINGLE ORGAN", "Ultrasound", "Abdomen"),
    ("ABDOMEN US (COMPLETE STUDY)", "Ultrasound", "Abdomen"),
    ("APPENDIX US", "Ultrasound", "Abdomen"),
    ("PELVIS U.S., TRANSVAGINAL", "Ultrasound", "Abdomen"),
    ("DUPLEX DOPP ABD/PEL", "Ultrasound", "Abdomen"),
    ("MR ABDOMEN W/O & W/CONTRAST", "MRI", "Abdomen"),
    ("MRCP (MR ABDOMEN W/O & W/CONTRAST)", "MRCP", "Abdomen"),
    ("HEPATOBILIARY SCAN (HIDA)", "HIDA", "Abdomen"),
    ("EUS (ENDOSCOPIC ULTRASOUND)", "EUS", "Abdomen"),
    ("ERCP BILIARY&PANCREAS BY GI UNIT", "ERCP", "Abdomen"),
    ("ABDOMEN (SUPINE & ERECT)", "Radiograph", "Abdomen"),
    ("ABDOMEN (SUPINE ONLY)", "Radiograph", "Abdomen"),
    ("CHEST (PA & LAT)", "Radiograph", "Chest"),
    ("CHEST (PORTABLE AP)", "Radiograph", "Chest"),
    ("CT CHEST W/CONTRAST", "CT", "Chest"),
    ("CT HEAD W/O CONTRAST", "CT", "Head"),
    ("UNILAT LOWER EXT VEINS", "Ultrasound", "Venous"),
    ("OUTSIDE FILMS READ ONLY", None, None),
]


@pytest.mark.parametrize(("exam_name", "modality", "region"), CATALOGUE)
def test_generator_catalogue(exam_name: str, modality: str | None, region: str | None) -> None:
    assert classify_exam(exam_name) == (modality, region)


def test_vocabulary_is_canonical() -> None:
    assert set(MODALITIES) == {"Ultrasound", "CT", "MRI", "Radiograph", "HIDA", "EUS", "MRCP", "ERCP", "Fluoroscopy"}
    assert set(REGIONS) == {"Abdomen", "Chest", "Head", "Neck", "Spine", "Extremity", "Venous"}
    assert set(MODALITY_TIE_ORDER) <= set(MODALITIES)
    assert set(REGION_TIE_ORDER) == set(REGIONS)


@pytest.mark.parametrize(
    ("exam_name", "modality", "region"),
    [
        ("ct abd & pelvis with contrast", "CT", "Abdomen"),  # case does not matter
        ("CT PELVIS W/CONTRAST", "CT", "Abdomen"),  # pelvis counts as Abdomen
        ("CT UROGRAM", "CT", "Abdomen"),  # CTU special case -> CT, implied region
        ("MRA CHEST", "MRI", "Chest"),
        ("MR ENTEROGRAPHY", "MRI", "Abdomen"),  # MRE -> MRI, implied Abdomen
        ("UPPER GI SERIES", "Fluoroscopy", "Abdomen"),
        ("CAROTID SERIES COMPLETE", "Ultrasound", "Neck"),
        ("MAMMO BILAT SCREENING", "Radiograph", "Chest"),
        ("CT GUIDED DRAINAGE ABD", "CT", "Abdomen"),  # a procedure: classified by its guidance
        ("US GUIDED PARACENTESIS", "Ultrasound", None),  # no region word, no implied region
        ("PARACENTESIS DIAG. OR THERAPEUTIC", None, None),
        ("KNEE (2 VIEWS) RIGHT", None, "Extremity"),
        ("ANKLE (AP, MORTISE & LAT) RIGHT", "Radiograph", "Extremity"),
        ("SCROTAL US", "Ultrasound", None),  # Scrotum is no canonical region
        ("CT CHEST/ABD/PELVIS", "CT", "Abdomen"),
        ("", None, None),
        ("   ", None, None),
        (None, None, None),
    ],
)
def test_other_exam_names(exam_name: str | None, modality: str | None, region: str | None) -> None:
    assert classify_exam(exam_name) == (modality, region)


def test_ties_use_fixed_priority() -> None:
    # one CT word and one radiograph word: CT wins by the fixed order, whatever the dict order
    assert classify_exam("CT PORTABLE")[0] == "CT"
    # one chest word and one abdomen word: Abdomen wins
    assert classify_exam("US CHEST LIVER")[1] == "Abdomen"
    # one head and one neck word: Head before Neck
    assert classify_exam("CT HEAD NECK")[1] == "Head"


def test_results_are_canonical_or_none() -> None:
    for exam_name, _, _ in CATALOGUE:
        modality, region = classify_exam(exam_name)
        assert modality is None or modality in MODALITIES
        assert region is None or region in REGIONS
