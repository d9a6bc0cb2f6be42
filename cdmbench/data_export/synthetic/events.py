"""Microbiology events of one admission (rows plus the records the truth needs), and the global id counters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random

from cdmbench.data_export.synthetic.catalog import ANTIBIOTICS, MICRO_TESTS, ORGANISMS
from cdmbench.data_export.synthetic.profiles import MICRO_P
from cdmbench.data_export.synthetic.truth import MicroEvent

__all__ = ["Counters", "micro_specimens", "plan_micro"]

CANCELLED = "TEST CANCELLED, PATIENT CREDITED."
CANCELLED_ORGANISM = (90760, "CANCELLED")
"""MIMIC-IV's organism row of a cancelled test (org_itemid 90760, org_name CANCELLED)."""


@dataclass
class Counters:
    """Global id counters (the generator runs admissions in order, so ids are deterministic)."""

    labevent: int = 0
    specimen: list[int] = field(default_factory=lambda: [1_000_000])
    microevent: int = 0
    micro_specimen: int = 2_000_000
    transfer: int = 30_000_000


def _ts(value: datetime | None) -> str:
    return str(value) if value else ""


def _day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def plan_micro(
    rng: Random,
    path: str | None,
    hid: int,
    edreg: datetime | None,
    admit: datetime,
    first_in: datetime,
    window_start: datetime,
) -> list[tuple[str, datetime, int | None, str]]:
    """The specimens of an admission for ``micro_specimens``, with the quirks of a real download (cancelled
    tests, results with only a chartdate, cultures with two organisms, an outpatient culture outside the window)."""
    plan: list[tuple[str, datetime, int | None, str]] = []
    if rng.random() < MICRO_P[path]:
        when = first_in + timedelta(minutes=rng.randint(30, 120))
        hadm_for_ed = None if edreg and rng.random() < 0.12 else hid
        for _ in range(rng.choice([1, 2, 2])):
            plan.append(("blood", when, hadm_for_ed, "organism" if rng.random() < 0.08 else "negative"))
        if rng.random() < 0.6:
            outcome = rng.choices(["negative", "flora", "organism", "two_organisms"], weights=[55, 25, 17, 3])[0]
            plan.append(("urine", when + timedelta(minutes=rng.randint(5, 90)), hid, outcome))
        if path in ("diverticulitis", None) and rng.random() < 0.2:
            stool_at = admit + timedelta(hours=rng.randint(3, 20))
            plan += [("stool", stool_at, hid, "negative"), ("ova", stool_at, hid, "negative")]
        if rng.random() < 0.06:
            plan.append(("urine", admit + timedelta(hours=rng.randint(2, 12)), hid, "cancelled"))
        if rng.random() < 0.03:  # a result with a chartdate only: the export drops it
            plan.append(("stool", admit + timedelta(hours=rng.randint(2, 12)), hid, "untimed"))
    if rng.random() < 0.05:  # an outpatient urine culture long before: outside the window
        plan.append(("urine", window_start - timedelta(days=rng.randint(5, 300)), None, "negative"))
    return plan


def micro_specimens(
    rng: Random,
    ids: Counters,
    subject_id: int,
    plan: list[tuple[str, datetime, int | None, str]],
) -> tuple[list[tuple], list[MicroEvent]]:
    """microbiologyevents rows and truth records for planned specimens.

    Args:
        plan: [(test key, charttime, hadm_id or None, outcome)] with outcome one of "negative", "organism",
            "two_organisms", "flora", "cancelled", "untimed" (a negative result with a chartdate but no charttime).
    """
    rows: list[tuple] = []
    events: list[MicroEvent] = []
    provider = f"P{rng.randrange(16**5):05X}"
    for key, when, hadm_id, outcome in plan:
        test = MICRO_TESTS[key]
        ids.micro_specimen += rng.randint(1, 30)
        spec = ids.micro_specimen
        store = when + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 10))
        charted = None if outcome == "untimed" else when
        base = [subject_id, hadm_id, spec, provider, _day(when), _ts(charted), test.spec_itemid, test.spec_type_desc]
        mid = [1, _day(store), _ts(store), test.test_itemid, test.test_name]

        def add(org, ab, comments, base=base, mid=mid, when=charted, hadm_id=hadm_id, spec=spec, test=test):
            ids.microevent += 1
            org_itemid, org_name = org if org else ("", None)
            ab_itemid, ab_name = ab if ab else ("", "")
            if ab:
                dilution = rng.choice([1, 2, 4, 8, 16])
                interp = "S" if dilution <= 4 else rng.choice(["S", "I", "R"])
                ab_cols = [ab_itemid, ab_name, f"<={dilution}", "<=", dilution, interp]
            else:
                ab_cols = ["", "", "", "", "", ""]
            quantity = "" if not org else rng.choice(["", ">100,000 CFU/mL", "SPARSE GROWTH"])
            rows.append(
                (ids.microevent, *base, *mid, org_itemid, org_name or "", 1 if org else "", quantity, *ab_cols,
                 comments or "")
            )  # fmt: skip
            events.append(
                MicroEvent(ids.microevent, hadm_id, spec, when, test.test_itemid, test.test_name,
                           test.spec_type_desc, org_name, comments)
            )  # fmt: skip

        if outcome == "cancelled":
            add(CANCELLED_ORGANISM, None, CANCELLED)
        elif outcome in ("organism", "two_organisms"):
            orgs = rng.sample(ORGANISMS, 2 if outcome == "two_organisms" else 1)
            note = rng.choice([None, None, "Reported to and read back by ___ @ ___."])
            for org in orgs:
                for i, ab in enumerate(rng.sample(ANTIBIOTICS, rng.randint(2, 6))):
                    add(org, ab, note if i == 0 else None)
        elif outcome == "flora":
            add(None, None, "MIXED BACTERIAL FLORA ( >= 3 COLONY TYPES), CONSISTENT WITH SKIN AND/OR GENITAL "
                            "CONTAMINATION.")  # fmt: skip
        else:
            add(None, None, rng.choice(["NO GROWTH.", "NO GROWTH.", "NO SALMONELLA OR SHIGELLA FOUND."])
                if key == "stool" else "NO GROWTH.")  # fmt: skip
    return rows, events
