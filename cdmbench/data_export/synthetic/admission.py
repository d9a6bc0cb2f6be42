"""One synthetic admission: its timeline, codes, events and notes, and (for a benchmark case) its truth.

Each admission draws from its own ``random.Random`` (seeded from the run seed and its index) and gets its ids
from the shared ``Counters``, so a run is reproducible byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random

from cdmbench.data_export.synthetic import codes, history, profiles
from cdmbench.data_export.synthetic.discharge import NoteInput, build_discharge
from cdmbench.data_export.synthetic.events import Counters, micro_specimens, plan_micro
from cdmbench.data_export.synthetic.imaging import plan_reports, radiology_rows
from cdmbench.data_export.synthetic.labs import LabEvent, draw_labs, label_table
from cdmbench.data_export.synthetic.mix import DISTRACTOR_REASON
from cdmbench.data_export.synthetic.truth import (
    Window,
    abdominal_kept,
    case_defect,
    first_labs,
    mask,
    microbiology,
    radiology,
)

__all__ = ["Admission", "AdmissionSpec", "make_admission"]

# MIMIC's headers, and the de-identified variants a real download contains at low rates
_HISTORY_HEADERS = ["History of Present Illness:", "___ of Present Illness:", "History of Presenting Illness:"]
_DIAGNOSIS_HEADERS = ["Discharge Diagnosis:", "___ Diagnosis:"]


@dataclass(frozen=True)
class AdmissionSpec:
    """What to generate: a benchmark case or a distractor kind, with its pathology (None: other diagnosis)."""

    index: int
    kind: str  # "case" or a mix.DISTRACTOR_KINDS entry
    pathology: str | None
    subject_id: int
    hadm_id: int


@dataclass
class Admission:
    """All rows of one admission, and its truth case (or the reason the export must exclude it)."""

    patient: tuple
    admission: tuple
    transfers: list[tuple] = field(default_factory=list)
    diagnoses: list[tuple] = field(default_factory=list)
    procedures: list[tuple] = field(default_factory=list)
    labs: list[LabEvent] = field(default_factory=list)
    micro: list[tuple] = field(default_factory=list)
    discharge: list[tuple] = field(default_factory=list)
    radiology: list[tuple] = field(default_factory=list)
    radiology_detail: list[tuple] = field(default_factory=list)
    case: dict | None = None
    excluded: str | None = None


def make_admission(spec: AdmissionSpec, seed: int, ids: Counters) -> Admission:
    """Generate one admission; see the module docstring."""
    rng = Random(f"cdmbench-synthetic:{seed}:{spec.index}")
    path, kind = spec.pathology, spec.kind
    sid, hid = spec.subject_id, spec.hadm_id
    female = rng.random() < profiles.FEMALE_P[path]
    age = profiles.draw_age(rng, path)
    version = 9 if rng.random() < 0.72 else 10
    presentation = path
    first_code: codes.Code | None = None
    if kind == "other_first_diagnosis":
        code, title, presentation = rng.choice(codes.OTHER_FIRST_DIAGNOSES[version])
        first_code = (code, version, title)
    effect_key = path or "other"

    # ------------------------------------------------------------------ timeline
    year = rng.randint(2113, 2205)  # events up to ~2.5 years before or after stay inside 2110-2208
    start_day = datetime(year, 1, 1) + timedelta(days=rng.randint(0, 364))
    has_ed = rng.random() < 0.88
    edreg = start_day + timedelta(hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
    admit = edreg + timedelta(hours=rng.randint(2, 9), minutes=rng.randint(0, 59))
    if not has_ed:
        edreg = None
    los = rng.randint(*profiles.LOS_DAYS[path])
    disch = (admit + timedelta(days=los)).replace(hour=rng.randint(10, 17), minute=rng.randint(0, 59))
    careunit = rng.choice(profiles.CAREUNITS)
    transfers: list[tuple] = []
    intimes: list[datetime] = []

    def transfer(event: str, unit: str, t_in: datetime, t_out: datetime | None) -> None:
        ids.transfer += rng.randint(1, 50)
        transfers.append((sid, hid, ids.transfer, event, unit, profiles.ts(t_in), profiles.ts(t_out)))
        intimes.append(t_in)

    if edreg:
        transfer("ED", "Emergency Department", edreg, admit)
    if rng.random() < 0.3 and los >= 2:
        moved = admit + timedelta(days=1, hours=rng.randint(0, 12))
        transfer("admit", careunit, admit, moved)
        transfer("transfer", rng.choice(profiles.CAREUNITS), moved, disch)
    else:
        transfer("admit", careunit, admit, disch)
    transfer("discharge", "", disch, None)
    window = Window.from_transfers(hid, intimes)
    first_in = window.start + timedelta(days=1)

    # ------------------------------------------------------------------ demographics rows
    offset = rng.randint(0, 3) if age - 3 >= 18 else 0
    year = admit.year  # the ED visit may start on 31 December
    anchor_year, anchor_age = year - offset, age - offset
    groups = ["2008 - 2010", "2011 - 2013", "2014 - 2016"] if version == 9 else ["2014 - 2016", "2017 - 2019"]
    patient = (sid, "F" if female else "M", anchor_age, anchor_year, rng.choice(groups), "")
    adm_row = (
        sid, hid, profiles.ts(admit), profiles.ts(disch), "",
        rng.choice(["EW EMER.", "EW EMER.", "URGENT", "EU OBSERVATION"] if edreg else ["DIRECT EMER.", "ELECTIVE"]),
        f"P{rng.randrange(16**5):05X}",
        "EMERGENCY ROOM" if edreg else rng.choice(["PHYSICIAN REFERRAL", "TRANSFER FROM HOSPITAL"]),
        rng.choice(["HOME", "HOME", "HOME HEALTH CARE", "SKILLED NURSING FACILITY"]),
        rng.choice(["Private", "Medicare", "Medicaid", "Other"]), rng.choice(["English"] * 9 + ["Spanish"]),
        rng.choice(["MARRIED", "SINGLE", "WIDOWED", "DIVORCED", ""]),
        rng.choice(["WHITE"] * 6 + ["BLACK/AFRICAN AMERICAN", "HISPANIC/LATINO - PUERTO RICAN", "ASIAN", "OTHER"]),
        profiles.ts(edreg), profiles.ts(admit) if edreg else "", 0,
    )  # fmt: skip
    adm = Admission(patient=patient, admission=adm_row, transfers=transfers)

    # ------------------------------------------------------------------ diagnoses and procedures
    heavy_drinker = path == "pancreatitis" and rng.random() < 0.35
    dx: list[codes.Code] = []
    if kind == "other_first_discharge_diagnosis" or (kind == "case" and rng.random() < 0.06):
        dx.append(rng.choice(codes.SECONDARY_FIRST[version]))  # the pathology's code at a later seq_num
    if first_code:
        dx.append(first_code)
    if path and kind != "other_first_diagnosis":
        code, title = codes.pick(rng, codes.COHORT_CODES[path][version])
        if heavy_drinker and version == 10:
            code, title = "K8520", "Alcohol induced acute pancreatitis without necrosis or infection"
        dx.append((code, version, title))
    biliary = path == "pancreatitis" and not heavy_drinker and rng.random() < 0.5
    if biliary and "Biliary" not in dx[-1][2]:
        dx.append(rng.choice([codes.BILIARY_SECONDARY, codes.GALLSTONE_SECONDARY])[version])
    if biliary and rng.random() < 0.15:  # a second cohort pathology: the first discharge diagnosis decides
        code, title = codes.pick(rng, codes.COHORT_CODES["cholecystitis"][version])
        dx.append((code, version, title))
    if heavy_drinker:
        dx.append(codes.ALCOHOL_SECONDARY[version])
    comorb = sorted(rng.sample(range(len(codes.COMORBIDITIES[version])), rng.randint(0, 5)))
    dx += [(codes.COMORBIDITIES[version][i][0], version, codes.COMORBIDITIES[version][i][1]) for i in comorb]
    adm.diagnoses = [(sid, hid, n, c, v) for n, (c, v, _) in enumerate(dx, start=1)]
    proc_kinds = profiles.procedure_kinds(rng, path if kind != "other_first_diagnosis" else None, biliary)
    procs = [row for k in proc_kinds for row in codes.procedure_codes(rng, k, version)]
    for n, (code, v, _) in enumerate(procs, start=1):
        day = admit + timedelta(days=rng.randint(0, max(0, los - 1)))
        adm.procedures.append((sid, hid, n, day.strftime("%Y-%m-%d"), code, v))

    # ------------------------------------------------------------------ labs
    next_spec = ids.specimen
    severity = rng.uniform(0.7, 1.3)
    labs: list[LabEvent] = []
    if kind != "no_labs":
        later = []
        for d in range(1, los + 1):
            when = (admit + timedelta(days=d)).replace(hour=rng.randint(4, 7), minute=rng.randint(0, 59))
            if when < disch and rng.random() < 0.8:
                later.append(when)
        first_draw = first_in + timedelta(minutes=rng.randint(20, 80))
        first_hadm = None if edreg and rng.random() < 0.25 else hid
        labs += draw_labs(rng, effect_key=effect_key, female=female, age=age, hadm_id=hid, first_draw=first_draw,
                          later_draws=later, severity=severity, next_specimen=next_spec, first_draw_hadm=first_hadm)  # fmt: skip
        if rng.random() < 0.08:  # outside labs the day before, no hadm_id but inside the window
            when = first_in - timedelta(hours=rng.randint(1, 20))
            labs += draw_labs(rng, effect_key="other", female=female, age=age, hadm_id=None, first_draw=when,
                              later_draws=[], severity=0.0, next_specimen=next_spec, small=True)  # fmt: skip
        if rng.random() < 0.01:  # exactly on the window's lower bound (inclusive)
            labs += draw_labs(rng, effect_key="other", female=female, age=age, hadm_id=None, first_draw=window.start,
                              later_draws=[], severity=0.0, next_specimen=next_spec, small=True)  # fmt: skip
    if rng.random() < 0.18:  # outpatient labs weeks before: outside the window
        when = window.start - timedelta(days=rng.randint(2, 200), hours=rng.randint(0, 8))
        labs += draw_labs(rng, effect_key="other", female=female, age=age, hadm_id=None, first_draw=when,
                          later_draws=[], severity=0.0, next_specimen=next_spec, small=True)  # fmt: skip
    if rng.random() < 0.1:  # follow-up labs after discharge: outside the window
        when = disch + timedelta(days=rng.randint(3, 30))
        labs += draw_labs(rng, effect_key="other", female=female, age=age, hadm_id=None, first_draw=when,
                          later_draws=[], severity=0.0, next_specimen=next_spec, small=True)  # fmt: skip
    rng.shuffle(labs)
    for ev in labs:
        ids.labevent += 1
        ev.labevent_id = ids.labevent
    adm.labs = labs

    # ------------------------------------------------------------------ microbiology
    plan = plan_micro(rng, path, hid, edreg, admit, first_in, window.start)
    adm.micro, micro_events = micro_specimens(rng, ids, sid, plan)

    # ------------------------------------------------------------------ radiology
    abdominal = kind != "no_abdominal_imaging"
    img_path = path if kind != "other_first_diagnosis" else None
    planned = plan_reports(rng, img_path, female, abdominal, hid, edreg, admit, first_in, disch, window.start)
    first_seq = rng.randint(1, 12)
    adm.radiology, adm.radiology_detail, report_events = radiology_rows(
        rng, sid, planned, presentation or "other", age, female, first_seq
    )

    # ------------------------------------------------------------------ discharge note
    fever = rng.random() < 0.35
    in_hpi = kind == "history_names_disease" and rng.random() < 0.5
    names_disease = path if in_hpi else None
    hpi_text = history.hpi(rng, presentation, age, female, names_disease=names_disease)
    pmh_naming = path if kind == "history_names_disease" and not in_hpi else None
    if kind == "case" and rng.random() < 0.04:  # another pathology's name in the history does not exclude
        pmh_naming = rng.choice([p for p in history.PMH_NAMING if p != path])
    operated = bool(proc_kinds)
    primary = [rng.choice(profiles.PRIMARY_TEXT[presentation])]
    if path == "pancreatitis" and biliary:
        primary = [rng.choice(["Gallstone pancreatitis", "Acute biliary pancreatitis"])]
    if kind == "other_first_discharge_diagnosis":
        primary = ["Sepsis" if dx[0][0] in ("0389", "A419") else "Acute kidney injury", primary[0]]
    secondary = [profiles.PLAIN_COMORBIDITIES[i] for i in comorb if i in profiles.CHRONIC][:3]
    if kind == "secondary_discharge_diagnosis":  # the pathology only among the secondary discharge diagnoses
        secondary = [primary[0], *secondary]
        primary = [rng.choice(["Small bowel obstruction", "Urinary tract infection", "Gastroenteritis"])]
        if spec.index % 3 == 0:  # ... or after "secondary to" above a bare "secondary" heading, where CDMv1 cuts
            primary = [f"Sepsis secondary to {secondary[0].lower()}"]
    if kind == "case" and spec.index % 50 == 7:  # an upper-case "AND": CDMv1 cuts only at a lower-case "and"
        primary = [f"ABDOMINAL PAIN AND {primary[0].upper()}"]
    proc_text = [rng.choice(codes.PROCEDURE_TEXT[k]) for k in proc_kinds if rng.random() < 0.85]
    if rng.random() < 0.04:
        proc_text.append("PICC line placement")
    hpi_mode = "normal"
    no_note = False
    if kind == "no_history":
        hpi_mode = rng.choice(["missing", "empty", "none"])
        no_note = hpi_mode == "none"
    note_input = NoteInput(
        female=female,
        chief_complaint=rng.choice(profiles.CHIEF_COMPLAINTS.get(presentation, ["Abdominal pain", "Nausea/vomiting"])),
        procedures=proc_text,
        hpi=hpi_text,
        hpi_mode="missing" if no_note else hpi_mode,
        past_medical=history.past_history(
            rng,
            presentation,
            female,
            [profiles.PLAIN_COMORBIDITIES[i] for i in comorb if i in profiles.CHRONIC],
            naming=pmh_naming,
        ),
        social=history.social(rng, heavy_drinker),
        family=history.family_history(rng),
        admission_exam=rng.choice(history.SHORT_EXAMS)
        if kind == "short_exam"
        else history.admission_exam(rng, presentation, fever),
        discharge_exam=history.discharge_exam(rng, operated) if rng.random() < 0.85 else None,
        diagnosis_lines=primary,
        secondary_lines=secondary,
        force_secondary_header=kind == "secondary_discharge_diagnosis",
        history_header=rng.choices(_HISTORY_HEADERS, weights=[96, 3, 1])[0],
        diagnosis_header=rng.choices(_DIAGNOSIS_HEADERS, weights=[96, 4])[0],
        course_key=presentation if operated or presentation in ("diverticulitis", "pancreatitis") else "",
        summary=primary[-1].lower(),
        labs=[ev for ev in labs if ev.hadm_id is not None or window.counts(None, ev.charttime)],
        imaging=[
            f"___ {e.exam_name}: {' '.join(e.kept_text.split()[2 + len(e.exam_name.split()) :])}"
            for e in report_events[:3]
        ],
    )
    note = build_discharge(rng, note_input)
    if not no_note:
        ds_seq = rng.randint(10, 30)
        ds_time = disch.replace(hour=0, minute=0)
        store = disch + timedelta(hours=rng.randint(1, 30))
        if rng.random() < 0.02:  # an earlier version of the summary: the export must use the highest note_seq
            older = build_discharge(rng, note_input)
            adm.discharge.append(
                (
                    f"{sid}-DS-{ds_seq - 1}",
                    sid,
                    hid,
                    "DS",
                    ds_seq - 1,
                    profiles.ts(ds_time),
                    profiles.ts(store),
                    older.text,
                )
            )
        adm.discharge.append(
            (f"{sid}-DS-{ds_seq}", sid, hid, "DS", ds_seq, profiles.ts(ds_time), profiles.ts(store), note.text)
        )

    # ------------------------------------------------------------------ truth
    if kind != "case":
        adm.excluded = DISTRACTOR_REASON[kind]
        return adm
    assert path is not None
    treatments = [{"title": title, "icd_code": code, "is_coded": True} for code, _, title in procs]
    treatments += [{"title": line, "icd_code": None, "is_coded": False} for line in note.procedure_lines]
    adm.case = {
        "hadm_id": hid,
        "pathology": path,
        "demographics": {"age": anchor_age + year - anchor_year, "gender": "F" if female else "M"},
        "patient_history": note.patient_history,
        "lab_results": first_labs(labs, window, label_table()),
        "microbiology_events": microbiology(micro_events, window),
        "radiology_reports": radiology(report_events, window, path),
        "physical_exam_text": mask(note.exam_text, path),
        "ground_truth": {
            "primary_diagnosis": note.primary_diagnosis,
            "treatments": treatments,
            "icd_diagnoses": [title for _, _, title in dx],
        },
    }
    defect = case_defect(adm.case, abdominal_kept(report_events, window))
    if defect is not None:
        raise RuntimeError(f"generator bug: case {hid} breaks the export rule {defect}")
    return adm
