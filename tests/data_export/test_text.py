"""Tests for cdmbench.data_export.text on hand-written synthetic notes (no MIMIC text)."""

from __future__ import annotations

import pytest

from cdmbench.data_export.text import (
    clean_radiology_report,
    discharge_diagnoses,
    discharge_diagnosis_section,
    discharge_procedures,
    extract_history,
    extract_hpi_only,
    extract_physical_exam,
    extract_section,
)

NOTE = """ \nName:  ___                     Unit No:   ___
 \nAdmission Date:  ___              Discharge Date:   ___
 \nDate of Birth:  ___             Sex:   F
 \nService: SURGERY
 \nAllergies: \nPatient recorded as having No Known Allergies to Drugs
 \nAttending: ___.
 \nChief Complaint:
RLQ pain
 \nMajor Surgical or Invasive Procedure:
Laparoscopic appendectomy
 \nHistory of Present Illness:
Ms. ___ is a ___ woman with 2 days of periumbilical pain
migrating to the RLQ, with nausea and anorexia.
 \nPast Medical History:
Asthma
 \nSocial History:
___
Family History:
Non-contributory
 \nPhysical Exam:
ADMISSION PHYSICAL EXAM:
Vitals: T 38.1 HR 102 BP 124/78
Abd: soft, tender at McBurney's point, + rebound
 \nDISCHARGE PHYSICAL EXAM:
Abd: soft, incisions c/d/i
 \nPertinent Results:
___ 07:40AM BLOOD WBC-14.2
 \nBrief Hospital Course:
Taken to the OR for appendectomy.
 \nMedications on Admission:
None
 \nDischarge Disposition:
Home
 \nDischarge Diagnosis:
PRIMARY DIAGNOSIS:
- Acute appendicitis
 \nSECONDARY:
* Asthma
 \nDischarge Condition:
Mental Status: Clear and coherent.
 \nDischarge Instructions:
Please call your surgeon.
 \nFollowup Instructions:
___
"""

HISTORY = """Ms. ___ is a ___ woman with 2 days of periumbilical pain
migrating to the RLQ, with nausea and anorexia.
 \nPast Medical History:
Asthma
 \nSocial History:
___
Family History:
Non-contributory"""


def test_extract_history_is_hpi_to_physical_exam() -> None:
    assert extract_history(NOTE) == HISTORY


def test_extract_hpi_only_stops_at_next_header() -> None:
    assert extract_hpi_only(NOTE) == (
        "Ms. ___ is a ___ woman with 2 days of periumbilical pain\nmigrating to the RLQ, with nausea and anorexia."
    )


def test_extract_physical_exam_admission_part_only() -> None:
    assert extract_physical_exam(NOTE) == (
        "Vitals: T 38.1 HR 102 BP 124/78\nAbd: soft, tender at McBurney's point, + rebound"
    )


def test_extract_section_generic() -> None:
    assert extract_section(NOTE, "Chief Complaint") == "RLQ pain"
    assert extract_section(NOTE, "chief complaint") == "RLQ pain"
    assert extract_section(NOTE, "Brief Hospital Course") == "Taken to the OR for appendectomy."
    assert extract_section(NOTE, "Pertinent Results") == "___ 07:40AM BLOOD WBC-14.2"
    assert extract_section(NOTE, "Followup Instructions") == "___"
    assert extract_section(NOTE, "Review of Systems") is None


def test_windows_newlines_give_the_same_result() -> None:
    crlf = NOTE.replace("\n", "\r\n")
    assert extract_history(crlf) == HISTORY
    assert extract_physical_exam(crlf) == extract_physical_exam(NOTE)
    assert discharge_diagnoses(crlf) == discharge_diagnoses(NOTE)


def test_upper_case_headers() -> None:
    note = (
        "HISTORY OF PRESENT ILLNESS:\nEpigastric pain radiating to the back.\n \n"
        "PAST MEDICAL HISTORY:\nGallstones\n \nPHYSICAL EXAM:\nEpigastric tenderness.\n \n"
        "BRIEF HOSPITAL COURSE:\nIV fluids.\n"
    )
    assert extract_history(note) == ("Epigastric pain radiating to the back.\n \nPAST MEDICAL HISTORY:\nGallstones")
    assert extract_hpi_only(note) == "Epigastric pain radiating to the back."
    # no Pertinent Results: the exam ends at Brief Hospital Course
    assert extract_physical_exam(note) == "Epigastric tenderness."


def test_missing_or_empty_sections_are_none() -> None:
    assert extract_history("Chief Complaint:\npain\n") is None
    assert extract_hpi_only("Chief Complaint:\npain\n") is None
    assert extract_physical_exam("History of Present Illness:\npain\n") is None
    assert extract_hpi_only("History of Present Illness:\n \n \nPast Medical History:\nnone\n") is None
    assert extract_history("") is None
    assert discharge_diagnoses("no sections here") == []
    assert discharge_procedures("no sections here") == []


