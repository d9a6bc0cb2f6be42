"""The export rules (docs/export-rules.md) applied to the generator's own parts, giving truth.json's cases.

Nothing here reads the written files: labs, microbiology and reports come from the in-memory events the
generator made, texts from the pieces it assembled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from cdmbench.data_export.synthetic.catalog import masking_keywords
from cdmbench.data_export.synthetic.labs import LabEvent

__all__ = [
    "MicroEvent",
    "ReportEvent",
    "Window",
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
    charttime: datetime
    test_itemid: int
    test_name: str
    spec_type_desc: str
    org_name: str | None
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


@cache
def _mask_pattern(pathology: str) -> re.Pattern[str]:
    words = sorted(masking_keywords(pathology), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def mask(text: str, pathology: str) -> str:
    """Replace every whole-word masking keyword of ``pathology`` (longest first) with ``___``."""
    return _mask_pattern(pathology).sub("___", text)


def lab_value(ev: LabEvent) -> str | None:
    """The export's lab value: '<valuenum> <valueuom>', else value, else flag, else comments."""
    if ev.valuenum is not None:
        number = repr(float(ev.valuenum))
        return f"{number} {ev.valueuom}" if ev.valueuom else number
    return ev.value or ev.flag or ev.comments or None


def first_labs(events: list[LabEvent], window: Window, labels: dict[int, tuple[str, str, str]]) -> list[dict]:
    """First value per itemid (earliest charttime, then lowest labevent_id), ordered by charttime then itemid."""
    first: dict[int, LabEvent] = {}
    for ev in events:
        if not window.counts(ev.hadm_id, ev.charttime):
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
    """Cancelled rows dropped; one row per (specimen, test, organism), the lowest microevent_id."""
    kept: dict[tuple, MicroEvent] = {}
    for ev in events:
        if not window.counts(ev.hadm_id, ev.charttime) or "cancel" in (ev.comments or "").lower():
            continue
        key = (ev.micro_specimen_id, ev.test_itemid, ev.org_name)
        if key not in kept or ev.microevent_id < kept[key].microevent_id:
            kept[key] = ev
    ordered = sorted(kept.values(), key=lambda e: (e.charttime, e.test_itemid, e.microevent_id))
    return [
        {
            "test_itemid": ev.test_itemid,
            "test_name": ev.test_name,
            "spec_type_desc": ev.spec_type_desc,
            "organism_name": ev.org_name,
            "comments": ev.comments,
            "charttime": ev.charttime.isoformat(),
            "sequence_num": i,
        }
        for i, ev in enumerate(ordered)
    ]


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
