"""Radiology events of one admission: which exams, when, and their note/radiology and radiology_detail rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from cdmbench.data_export.synthetic.catalog import EXAMS, Exam, exam
from cdmbench.data_export.synthetic.radiology import (
    addendum_sections,
    empty_report_sections,
    kept_text,
    report_sections,
)
from cdmbench.data_export.synthetic.truth import ReportEvent

__all__ = ["PlannedReport", "plan_imaging", "plan_reports", "radiology_rows"]


def _ts(value: datetime | None) -> str:
    return str(value) if value else ""


# probability of CT / US / X-ray per pathology (MIMIC-CDM)
_AVAILABILITY = {
    "appendicitis": (0.94, 0.24, 0.18),
    "cholecystitis": (0.42, 0.87, 0.50),
    "diverticulitis": (0.91, 0.19, 0.50),
    "pancreatitis": (0.51, 0.73, 0.59),
    None: (0.75, 0.35, 0.35),
}
_CT = ["CT ABD & PELVIS WITH CONTRAST"] * 15 + ["CT ABD & PELVIS W/O CONTRAST"] * 3 + ["CT ABDOMEN W/CONTRAST"] * 2
_CT += ["CTA ABD & PELVIS"]
_US = {
    "appendicitis": ["APPENDIX US", "APPENDIX US", "ABDOMEN US (COMPLETE STUDY)"],
    "cholecystitis": [
        "LIVER OR GALLBLADDER US (SINGLE ORGAN)",
        "US ABD LIMIT, SINGLE ORGAN",
        "ABDOMEN US (COMPLETE STUDY)",
    ],
    "pancreatitis": ["LIVER OR GALLBLADDER US (SINGLE ORGAN)", "ABDOMEN US (COMPLETE STUDY)", "DUPLEX DOPP ABD/PEL"],
    "diverticulitis": ["ABDOMEN US (COMPLETE STUDY)", "US ABD LIMIT, SINGLE ORGAN"],
    None: ["ABDOMEN US (COMPLETE STUDY)", "US ABD LIMIT, SINGLE ORGAN", "LIVER OR GALLBLADDER US (SINGLE ORGAN)"],
}
_EXTRAS = {
    "cholecystitis": [("HEPATOBILIARY SCAN (HIDA)", 0.1), ("MRCP (MR ABDOMEN W/O & W/CONTRAST)", 0.08)],
    "pancreatitis": [("MRCP (MR ABDOMEN W/O & W/CONTRAST)", 0.15), ("EUS (ENDOSCOPIC ULTRASOUND)", 0.04),
                     ("ERCP BILIARY&PANCREAS BY GI UNIT", 0.06), ("MR ABDOMEN W/O & W/CONTRAST", 0.03)],
    "diverticulitis": [("MR ABDOMEN W/O & W/CONTRAST", 0.02)],
}  # fmt: skip
_NON_ABDOMINAL = [e.name for e in EXAMS if e.region not in ("Abdomen",)]


@dataclass
class PlannedReport:
    """A report to write: exam, when, hadm_id (None for NULL), and whether its findings show the disease."""

    exam: Exam
    when: datetime
    hadm_id: int | None
    focus: bool
    empty: bool = False  # only sections the export drops (empty after cleaning)


def plan_imaging(
    rng: Random, pathology: str | None, female: bool, abdominal: bool, start: datetime, end: datetime
) -> list[tuple[str, datetime]]:
    """Exams of an admission: the pathology's modality mix, at least one abdominal exam when ``abdominal``.

    With ``abdominal`` False only non-abdominal exams are planned (the ``no_abdominal_imaging`` distractor).
    """
    span = max(1.0, (end - start).total_seconds() / 3600 - 2)
    names: list[str] = []
    ct, us, xr = _AVAILABILITY[pathology]
    if abdominal:
        if rng.random() < ct:
            names.append(rng.choice(_CT))
        if rng.random() < us:
            names.append(rng.choice(_US[pathology]))
        if not names:
            names.append(
                rng.choice(_CT) if pathology in ("appendicitis", "diverticulitis", None) else _US[pathology][0]
            )
        if female and pathology in ("appendicitis", None) and rng.random() < 0.08:
            names.append("PELVIS U.S., TRANSVAGINAL")
        for name, p in _EXTRAS.get(pathology, []):
            if rng.random() < p:
                names.append(name)
    if rng.random() < xr:
        names.append(rng.choice(["CHEST (PA & LAT)", "CHEST (PORTABLE AP)", "CHEST (PA & LAT)"])
                     if not abdominal or rng.random() < 0.7 else "ABDOMEN (SUPINE & ERECT)")  # fmt: skip
    if rng.random() < 0.08 or not abdominal:
        names.append(rng.choice(_NON_ABDOMINAL))
    names = [n for n in names if abdominal or exam(n).region != "Abdomen"]
    if not names:
        names.append("CHEST (PA & LAT)")
    times: list[datetime] = []
    for i, _ in enumerate(names):
        hours = rng.uniform(0.5, 4.0) if i == 0 else rng.uniform(1.0, span)
        when = (start + timedelta(hours=hours)).replace(second=0, microsecond=0)
        while when in times:
            when += timedelta(minutes=7)
        times.append(when)
    return list(zip(names, times, strict=True))


def plan_reports(
    rng: Random,
    img_path: str | None,
    female: bool,
    abdominal: bool,
    hid: int,
    edreg: datetime | None,
    admit: datetime,
    first_in: datetime,
    disch: datetime,
    window_start: datetime,
) -> list[PlannedReport]:
    """The reports of an admission: ``plan_imaging``'s exams plus the quirks (an ED study with NULL hadm_id, an
    unclassifiable outside film, a report empty after cleaning, prior imaging outside the window)."""
    planned = [
        PlannedReport(exam(name), when, hid, exam(name).region == "Abdomen" and img_path is not None)
        for name, when in plan_imaging(rng, img_path, female, abdominal, first_in, disch)
    ]
    if edreg and rng.random() < 0.12 and planned[0].exam.region == "Abdomen":
        planned[0].hadm_id = None  # done in the ED before admission: NULL hadm_id, inside the window
        planned[0].when = min(planned[0].when, admit - timedelta(minutes=20))
    if rng.random() < 0.05:
        planned.append(
            PlannedReport(exam("OUTSIDE FILMS READ ONLY"), first_in + timedelta(hours=1, minutes=3), hid, False)
        )
    if not abdominal and rng.random() < 0.4:  # an abdominal report empty after cleaning does not count
        name = rng.choice(["CT ABD & PELVIS WITH CONTRAST", "ABDOMEN US (COMPLETE STUDY)"])
        planned.append(PlannedReport(exam(name), first_in + timedelta(hours=2), hid, False, empty=True))
    elif rng.random() < 0.02:  # a wet read without findings: the export drops the report
        planned.append(
            PlannedReport(exam("CT ABD & PELVIS WITH CONTRAST"), first_in + timedelta(hours=3), hid, False, empty=True)
        )
    if rng.random() < (0.3 if not abdominal else 0.1):  # prior abdominal imaging: outside the window
        before = window_start - timedelta(days=rng.randint(30, 900))
        planned.append(PlannedReport(exam("ABDOMEN US (COMPLETE STUDY)"), before, None, False))
    return planned


def radiology_rows(
    rng: Random,
    subject_id: int,
    planned: list[PlannedReport],
    presentation: str,
    age: int,
    female: bool,
    first_seq: int,
) -> tuple[list[tuple], list[tuple], list[ReportEvent]]:
    """note/radiology rows, radiology_detail rows and truth records, numbered in chart order.

    About 3% of the reports with findings get an addendum: a later note whose radiology_detail has no exam_name,
    only a parent_note_id (the export takes the parent's exam name).
    """
    notes: list[tuple] = []
    details: list[tuple] = []
    events: list[ReportEvent] = []
    taken: set[datetime] = set()

    def slot(when: datetime) -> datetime:  # one report per minute: no ties in chart order
        while when in taken:
            when += timedelta(minutes=1)
        taken.add(when)
        return when

    entries: list[tuple[datetime, PlannedReport, list[str], int | None]] = []  # (time, report, sections, parent)
    for rep in sorted(planned, key=lambda r: r.when):
        rep.when = slot(rep.when)
        if rep.empty:
            sections = empty_report_sections(rng, presentation, age, female)
        else:
            sections = report_sections(rng, rep.exam, presentation, age, female, rep.focus)
        entries.append((rep.when, rep, sections, None))
        if kept_text(sections) and rep.exam.modality and rng.random() < 0.03:
            later = slot(rep.when + timedelta(hours=rng.randint(1, 6), minutes=rng.randint(0, 59)))
            entries.append((later, rep, addendum_sections(rng), len(entries) - 1))
    order = sorted(range(len(entries)), key=lambda i: entries[i][0])
    note_ids = {i: f"{subject_id}-RR-{seq}" for seq, i in enumerate(order, start=first_seq)}
    for i in order:
        when, rep, sections, parent = entries[i]
        note_id = note_ids[i]
        store = when + timedelta(hours=rng.randint(1, 8), minutes=rng.randint(0, 59))
        seq = int(note_id.rsplit("-", 1)[1])
        note_type = "RR" if parent is None else "AR"
        notes.append(
            (note_id, subject_id, rep.hadm_id, note_type, seq, _ts(when), _ts(store), "\n\n".join(sections) + "\n")
        )
        if parent is not None:
            details.append((note_id, subject_id, "parent_note_id", note_ids[parent], 1))
        else:
            details.append((note_id, subject_id, "exam_name", rep.exam.name, 1))
            if rng.random() < 0.6:
                details.append((note_id, subject_id, "exam_code", rep.exam.exam_code, 1))
            if rep.exam.cpt_code and rng.random() < 0.5:
                details.append((note_id, subject_id, "cpt_code", rep.exam.cpt_code, 1))
        events.append(
            ReportEvent(note_id, rep.hadm_id, when, rep.exam.name, rep.exam.modality, rep.exam.region,
                        kept_text(sections))
        )  # fmt: skip
    return notes, details, events
