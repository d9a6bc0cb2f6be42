"""Laboratory events: the lab draws of an admission and the d_labitems table.

Itemids, labels, fluids and categories are MIMIC-IV's (``labs.json`` ``itemid_labels`` plus a few extra items).
Numbers carry at most 2 decimals; ``valuenum`` is written as ``repr(float(x))`` so the export's
``"<valuenum> <valueuom>"`` matches the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from random import Random

from cdmbench.data_export.synthetic.catalog import lab_labels
from cdmbench.data_export.synthetic.lab_items import (
    COMMON_P,
    EFFECTS,
    EXTRA_LABITEMS,
    LAB_SPECS,
    MISC_ITEMS,
    PANEL_P,
    PANELS,
    TEXT_SPECS,
)

__all__ = ["LabEvent", "d_labitems", "draw_labs", "label_table"]


@dataclass(slots=True)
class LabEvent:
    """One labevents row (ids are assigned when the admission is finished)."""

    itemid: int
    hadm_id: int | None
    charttime: datetime
    storetime: datetime
    specimen_id: int
    value: str | None
    valuenum: float | None
    valueuom: str | None
    ref_range_lower: float | None
    ref_range_upper: float | None
    flag: str | None
    priority: str | None
    comments: str | None
    order_provider_id: str | None
    labevent_id: int = 0


_ONLY_COMMENT = "UNABLE TO REPORT; SPECIMEN HEMOLYZED."


def d_labitems() -> list[tuple[int, str, str, str]]:
    """Rows of d_labitems: every non-microbiology item of ``labs.json`` plus the extra items, by itemid."""
    items = {k: v for k, v in lab_labels().items() if v.get("fluid")}
    items.update(EXTRA_LABITEMS)
    return [(itemid, v["label"], v["fluid"], v["category"]) for itemid, v in sorted(items.items())]


@cache
def label_table() -> dict[int, tuple[str, str, str]]:
    """itemid -> (label, fluid, category) of every d_labitems row."""
    return {itemid: (label, fluid, category) for itemid, label, fluid, category in d_labitems()}


def _numeric(rng: Random, itemid: int, effect_key: str, severity: float) -> tuple[str, float, str | None]:
    spec = LAB_SPECS[itemid]
    x = rng.gauss(spec.mean, spec.sd)
    effect = EFFECTS.get(effect_key, {}).get(itemid)
    if effect and severity > 0 and rng.random() < effect[0]:
        shifted = abs(rng.gauss(effect[1], effect[2]))
        x = spec.mean + (shifted - spec.mean) * severity
    x = round(max(spec.floor, x), spec.decimals)
    abnormal = (spec.low is not None and x < spec.low) or (spec.high is not None and x > spec.high)
    text = f"{x:.{spec.decimals}f}"
    return text, float(x), "abnormal" if abnormal else None


def _result(rng: Random, itemid: int, effect_key: str, severity: float) -> tuple:
    """(value, valuenum, valueuom, ref_range_lower, ref_range_upper, flag, comments) of one result."""
    if itemid in TEXT_SPECS:
        unit, options = TEXT_SPECS[itemid]
        value, _, num, abnormal = rng.choices(options, weights=[o[1] for o in options])[0]
        # MIMIC keeps the unit on text results ("NEG" mg/dL): the export shows it ("NEG mg/dL")
        return value, num, unit, None, None, "abnormal" if abnormal else None, None
    spec = LAB_SPECS[itemid]
    roll = rng.random()
    if roll < 0.004:  # only a comment, as when a specimen could not be analysed
        return None, None, None, spec.low, spec.high, None, _ONLY_COMMENT
    if roll < 0.006:  # only a flag
        return None, None, None, spec.low, spec.high, "abnormal", None
    if roll < 0.009:  # a de-identified value: the export drops it before taking the first value
        return "___", None, spec.unit, spec.low, spec.high, None, None
    if roll < 0.011:  # no value at all (NULL): dropped too
        return None, None, None, spec.low, spec.high, None, None
    value, num, flag = _numeric(rng, itemid, effect_key, severity)
    comments = "___" if roll > 0.995 else None
    return value, num, spec.unit, spec.low, spec.high, flag, comments


def _day0_panels(rng: Random, effect_key: str, female: bool, age: int) -> list[list[int]]:
    p = PANEL_P[effect_key]
    blood: list[int] = list(PANELS["cbc"]) + list(PANELS["chem"])
    for key in ("diff", "lft", "lft_extra", "lipase", "amylase", "coag"):
        if rng.random() < p[key]:
            blood += PANELS[key]
    if rng.random() < COMMON_P["crp"] or (effect_key == "diverticulitis" and rng.random() < 0.2):
        blood += PANELS["crp"]
    if rng.random() < (0.35 if effect_key == "pancreatitis" else 0.04):
        blood += PANELS["lipids"]
    n_misc = rng.choices([0, 1, 2, 3], weights=[40, 30, 20, 10])[0]
    blood += rng.sample(MISC_ITEMS, n_misc)
    groups = [blood]
    extra: list[int] = []
    if rng.random() < COMMON_P["lactate"]:
        extra += PANELS["lactate"]
    if rng.random() < COMMON_P["bg"]:
        extra += PANELS["bg"]
    if extra:
        groups.append(extra)
    urine: list[int] = []
    if rng.random() < COMMON_P["ua"]:
        urine += PANELS["ua"]
    if female and age < 55 and rng.random() < 0.85:
        urine += PANELS["hcg"]
    if urine:
        groups.append(urine)
    if effect_key == "diverticulitis" and rng.random() < 0.1:
        groups.append([51460])
    return groups


def _event(rng, itemid, hadm_id, when, specimen_id, priority, effect_key, severity, provider) -> LabEvent:
    value, num, uom, lo, hi, flag, comments = _result(rng, itemid, effect_key, severity)
    store = when + timedelta(minutes=rng.randint(25, 150))
    return LabEvent(
        itemid, hadm_id, when, store, specimen_id, value, num, uom, lo, hi, flag, priority, comments, provider
    )


def draw_labs(
    rng: Random,
    *,
    effect_key: str,
    female: bool,
    age: int,
    hadm_id: int | None,
    first_draw: datetime,
    later_draws: list[datetime],
    severity: float,
    next_specimen: list[int],
    first_draw_hadm: int | None = None,
    small: bool = False,
) -> list[LabEvent]:
    """Lab events of one admission (or a small outpatient panel when ``small``).

    Args:
        rng: the admission's random source.
        effect_key: a pathology, or "other" for non-cohort admissions.
        female: patient sex (pregnancy test for younger women).
        age: age at the admission.
        hadm_id: hadm_id written on the later draws.
        first_draw: charttime of the first (emergency) draw.
        later_draws: charttimes of the daily follow-up draws.
        severity: how far disease-driven values sit from normal on the first draw (about 1).
        next_specimen: a one-element list holding the next specimen_id (advanced here).
        first_draw_hadm: hadm_id written on the first draw (None for ED labs charted before admission).
        small: draw one short panel (CBC or chemistry) only, as for an outpatient visit.
    """

    def specimen() -> int:
        next_specimen[0] += rng.randint(1, 40)
        return next_specimen[0]

    provider = f"P{rng.randrange(16**5):05X}"
    events: list[LabEvent] = []
    if small:
        items = PANELS["chem"] if rng.random() < 0.5 else PANELS["cbc"]
        sid = specimen()
        return [_event(rng, i, hadm_id, first_draw, sid, "ROUTINE", "other", 0.0, provider) for i in items]
    for n, group in enumerate(_day0_panels(rng, effect_key, female, age)):
        when = first_draw + timedelta(minutes=(0 if n == 0 else rng.randint(20, 150)))
        sid = specimen()
        for itemid in group:
            events.append(_event(rng, itemid, first_draw_hadm, when, sid, "STAT", effect_key, severity, provider))
        if n == 0 and rng.random() < 0.02:  # a duplicate result of the same item at the same time
            itemid = rng.choice(group)
            events.append(_event(rng, itemid, first_draw_hadm, when, sid, "STAT", effect_key, severity, provider))
    for day, when in enumerate(later_draws, start=1):
        sid = specimen()
        items = PANELS["cbc"] + PANELS["chem"]
        if rng.random() < 0.5:
            items = items + PANELS["diff"]
        if effect_key in ("cholecystitis", "pancreatitis") and rng.random() < 0.6:
            items = items + PANELS["lft"] + PANELS["lipase"]
        sev = severity * 0.55**day
        for itemid in items:
            events.append(_event(rng, itemid, hadm_id, when, sid, "ROUTINE", effect_key, sev, provider))
    return events
