"""A tiny hand-made, fully synthetic data set in MIMIC-IV's v3.1 file layout (hosp/, note/ csv.gz).

Three admissions: 20000001 (acute appendicitis, a complete case), 20000002 (acute cholecystitis whose HPI names
the disease: excluded as ``history_names_disease``) and 20000003 (pancreatitis only as a later diagnosis, and no
discharge note: ``no_history``). Every name, date and value is invented.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

COLUMNS: dict[str, list[str]] = {
    "hosp/patients": ["subject_id", "gender", "anchor_age", "anchor_year", "anchor_year_group", "dod"],
    "hosp/admissions": [
        "subject_id", "hadm_id", "admittime", "dischtime", "deathtime", "admission_type", "admit_provider_id",
        "admission_location", "discharge_location", "insurance", "language", "marital_status", "race", "edregtime",
        "edouttime", "hospital_expire_flag",
    ],
    "hosp/transfers": ["subject_id", "hadm_id", "transfer_id", "eventtype", "careunit", "intime", "outtime"],
    "hosp/diagnoses_icd": ["subject_id", "hadm_id", "seq_num", "icd_code", "icd_version"],
    "hosp/d_icd_diagnoses": ["icd_code", "icd_version", "long_title"],
    "hosp/procedures_icd": ["subject_id", "hadm_id", "seq_num", "chartdate", "icd_code", "icd_version"],
    "hosp/d_icd_procedures": ["icd_code", "icd_version", "long_title"],
    "hosp/labevents": [
        "labevent_id", "subject_id", "hadm_id", "specimen_id", "itemid", "order_provider_id", "charttime",
        "storetime", "value", "valuenum", "valueuom", "ref_range_lower", "ref_range_upper", "flag", "priority",
        "comments",
    ],
    "hosp/d_labitems": ["itemid", "label", "fluid", "category"],
    "hosp/microbiologyevents": [
        "microevent_id", "subject_id", "hadm_id", "micro_specimen_id", "order_provider_id", "chartdate", "charttime",
        "spec_itemid", "spec_type_desc", "test_seq", "storedate", "storetime", "test_itemid", "test_name",
        "org_itemid", "org_name", "isolate_num", "quantity", "ab_itemid", "ab_name", "dilution_text",
        "dilution_comparison", "dilution_value", "interpretation", "comments",
    ],
    "note/discharge": ["note_id", "subject_id", "hadm_id", "note_type", "note_seq", "charttime", "storetime", "text"],
    "note/radiology": ["note_id", "subject_id", "hadm_id", "note_type", "note_seq", "charttime", "storetime", "text"],
    "note/radiology_detail": ["note_id", "subject_id", "field_name", "field_value", "field_ordinal"],
}  # fmt: skip

APPENDICITIS_NOTE = """Name: ___  Unit No: ___

Chief Complaint:
Abdominal pain

Major Surgical or Invasive Procedure:
Laparoscopic appendectomy

History of Present Illness:
Ms. ___ is a 34 year old woman with one day of periumbilical pain
that moved to the right lower quadrant, with nausea and anorexia.

Past Medical History:
Asthma

Social History:
___

Family History:
Non-contributory

Physical Exam:
ADMISSION PHYSICAL EXAM:
Vitals: T 38.1 HR 96 BP 122/76
Abdomen: tender at McBurney's point, guarding; appendicitis suspected clinically.
DISCHARGE PHYSICAL EXAM:
Abdomen: soft, incisions clean

Pertinent Results:
WBC 14.2

Brief Hospital Course:
Uncomplicated course.

Discharge Diagnosis:
PRIMARY DIAGNOSIS:
- Acute appendicitis

Discharge Condition:
Good
"""

CHOLECYSTITIS_NOTE = APPENDICITIS_NOTE.replace(
    "with one day of periumbilical pain", "with known cholecystitis and right upper quadrant pain"
)

RADIOLOGY_TEXT = """EXAMINATION:  CT ABD AND PELVIS WITH CONTRAST

INDICATION:  RLQ pain, evaluate for appendicitis

TECHNIQUE:  Axial images of the abdomen and pelvis with contrast.

FINDINGS:
The appendix is dilated to 11 mm with periappendiceal fat stranding.

