"""Tests for cdmbench.vocabulary.imaging_requests: request normalization and report matching."""

from __future__ import annotations

import pytest

from cdmbench.vocabulary import (
    MODALITIES,
    REGIONS,
    normalize_imaging_request,
    normalize_request_text,
    report_matches,
)


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("US", "Ultrasound"),
        ("us", "Ultrasound"),
        ("U/S", "Ultrasound"),
        ("sonogram", "Ultrasound"),
        ("Doppler", "Ultrasound"),
        ("CAT scan", "CT"),
        ("computed tomography", "CT"),
        ("CTA", "CT"),
        ("MR", "MRI"),
        ("magnetic resonance imaging", "MRI"),
        ("x-ray", "Radiograph"),
        ("KUB", "Radiograph"),
        ("upper GI series", "Fluoroscopy"),
        ("HIDA scan", "HIDA"),
        ("cholescintigraphy", "HIDA"),
        ("MRCP", "MRCP"),
        ("MR cholangiopancreatography", "MRCP"),
        ("ERCP", "ERCP"),
        ("EUS", "EUS"),
        ("endoscopic ultrasound", "EUS"),
        ("portable ultrasound", "Ultrasound"),  # view words count only when nothing else is named
        ("portable", "Radiograph"),
        ("CT, then ultrasound", "CT"),  # generic: earliest wins
        ("ultrasound or CT", "Ultrasound"),
        ("ultrasound then EUS", "EUS"),  # specific wins over generic
    ],
)
def test_modality_phrases(text: str, modality: str) -> None:
    assert normalize_imaging_request("Abdomen", text).modality == modality


@pytest.mark.parametrize(
    ("modality", "region", "expected"),
    [
        ("cholescintigraphy", None, ("HIDA", "Abdomen")),
        ("hepatobiliary scan", None, ("HIDA", "Abdomen")),
        ("endoscopic ultrasound", None, ("EUS", "Abdomen")),
        ("MRCP", None, ("MRCP", "Abdomen")),
        ("CT scan of the abdomen and pelvis", None, ("CT", "Abdomen")),
        ("RUQ ultrasound", None, ("Ultrasound", "Abdomen")),
        ("right lower quadrant ultrasound", None, ("Ultrasound", "Abdomen")),
        ("abdominal CT", None, ("CT", "Abdomen")),
        ("CT", "abdomen/pelvis", ("CT", "Abdomen")),
        ("CT", "RUQ/abdomen", ("CT", "Abdomen")),
        ("CT", "pelvis", ("CT", "Abdomen")),  # pelvis counts as Abdomen
        ("CT", "chest, abdomen and pelvis", ("CT", "Abdomen")),  # Abdomen wins region conflicts
        ("ultrasound", "right upper quadrant", ("Ultrasound", "Abdomen")),
        ("CT", "head", ("CT", "Head")),
        ("x-ray", "chest", ("Radiograph", "Chest")),
        ("duplex", "left leg veins", ("Ultrasound", "Venous")),
        ("MRI", "lumbar spine", ("MRI", "Spine")),
        ("ultrasound", "appendiceal", ("Ultrasound", "Abdomen")),
        ("abdomen", "ultrasound", ("Ultrasound", "Abdomen")),  # arguments swapped
        ("EUS", "chest", ("EUS", "Chest")),  # an explicit region beats the implied one
    ],
)
def test_requests(modality: str, region: str | None, expected: tuple[str, str]) -> None:
    request = normalize_imaging_request(region, modality)
    assert (request.modality, request.region) == expected
    assert request.valid and request.reason is None
    assert request.raw_modality == modality and request.raw_region == region


def test_whole_tokens_only() -> None:
    # 'ct' is not inside 'duct', 'us' is not inside 'eus' / 'bus' / 'sinus'
    assert normalize_imaging_request(None, "duct").modality is None
    assert normalize_imaging_request("Abdomen", "eus").modality == "EUS"
    assert normalize_imaging_request("Abdomen", "sinus bus").modality is None
    assert normalize_imaging_request("Abdomen", "doctor").modality is None
    assert normalize_imaging_request("Abdomen", "scatter").modality is None  # no 'cat'


def test_invalid_requests() -> None:
    bad = normalize_imaging_request("Abdomen", "banana")
    assert not bad.valid and bad.modality is None and bad.region == "Abdomen"
    assert "banana" in (bad.reason or "")
    no_region = normalize_imaging_request(None, "CT")
    assert not no_region.valid and no_region.modality == "CT" and no_region.region is None
    assert "region" in (no_region.reason or "")
    nothing = normalize_imaging_request(None, None)
    assert not nothing.valid and nothing.modality is None and nothing.region is None


def test_canonical_names_are_fixed_points() -> None:
    for modality in MODALITIES:
        assert normalize_imaging_request("Abdomen", modality).modality == modality
    for region in REGIONS:
        assert normalize_imaging_request(region, "CT").region == region


def test_normalize_request_text() -> None:
    assert normalize_request_text("  CT-Scan of the ABD/Pelvis!  ") == "ct scan of the abd/pelvis"
    assert normalize_request_text("") == ""


@pytest.mark.parametrize(
    ("request_modality", "report_modality", "expected"),
    [
        ("MRI", "MRI", True),
        ("MRI", "MRCP", True),  # an MRCP is an MRI protocol
        ("MRCP", "MRCP", True),
        ("MRCP", "MRI", False),
        ("Ultrasound", "Ultrasound", True),
        ("Ultrasound", "EUS", False),  # endoscopic: scored as a modality of its own
        ("EUS", "EUS", True),
        ("EUS", "Ultrasound", False),
        ("Radiograph", "ERCP", False),
        ("CT", "CT", True),
        ("CT", "MRI", False),
        (None, "CT", False),
        ("CT", None, False),
    ],
)
def test_report_matches(request_modality: str | None, report_modality: str | None, expected: bool) -> None:
    assert report_matches(request_modality, report_modality) is expected
