"""The export rules (docs/export-rules.md) applied to the generator's own parts, giving truth.json's cases.

Nothing here reads the written files: labs, microbiology and reports come from the in-memory events the
generator made, texts from the pieces it assembled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from cdmbench.data_export.rules import DISEASE_NAMES
from cdmbench.data_export.synthetic.labs import LabEvent

__all__ = [
    "MicroEvent",
    "ReportEvent",
    "Window",
    "abdominal_kept",
    "case_defect",
    "first_labs",
    "lab_value",
    "mask",
    "microbiology",
    "radiology",
]


@dataclass(frozen=True)
class Window:
    """An admission's event window: its own hadm_id, or NULL hadm_id within [first intime - 1 day, last intime]."""

    hadm_id: int
    start: datetime
    end: datetime

    @classmethod
    def from_transfers(cls, hadm_id: int, intimes: list[datetime]) -> Window:
        return cls(hadm_id, min(intimes) - timedelta(days=1), max(intimes))

    def counts(self, hadm_id: int | None, when: datetime) -> bool:
        """True when an event of this subject belongs to the admission."""
        if hadm_id is not None:
            return hadm_id == self.hadm_id
        return self.start <= when <= self.end


@dataclass(slots=True)
class MicroEvent:
    """One microbiologyevents row (the truth needs only these fields)."""

    microevent_id: int
    hadm_id: int | None
    micro_specimen_id: int
    charttime: datetime | None  # None: only a chartdate (the export drops the row)
    test_itemid: int
    test_name: str
    spec_type_desc: str
    org_name: str | None  # "CANCELLED" for a cancelled test
    comments: str | None


@dataclass(slots=True)
class ReportEvent:
    """One radiology report with its exam classification and cleaned text."""

    note_id: str
    hadm_id: int | None
    charttime: datetime
    exam_name: str
    modality: str | None
    region: str | None
    kept_text: str


def mask(text: str, pathology: str) -> str:
    """Replace each disease name of ``pathology`` (CDMv1's list, longest first) anywhere in ``text`` with ``___``."""
    for name in sorted(DISEASE_NAMES[pathology], key=len, reverse=True):
        text = re.sub(re.escape(name), "___", text, flags=re.IGNORECASE)
    return text


def lab_value(ev: LabEvent) -> str | None:
    """The export's lab value: '<valuenum> <unit>', else '<value> <unit>' (not '___'), else flag, else comments."""
    unit = f" {ev.valueuom}" if ev.valueuom else ""
    if ev.valuenum is not None:
        return repr(float(ev.valuenum)) + unit
    if ev.value and ev.value != "___":
        return ev.value + unit
    return ev.flag or ev.comments or None


def first_labs(events: list[LabEvent], window: Window, labels: dict[int, tuple[str, str, str]]) -> list[dict]:
    """First usable value per itemid (earliest charttime, then lowest labevent_id; a value that is None or
    '___' does not count), ordered by charttime then itemid."""
    first: dict[int, LabEvent] = {}
    for ev in events:
        if not window.counts(ev.hadm_id, ev.charttime) or lab_value(ev) in (None, "___"):
            continue
        seen = first.get(ev.itemid)
        if seen is None or (ev.charttime, ev.labevent_id) < (seen.charttime, seen.labevent_id):
            first[ev.itemid] = ev
    ordered = sorted(first.values(), key=lambda e: (e.charttime, e.itemid))
    out = []
    for i, ev in enumerate(ordered):
        label, fluid, category = labels[ev.itemid]
        out.append(
            {
                "itemid": ev.itemid,
                "test_name": label,
                "fluid": fluid,
                "category": category,
                "value": lab_value(ev),
                "ref_range_lower": ev.ref_range_lower,
                "ref_range_upper": ev.ref_range_upper,
                "charttime": ev.charttime.isoformat(),
                "sequence_num": i,
            }
        )
    return out


def microbiology(events: list[MicroEvent], window: Window) -> list[dict]:
    """One result per test: cancelled rows and rows without charttime or value dropped; the rows at the test's
    earliest charttime give the result: the first row's comment when it has no organism, else the organisms."""
    by_test: dict[int, list[MicroEvent]] = {}
    for ev in sorted(events, key=lambda e: e.microevent_id):
        if ev.charttime is None or ev.org_name == "CANCELLED" or (ev.org_name or ev.comments) in (None, "___"):
            continue
        if window.counts(ev.hadm_id, ev.charttime):
            by_test.setdefault(ev.test_itemid, []).append(ev)
    results = []
    for test_itemid, rows in by_test.items():
        earliest = min(ev.charttime for ev in rows)  # type: ignore[type-var]
        group = [ev for ev in rows if ev.charttime == earliest]
        first = group[0]
        organisms = list(dict.fromkeys(ev.org_name for ev in group if ev.org_name))
        results.append((earliest, test_itemid, first, ", ".join(organisms) if first.org_name else None))
    results.sort(key=lambda r: (r[0], r[1]))
    return [
        {
            "test_itemid": test_itemid,
            "test_name": first.test_name,
            "spec_type_desc": first.spec_type_desc,
            "organism_name": organisms,
            "comments": first.comments,
            "charttime": when.isoformat(),
            "sequence_num": i,
        }
        for i, (when, test_itemid, first, organisms) in enumerate(results)
    ]


def abdominal_kept(reports: list[ReportEvent], window: Window) -> bool:
    """True when a report of the admission is abdominal, classified, and keeps text after cleaning."""
    return any(
        window.counts(r.hadm_id, r.charttime) and r.modality and r.region == "Abdomen" and r.kept_text.strip()
        for r in reports
    )


def radiology(reports: list[ReportEvent], window: Window, pathology: str) -> list[dict]:
    """Classified reports with non-empty cleaned text, masked, ordered by charttime then note_id."""
    kept = [
        r for r in reports if window.counts(r.hadm_id, r.charttime) and r.modality and r.region and r.kept_text.strip()
    ]
    kept.sort(key=lambda r: (r.charttime, r.note_id))
    return [
        {
            "note_id": r.note_id,
            "exam_name": r.exam_name,
            "region": r.region,
            "modality": r.modality,
            "text": mask(r.kept_text, pathology),
            "charttime": r.charttime.isoformat(),
            "sequence_num": i,
        }
        for i, r in enumerate(kept)
    ]


def case_defect(case: dict, abdominal: bool) -> str | None:
    """The export rule a generated benchmark case would break (a generator bug), or None."""
    history = case["patient_history"].lower()
    if not history:
        return "no_history"
    if any(name in history for name in DISEASE_NAMES[case["pathology"]]):
        return "history_names_disease"
    if len(case["physical_exam_text"]) < 40:
        return "short_exam"
    if not case["lab_results"]:
        return "no_labs"
    if not abdominal:
        return "no_abdominal_imaging"
    return None