IMPRESSION:
Acute appendicitis.
"""


def _rows() -> dict[str, list[list[object]]]:
    a, b, c = 20000001, 20000002, 20000003
    return {
        "hosp/patients": [[10000001, "F", 33, 2150, "2017 - 2019", ""], [10000002, "M", 60, 2140, "2014 - 2016", ""],
                          [10000003, "M", 50, 2160, "2017 - 2019", ""]],
        "hosp/admissions": [
            [10000001, a, "2151-03-02 09:00:00", "2151-03-05 12:00:00", "", "EW EMER.", "P1", "EMERGENCY ROOM",
             "HOME", "Other", "English", "SINGLE", "WHITE", "", "", 0],
            [10000002, b, "2141-05-01 10:00:00", "2141-05-04 10:00:00", "", "URGENT", "", "", "", "", "", "", "",
             "", "", 0],
            [10000003, c, "2160-07-01 10:00:00", "2160-07-03 10:00:00", "", "URGENT", "", "", "", "", "", "", "",
             "", "", 0],
        ],
        "hosp/transfers": [[10000001, a, 1, "ED", "Emergency Department", "2151-03-02 08:00:00", "2151-03-02 11:00:00"],
                           [10000001, a, 2, "admit", "Surgery", "2151-03-02 11:00:00", "2151-03-05 12:00:00"],
                           [10000002, b, 3, "admit", "Surgery", "2141-05-01 10:00:00", ""]],
        "hosp/diagnoses_icd": [[10000001, a, 1, "K3580", 10], [10000001, a, 2, "J45909", 10],
                               [10000002, b, 1, "K810", 10], [10000003, c, 1, "R109", 10],
                               [10000003, c, 2, "K859", 10]],
        "hosp/d_icd_diagnoses": [["K3580", 10, "Unspecified acute appendicitis"],
                                 ["J45909", 10, "Unspecified asthma, uncomplicated"],
                                 ["K810", 10, "Acute cholecystitis"], ["R109", 10, "Unspecified abdominal pain"],
                                 ["K859", 10, "Acute pancreatitis, unspecified"]],
        "hosp/procedures_icd": [[10000001, a, 1, "2151-03-03", "0DTJ4ZZ", 10]],
        "hosp/d_icd_procedures": [["0DTJ4ZZ", 10, "Resection of Appendix, Percutaneous Endoscopic Approach"]],
        "hosp/labevents": [
            # hadm_id NULL, one day before the first transfer: inside the window
            [1, 10000001, "", 501, 51301, "", "2151-03-01 09:00:00", "", "13.1", 13.1, "K/uL", 4.0, 11.0, "abnormal",
             "STAT", ""],
            # hadm_id NULL, two days before: outside the window
            [2, 10000001, "", 502, 50931, "", "2151-02-28 07:00:00", "", "99", 99, "mg/dL", 70, 100, "", "", ""],
            [3, 10000001, a, 503, 51301, "", "2151-03-02 10:00:00", "", "14.2", 14.2, "K/uL", 4.0, 11.0, "abnormal",
             "STAT", ""],
            [4, 10000001, a, 503, 50889, "", "2151-03-02 10:00:00", "", "", "", "", "", "", "", "", "12"],
            [5, 10000001, a, 504, 51221, "", "2151-03-02 10:00:00", "", "38", 38, "", 36, 48, "", "", ""],
            [6, 10000002, b, 505, 51301, "", "2141-05-01 11:00:00", "", "9.0", 9, "K/uL", 4, 11, "", "", ""],
        ],
        "hosp/d_labitems": [[51301, "White Blood Cells", "Blood", "Hematology"],
                            [50889, "C-Reactive Protein", "Blood", "Chemistry"],
                            [51221, "Hematocrit", "Blood", "Hematology"], [50931, "Glucose", "Blood", "Chemistry"]],
        "hosp/microbiologyevents": [
            [1, 10000001, a, 900, "", "2151-03-02 00:00:00", "2151-03-02 10:30:00", 70012, "BLOOD CULTURE", 1, "", "",
             90201, "Blood Culture, Routine", "", "", "", "", "", "", "", "", "", "", "No growth."],
            [2, 10000001, a, 900, "", "2151-03-02 00:00:00", "2151-03-02 10:30:00", 70012, "BLOOD CULTURE", 1, "", "",
             90201, "Blood Culture, Routine", "", "", "", "", "", "", "", "", "", "", "duplicate row"],
            [3, 10000001, a, 901, "", "2151-03-02 00:00:00", "", 70079, "URINE", 1, "", "", 90039, "URINE CULTURE",
             "", "", "", "", "", "", "", "", "", "", "Test cancelled by laboratory."],
        ],
        "note/discharge": [["10000001-DS-1", 10000001, a, "DS", 1, "2151-03-05 00:00:00", "", APPENDICITIS_NOTE],
                           ["10000002-DS-2", 10000002, b, "DS", 2, "2141-05-04 00:00:00", "", CHOLECYSTITIS_NOTE]],
        "note/radiology": [["10000001-RR-1", 10000001, a, "RR", 1, "2151-03-02 12:00:00", "", RADIOLOGY_TEXT]],
        "note/radiology_detail": [["10000001-RR-1", 10000001, "exam_name", "CT ABD & PELVIS WITH CONTRAST", 1],
                                  ["10000001-RR-1", 10000001, "exam_code", "CTAP", 1]],
    }  # fmt: skip


def write_mini_mimic(root: Path, *, synthetic: bool = True, gzipped: bool = True) -> Path:
    """Write the data set under ``root`` (hosp/, note/, and SYNTHETIC when ``synthetic``) and return ``root``."""
    for name, rows in _rows().items():
        path = root / f"{name}.csv{'.gz' if gzipped else ''}"
        path.parent.mkdir(parents=True, exist_ok=True)
        opener = gzip.open if gzipped else open
        with opener(path, "wt", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS[name])
            writer.writerows(rows)
    if synthetic:
        (root / "SYNTHETIC").write_text(json.dumps({"generator": "tests.mini_mimic"}) + "\n", encoding="utf-8")
    return root


def row_counts() -> dict[str, int]:
    """Rows per qualified table name."""
    schemas = {"hosp": "mimiciv_hosp", "note": "mimiciv_note"}
    return {f"{schemas[k.split('/')[0]]}.{k.split('/')[1]}": len(v) for k, v in _rows().items()}
