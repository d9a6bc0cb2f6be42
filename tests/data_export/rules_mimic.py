"""A hand-made, fully synthetic data set in MIMIC-IV's layout with one admission per CDMv1 rule.

Every admission is a complete appendicitis case except for the one thing its rule is about (``ADMISSIONS``
says what). Names, dates and values are invented; the file layout is MIMIC-IV v3.1's (``mini_mimic.COLUMNS``).
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from pathlib import Path

from tests.data_export.mini_mimic import COLUMNS

HPI = "Ms. ___ is a 30 year old woman with one day of periumbilical pain moving to the right lower quadrant."
PMH = "Asthma"
EXAM = "Vitals: T 38.1 HR 96 BP 122/76\nAbdomen: tender at McBurney's point with guarding."
DISCHARGE_EXAM = "DISCHARGE PHYSICAL EXAM:\nAbdomen: soft"
DX = "PRIMARY DIAGNOSIS:\n- Acute appendicitis\n\nSECONDARY DIAGNOSIS:\n- Asthma"
REPORT = "EXAMINATION: CT ABD AND PELVIS\n\nINDICATION: RLQ pain\n\nFINDINGS:\nThe appendix is dilated.\n"
EMPTY_REPORT = "INDICATION: RLQ pain\n\nCOMPARISON: None.\n\nIMPRESSION: Wet read only.\n"
TITLES = {
    "K3580": "Unspecified acute appendicitis",
    "K810": "Acute cholecystitis",
    "K859": "Acute pancreatitis, unspecified",
    "R109": "Unspecified abdominal pain",
    "J45909": "Unspecified asthma, uncomplicated",
}
WBC, CRP, PROTEIN = 51301, 50889, 51492


@dataclass
class Adm:
    """One admission of the data set (defaults: a complete appendicitis case)."""

    hadm_id: int
    codes: list[str] = field(default_factory=lambda: ["K3580"])
    hpi: str = HPI
    pmh: str = PMH
    exam: str = f"{EXAM}\n{DISCHARGE_EXAM}"
    dx: str = DX
    history_header: str = "History of Present Illness:"
    dx_header: str = "Discharge Diagnosis:"
    extra_sections: str = ""
    note: bool = True
    # (itemid, hour, value, valuenum, valueuom) on 2150-01-02
    labs: list[tuple] = field(default_factory=lambda: [(WBC, 10, "14.2", 14.2, "K/uL")])
    # (microevent_id offset, hour or None, test_itemid, org_itemid, org_name, comments)
    micro: list[tuple] = field(default_factory=list)
    # (note number, exam_name or None, text, parent note number or None)
    reports: list[tuple] = field(default_factory=lambda: [(1, "CT ABD & PELVIS WITH CONTRAST", REPORT, None)])

    def note_text(self) -> str:
        return (
            "Name: ___  Unit No: ___\n\nChief Complaint:\nAbdominal pain\n\n"
            "Major Surgical or Invasive Procedure:\nLaparoscopic appendectomy\n\n"
            f"{self.history_header}\n{self.hpi}\n\nPast Medical History:\n{self.pmh}\n\nSocial History:\n___\n\n"
            f"Family History:\nNon-contributory\n\nPhysical Exam:\n{self.exam}\n\nPertinent Results:\nWBC 14.2\n\n"
            f"Brief Hospital Course:\nUncomplicated.\n\n{self.extra_sections}"
            f"{self.dx_header}\n{self.dx}\n\nDischarge Condition:\nGood\n"
        )


ADMISSIONS: list[Adm] = [
    Adm(31000001, codes=["R109", "K3580"]),  # the pathology only at seq_num 2: in the cohort
    Adm(31000002, codes=["R109", "J45909"]),  # no cohort title: not_in_cohort
    Adm(26769588),  # one of CDMv1's manual exclusions
    Adm(31000004, pmh="Asthma\nPSH: s/p appendectomy as a child"),  # history_names_disease (past history)
    Adm(
        31000005,
        codes=["K810"],
        hpi=HPI.replace("periumbilical", "right upper quadrant"),
        pmh="s/p appendectomy",
        dx="Acute cholecystitis",
    ),  # another pathology's name in the history: kept
    Adm(31000006, exam="Abd: soft, tender\n" + DISCHARGE_EXAM),  # short_exam
    Adm(31000007, exam=f"{EXAM}\nConcern for periappendicitis.\nUPON DISCHARGE:\nAbdomen: soft"),
    Adm(31000008, dx="Small bowel obstruction\nSecondary:\nAcute appendicitis"),  # not_primary_diagnosis
    Adm(31000009, dx="Sepsis secondary to acute appendicitis\nHypertension"),  # "secondary to" is no heading
    Adm(31000010, dx="1. Sepsis\n2. Acute appendicitis"),  # not_first_diagnosis
    Adm(31000011, codes=["K810", "K859"], dx="Primary:\n* Gallstone pancreatitis, mild\n* Acute cholecystitis"),
    Adm(
        31000012,
        history_header="___ of Present Illness:",
        dx_header="___ Diagnosis:",
        extra_sections="Discharge Diagnosis:\nAbdominal pain\n\nDischarge Disposition:\nHome\n\n",
    ),
    Adm(31000013, history_header="History of Presenting Illness:"),
    Adm(
        31000014,
        labs=[
            (WBC, 9, "___", None, "K/uL"),
            (WBC, 10, "12.0", 12.0, "K/uL"),
            (CRP, 9, None, None, None),
            (CRP, 11, "8", 8.0, "mg/L"),
            (PROTEIN, 10, "NEG", None, "mg/dL"),
        ],
    ),
    Adm(31000015, labs=[(WBC, 9, "___", None, "K/uL"), (CRP, 9, None, None, None)]),  # no_labs
    Adm(
        31000016,
        micro=[
            (1, 10, 90039, 90760, "CANCELLED", "Test cancelled."),
            (2, 11, 90201, 80002, "ESCHERICHIA COLI", None),
            (3, 11, 90201, 80004, "KLEBSIELLA PNEUMONIAE", None),
            (4, 11, 90201, 80002, "ESCHERICHIA COLI", None),
            (5, 15, 90201, None, None, "NO GROWTH."),
            (6, None, 90267, None, None, "NO GROWTH."),
            (7, 12, 90039, None, None, "NO GROWTH."),
        ],
    ),
    Adm(
        31000017,
        reports=[
            (1, "CT ABD & PELVIS WITH CONTRAST", EMPTY_REPORT, None),
            (2, "CHEST (PA & LAT)", "FINDINGS: Clear lungs.\n", None),
            (3, "CT ABDOMEN W/CONTRAST", "FINDINGS:\n\nIMPRESSION: Dilated appendix.\n", None),  # headers only
        ],
    ),  # no_abdominal_imaging
    Adm(
        31000018,
        reports=[
            (1, "CT ABD & PELVIS WITH CONTRAST", REPORT, None),
            (2, None, "ADDENDUM: Discussed with Dr. ___.\n", 1),
            (3, None, REPORT, None),
        ],
    ),
    Adm(31000019, note=False),  # no discharge note: no_history
    Adm(31000020, dx="Sepsis secondary to acute appendicitis\nsecondary\nHypertension"),  # cut at "sepsis "
    Adm(31000021, dx="PERFORATED VISCUS AND ACUTE APPENDICITIS"),  # CDMv1 cuts at lower-case "and" only: kept
]
"""The admissions, in hadm_id order of the checks in test_cdmv1_rules.py."""


def _rows() -> dict[str, list[list[object]]]:
    rows: dict[str, list[list[object]]] = {name: [] for name in COLUMNS}
    for i, a in enumerate(ADMISSIONS):
        sid, h = 11000000 + i, a.hadm_id
        rows["hosp/patients"].append([sid, "F", 30, 2150, "2017 - 2019", ""])
        rows["hosp/admissions"].append(
            [
                sid,
                h,
                "2150-01-02 08:00:00",
                "2150-01-04 12:00:00",
                "",
                "EW EMER.",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                0,
            ]
        )
        rows["hosp/transfers"].append([sid, h, 100 + i, "admit", "Surgery", "2150-01-02 08:00:00", ""])
        rows["hosp/diagnoses_icd"] += [[sid, h, n, code, 10] for n, code in enumerate(a.codes, start=1)]
        for n, (itemid, hour, value, num, uom) in enumerate(a.labs):
            rows["hosp/labevents"].append(
                [
                    i * 100 + n + 1,
                    sid,
                    h,
                    i,
                    itemid,
                    "",
                    f"2150-01-02 {hour:02d}:00:00",
                    "",
                    value or "",
                    "" if num is None else num,
                    uom or "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
        for off, hour, test, org_itemid, org, comments in a.micro:
            when = "" if hour is None else f"2150-01-02 {hour:02d}:00:00"
            name = {90039: "URINE CULTURE", 90201: "Blood Culture, Routine", 90267: "Stool Culture"}[test]
            rows["hosp/microbiologyevents"].append(
                [
                    i * 100 + off,
                    sid,
                    h,
                    i,
                    "",
                    "2150-01-02 00:00:00",
                    when,
                    1,
                    "SPECIMEN",
                    1,
                    "",
                    "",
                    test,
                    name,
                    org_itemid or "",
                    org or "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    comments or "",
                ]
            )
        if a.note:
            rows["note/discharge"].append([f"{sid}-DS-1", sid, h, "DS", 1, "2150-01-04 00:00:00", "", a.note_text()])
        for n, exam, text, parent in a.reports:
            note_id = f"{sid}-RR-{n}"
            rows["note/radiology"].append(
                [note_id, sid, h, "RR" if parent is None else "AR", n, f"2150-01-02 {10 + n:02d}:00:00", "", text]
            )
            if exam is not None:
                rows["note/radiology_detail"].append([note_id, sid, "exam_name", exam, 1])
            if parent is not None:
                rows["note/radiology_detail"].append([note_id, sid, "parent_note_id", f"{sid}-RR-{parent}", 1])
    rows["hosp/d_icd_diagnoses"] = [[code, 10, title] for code, title in TITLES.items()]
    rows["hosp/d_labitems"] = [
        [WBC, "White Blood Cells", "Blood", "Hematology"],
        [CRP, "C-Reactive Protein", "Blood", "Chemistry"],
        [PROTEIN, "Protein", "Urine", "Hematology"],
    ]
    return rows


def write_rules_mimic(root: Path, note_root: Path | None = None) -> Path:
    """Write the data set: hosp/ under ``root``, note/ under ``note_root`` (default ``root``); return ``root``."""
    for name, rows in _rows().items():
        base = note_root if note_root is not None and name.startswith("note/") else root
        path = base / f"{name}.csv.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS[name])
            writer.writerows(rows)
    return root