def test_history_without_physical_exam_ends_at_next_other_header() -> None:
    note = "History of Present Illness:\nPain.\nPast Medical History:\nHTN\nPertinent Results:\nWBC 12\n"
    assert extract_history(note) == "Pain.\nPast Medical History:\nHTN"


@pytest.mark.parametrize(
    ("exam", "expected"),
    [
        ("Admission Exam:\nAbd tender\nDischarge Exam:\nAbd soft", "Abd tender"),
        (
            "ON ADMISSION:\nAbd tender\n \nON DISCHARGE - afebrile\nDischarge:\nAbd soft",
            "Abd tender",
        ),
        ("Admission:\nAbd tender\nDISCHARGE EXAM:\nAbd soft", "Abd tender"),
        ("Abd tender\nDischarge Physical Exam:\nAbd soft", "Abd tender"),
        ("Abd tender\ndischarge exam: soft", "Abd tender"),
        ("PHYSICAL EXAM ON ADMISSION:\nAbd tender", "Abd tender"),
        ("ADMISSION PHYSICAL EXAM: T 38.2, Abd tender", "T 38.2, Abd tender"),
        ("Admission vitals: T 38.2\nAbd tender", "Admission vitals: T 38.2\nAbd tender"),
        (
            "Vitals: stable\nwill discharge home when tolerating diet",
            "Vitals: stable\nwill",
        ),
        ("DISCHARGE PHYSICAL EXAM:\nAbd soft", None),
    ],
)
def test_physical_exam_variants(exam: str, expected: str | None) -> None:
    note = f"History of Present Illness:\nPain.\n \nPhysical Exam:\n{exam}\n \nPertinent Results:\nWBC 12\n"
    assert extract_physical_exam(note) == expected


def test_physical_exam_header_variants() -> None:
    note = "PHYSICAL EXAMINATION:\nAbd tender\n \nBrief Hospital Course:\nSurgery.\n"
    assert extract_physical_exam(note) == "Abd tender"


def test_discharge_diagnoses() -> None:
    assert discharge_diagnoses(NOTE) == ["Acute appendicitis", "Asthma"]
    note = (
        "Discharge Diagnosis:\n1. Acute pancreatitis\n2. Gallstones\n2.5 cm gallstone\n \n"
        "Secondary:\n  -  Hypertension  \nDischarge Condition:\nstable\n"
    )
    assert discharge_diagnoses(note) == ["Acute pancreatitis", "Gallstones", "2.5 cm gallstone", "Hypertension"]
    assert discharge_diagnoses("DISCHARGE DIAGNOSES:\nDiverticulitis\nDischarge Condition:\nok") == ["Diverticulitis"]


def test_discharge_procedures() -> None:
    assert discharge_procedures(NOTE) == ["Laparoscopic appendectomy"]
    note = "Major Surgical or Invasive Procedure:\nNone\n \nHistory of Present Illness:\npain\n"
    assert discharge_procedures(note) == []
    note = (
        "Major Surgical or Invasive Procedure:\nERCP with sphincterotomy\n \nlap chole\nHistory of Present Illness:\n"
    )
    assert discharge_procedures(note) == ["ERCP with sphincterotomy", "lap chole"]


REPORT = """EXAMINATION:  CT ABD AND PELVIS WITH CONTRAST
 \nINDICATION:  ___ with RLQ pain, eval for appendicitis
 \nTECHNIQUE:  MDCT axial images through the abdomen and pelvis.
 \nCOMPARISON:  None.
 \nFINDINGS:
 \nLOWER CHEST: Lung bases are clear.
 \nABDOMEN:  The appendix is dilated to 11 mm with periappendiceal fat stranding.
No free air.
 \nIMPRESSION:
 \nAcute appendicitis without perforation.
"""


def test_clean_radiology_report() -> None:
    assert clean_radiology_report(REPORT) == (
        "EXAMINATION:  CT ABD AND PELVIS WITH CONTRAST\n\n"
        "TECHNIQUE:  MDCT axial images through the abdomen and pelvis.\n\n"
        "FINDINGS:\n\n"
        "LOWER CHEST: Lung bases are clear.\n\n"
        "ABDOMEN:  The appendix is dilated to 11 mm with periappendiceal fat stranding.\nNo free air."
    )
    assert clean_radiology_report(REPORT.replace("\n", "\r\n")) == clean_radiology_report(REPORT)


