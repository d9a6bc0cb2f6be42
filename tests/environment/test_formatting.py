"""Lab, microbiology and radiology renderings."""

from __future__ import annotations

from cdmbench.cases import LabResult, MicrobiologyEvent, RadiologyReport
from cdmbench.environment import (
    format_lab_result,
    format_microbiology_event,
    format_radiology_report,
    format_reference_range,
)


def test_lab_line_with_and_without_reference_range() -> None:
    lab = LabResult(
        itemid=51301,
        test_name="White Blood Cells",
        fluid="Blood",
        value="14.2 K/uL",
        ref_range_lower=4.0,
        ref_range_upper=10.0,
    )
    assert format_lab_result(lab) == "(Blood) White Blood Cells: 14.2 K/uL | RR: [4.0 - 10.0]"
    assert format_lab_result(lab, reference_range=False) == "(Blood) White Blood Cells: 14.2 K/uL"
    bare = LabResult(itemid=51498, test_name="Specific Gravity", fluid="Urine", value="1.02")
    assert format_lab_result(bare) == "(Urine) Specific Gravity: 1.02"


def test_one_sided_reference_ranges() -> None:
    assert format_reference_range(None, None) is None
    assert format_reference_range(None, 5.0) == "[<= 5.0]"
    assert format_reference_range(1.0, None) == "[>= 1.0]"


def test_microbiology_line() -> None:
    event = MicrobiologyEvent(
        test_itemid=90201, test_name="Blood Culture, Routine", spec_type_desc="BLOOD CULTURE", comments="No growth."
    )
    assert format_microbiology_event(event) == "(Blood) Blood Culture, Routine: No growth."
    grown = MicrobiologyEvent(
        test_itemid=90039,
        test_name="URINE CULTURE",
        spec_type_desc="URINE",
        organism_name="ESCHERICHIA COLI",
        comments=">100,000 CFU/mL.",
    )
    assert format_microbiology_event(grown) == "(Urine) URINE CULTURE: ESCHERICHIA COLI; >100,000 CFU/mL."
    odd = MicrobiologyEvent(test_itemid=1, test_name="Gram Stain", spec_type_desc="SWAB")
    assert format_microbiology_event(odd) == "(Swab) Gram Stain: no result reported"


def test_radiology_report_has_header_and_findings() -> None:
    text = format_radiology_report(
        RadiologyReport(note_id="x", exam_name="CT ABD", region="Abdomen", modality="CT", text="  Findings here. ")
    )
    assert text == "Exam: CT ABD\nModality: CT\nRegion: Abdomen\nFindings:\nFindings here."