def test_clean_radiology_report_text_before_first_header_and_prefix_drop() -> None:
    text = (
        "Preliminary read by resident.\n"
        "CLINICAL HISTORY: pain\nHISTORY OF PRESENT ILLNESS: more\nREASON FOR EXAM: RUQ pain\n"
        "FINDINGS: Gallbladder wall thickened.\nCOMMENTS: none\nCONCLUSION: cholecystitis\n"
    )
    assert clean_radiology_report(text) == "Preliminary read by resident.\n\nFINDINGS: Gallbladder wall thickened."


def test_clean_radiology_report_nothing_kept() -> None:
    assert clean_radiology_report("INDICATION: pain\nIMPRESSION: normal\n") == ""
    assert clean_radiology_report("") == ""
    assert clean_radiology_report("Normal study, no header.") == "Normal study, no header."


def test_deidentified_history_headers_start_the_history() -> None:
    for header in ("___ of Present Illness:", "History of Presenting Illness:", "HISTORY OF PRESENT ILLNESS:"):
        note = f"Chief Complaint:\npain\n{header}\nRLQ pain.\nPast Medical History:\nNone\nPhysical Exam:\nSoft."
        assert extract_history(note) == "RLQ pain.\nPast Medical History:\nNone", header


def test_the_last_diagnosis_header_wins_and_may_be_deidentified() -> None:
    note = (
        "Discharge Diagnosis:\n___\n \nDischarge Disposition:\nHome\n \n___ Diagnosis:\nPRIMARY:\n- Acute appendicitis"
        "\n \nDischarge Condition:\nGood\n"
    )
    assert discharge_diagnosis_section(note) == "PRIMARY:\n- Acute appendicitis"
    assert discharge_diagnoses(note) == ["Acute appendicitis"]
    assert discharge_diagnosis_section("Chief Complaint:\npain\n") is None


@pytest.mark.parametrize(
    ("exam", "expected"),
    [
        ("Abd tender\nUPON DISCHARGE:\nAbd soft", "Abd tender"),
        ("Abd tender\nOn discharge, abd soft", "Abd tender"),
        ("Abd tender\n\nExam prior to discharge:\nAbd soft", "Abd tender\n\nExam prior to"),
        ("Abd tender\nAT\nDISCHARGE: soft", "Abd tender"),
        ("Skin: no discharge from the umbilicus\nAbd tender", "Skin: no"),  # CDMv1 cuts here too
    ],
)
def test_exam_is_cut_at_the_first_discharge(exam: str, expected: str) -> None:
    assert extract_physical_exam(f"Physical Exam:\n{exam}\n \nPertinent Results:\nnone") == expected


@pytest.mark.parametrize(
    ("exam", "expected"),
    [
        ("Abd tender. upon \n\n  discharge soft", "Abd tender."),  # any run of blanks between the word and it
        ("Abd tender, coupon discharge", "Abd tender, coupon"),  # "on" inside a word does not count
        ("Abd tender_on discharge", "Abd tender_on"),
        ("Abd tender\n-on discharge", "Abd tender\n-"),
        ("on discharge: soft", None),  # the word at the very start of the section
    ],
)
def test_the_word_before_discharge_is_cut_only_when_it_is_a_word(exam: str, expected: str | None) -> None:
    assert extract_physical_exam(f"Physical Exam:{exam}\n \nPertinent Results:\nnone") == expected


def test_headers_on_the_first_line_and_after_blank_lines_are_found() -> None:
    assert extract_section("Chief Complaint: pain\nAllergies:\nnone", "Chief Complaint") == "pain"
    assert extract_section("  chief   complaint :pain", "Chief Complaint") == "pain"
    note = "Discharge Diagnosis:\nappendicitis\nDischarge Condition:\ngood"
    assert discharge_diagnosis_section(note) == "appendicitis"  # the only (first-line) header is the last one
    assert extract_history("History of Present Illness:\nRLQ pain\n\n\tPhysical Exam:\nsoft") == "RLQ pain"
    # a header word in the middle of a line is not a header
    assert extract_history("History of Present Illness:\nno Physical Exam: done\nPhysical Exam:\nsoft") == (
        "no Physical Exam: done"
    )


def test_radiology_headers_at_the_start_and_after_a_preamble() -> None:
    assert clean_radiology_report("HISTORY: pain\nFINDINGS: normal") == "FINDINGS: normal"
    assert clean_radiology_report("preamble\nINDICATION: pain\n  FINDINGS: normal") == "preamble\n\nFINDINGS: normal"


def test_a_report_with_only_header_lines_left_is_empty() -> None:
    # CDMv1 (dataset/radiology.py) blanks a report none of whose kept sections has text
    assert clean_radiology_report("FINDINGS:\nIMPRESSION: Dilated appendix.") == ""
    assert clean_radiology_report("EXAMINATION:\nTECHNIQUE:  \nINDICATION: pain") == ""
    assert clean_radiology_report("FINDINGS:\nTECHNIQUE: Axial images.") == "FINDINGS:\n\nTECHNIQUE: Axial images."
