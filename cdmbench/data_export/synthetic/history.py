"""Patient-history and physical-exam text per presentation (MIMIC discharge-note style, names as ``___``).

Benchmark histories never contain a disease name of their pathology; the ``history_names_disease`` distractor
adds one to the HPI or the past medical history. Exams sometimes name the disease so that the export's masking is exercised.
"""

from __future__ import annotations

from random import Random

__all__ = [
    "PMH_NAMING",
    "PRESENTATIONS",
    "SHORT_EXAMS",
    "admission_exam",
    "discharge_exam",
    "family_history",
    "hpi",
    "past_history",
    "social",
]

PRESENTATIONS = (
    "appendicitis",
    "cholecystitis",
    "diverticulitis",
    "pancreatitis",
    "sbo",
    "colic",
    "gastroenteritis",
    "renal_colic",
    "rlq_pain",
    "chronic_pancreatitis",
    "diverticulosis",
)

_ONSET = {
    "appendicitis": [
        "{d} of abdominal pain that began around the umbilicus and then migrated to the right lower quadrant",
        "periumbilical pain starting {d} ago, now localized to the right lower quadrant",
        "sharp right lower quadrant pain for {d}, initially diffuse and periumbilical",
    ],
    "cholecystitis": [
        "right upper quadrant pain for {d} that began after a fatty meal",
        "{d} of constant right upper quadrant and epigastric pain radiating to the right shoulder",
        "postprandial right upper quadrant pain starting {d} ago, now constant",
    ],
    "diverticulitis": [
        "{d} of left lower quadrant pain with a change in bowel habits",
        "left lower quadrant abdominal pain for {d}, associated with constipation",
        "worsening left lower quadrant cramping pain for {d} and loose stools",
    ],
    "pancreatitis": [
        "sudden severe epigastric pain radiating to the back that started {d} ago",
        "{d} of epigastric pain boring through to the back, worse after eating",
        "epigastric and left upper quadrant pain radiating to the back for {d}",
    ],
    "sbo": ["{d} of crampy diffuse abdominal pain with distension and no flatus", "colicky abdominal pain for {d}"],
    "colic": ["episodic right upper quadrant pain after meals for {d}, resolving between episodes"],
    "gastroenteritis": ["{d} of watery diarrhea, vomiting and diffuse crampy abdominal pain"],
    "renal_colic": ["{d} of right flank pain radiating to the groin", "left flank pain radiating to the groin for {d}"],
    "rlq_pain": ["right lower quadrant discomfort for {d} without fever"],
    "chronic_pancreatitis": ["a flare of his chronic epigastric pain over the last {d}"],
    "diverticulosis": ["{d} of painless bright red blood per rectum and mild left-sided discomfort"],
}
_ASSOCIATED = {
    "appendicitis": ["anorexia", "nausea", "one episode of non-bloody emesis", "subjective fevers", "chills"],
    "cholecystitis": ["nausea", "non-bloody emesis", "fevers to 101", "chills", "anorexia"],
    "diverticulitis": ["subjective fevers", "nausea", "decreased appetite", "bloating", "urinary urgency"],
    "pancreatitis": ["nausea", "multiple episodes of emesis", "inability to tolerate oral intake", "diaphoresis"],
}
_ED = {
    "appendicitis": "CT in the ED showed a dilated, fluid-filled appendix with periappendiceal fat stranding.",
    "cholecystitis": "Ultrasound in the ED showed gallstones with gallbladder wall thickening and pericholecystic fluid.",
    "diverticulitis": "CT in the ED showed sigmoid wall thickening with pericolonic fat stranding.",
    "pancreatitis": "Lipase was markedly elevated in the ED and imaging showed peripancreatic fat stranding.",
    "sbo": "CT showed dilated small bowel loops with a transition point in the right abdomen.",
    "renal_colic": "CT showed a 4 mm obstructing stone at the ureterovesical junction.",
}
_NAMES_DISEASE = {
    "appendicitis": "She was referred from an outside hospital where a CT was read as acute appendicitis.",
    "cholecystitis": "An outside ultrasound was read as acute cholecystitis and she was transferred for surgery.",
    "diverticulitis": "He has had two prior episodes of diverticulitis treated with oral antibiotics.",
    "pancreatitis": "He has a history of alcohol-related pancreatitis with a similar episode last year.",
}
_NEGATIVES = [
    "Denies chest pain or shortness of breath.",
    "Denies dysuria, hematuria or changes in urination.",
    "No recent travel or sick contacts.",
    "Denies melena or hematochezia.",
    "Last bowel movement was yesterday and normal.",
]


def _duration(rng: Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.randint(6, 40)} hours"
    n = rng.randint(1, 5)
    return "1 day" if n == 1 else f"{n} days"


def hpi(rng: Random, presentation: str, age: int, female: bool, *, names_disease: str | None = None) -> str:
    """The History of Present Illness paragraph (never naming the pathology unless ``names_disease``)."""
    title, noun = ("Ms.", "woman") if female else ("Mr.", "man")
    pron = "She" if female else "He"
    pmh_hint = rng.choice(["no significant past medical history", "a history of hypertension", "hyperlipidemia"])
    onset = rng.choice(_ONSET[presentation]).format(d=_duration(rng))
    lines = [f"{title} ___ is a {age} year old {noun} with {pmh_hint} who presents with {onset}."]
    assoc = _ASSOCIATED.get(presentation)
    if assoc:
        picked = rng.sample(assoc, rng.randint(1, min(3, len(assoc))))
        lines.append(f"{pron} reports associated {', '.join(picked)}.")
    if presentation == "pancreatitis":
        if rng.random() < 0.45:
            lines.append(f"{pron} drinks {rng.randint(4, 12)} beers daily; last drink was the night before admission.")
        else:
            lines.append(f"{pron} was told of gallstones on an ultrasound ___ years ago and does not drink alcohol.")
    if presentation == "cholecystitis" and rng.random() < 0.6:
        lines.append(f"{pron} has had similar but shorter episodes of pain after fatty meals over the past months.")
    if presentation == "diverticulitis" and rng.random() < 0.5:
        lines.append("Last colonoscopy ___ years ago showed diverticulosis and no polyps.")
    if names_disease:
        lines.append(_NAMES_DISEASE[names_disease])
    lines += rng.sample(_NEGATIVES, rng.randint(1, 3))
    if female and age < 52 and presentation in ("appendicitis", "rlq_pain", "diverticulitis"):
        lines.append("LMP ___. Denies vaginal discharge or bleeding.")
    if presentation in _ED and rng.random() < 0.7:
        lines.append(_ED[presentation])
    lines.append(f"{pron} was admitted to the {rng.choice(['surgical', 'acute care surgery', 'medicine'])} service.")
    return " ".join(lines)


_PMH = ["Hypertension", "Hyperlipidemia", "Type 2 diabetes mellitus", "GERD", "Asthma", "Depression", "Obesity"]
_PSH = {
    "appendectomy": "s/p appendectomy as a child",
    "cholecystectomy": "s/p laparoscopic cholecystectomy",
    "c-section": "s/p cesarean section x2",
    "tonsils": "s/p tonsillectomy",
    "hernia": "s/p right inguinal hernia repair",
}


PMH_NAMING = {
    "appendicitis": "Appendicitis ___ years ago, treated nonoperatively with antibiotics",
    "cholecystitis": "Cholecystitis s/p percutaneous cholecystostomy tube ___",
    "diverticulitis": "Diverticulitis x2, treated with oral antibiotics",
    "pancreatitis": "Gallstone pancreatitis ___ years ago",
}
"""A past-history item naming each pathology (a history naming the case's own pathology excludes it)."""

SHORT_EXAMS = ["Deferred.", "Abd: soft, tender", "See admission H&P.", "NAD, abdomen tender.", "Per ED note.", ""]
"""Admission exams shorter than 40 characters (the export excludes them)."""


def past_history(
    rng: Random, presentation: str, female: bool, comorbidities: list[str], naming: str | None = None
) -> str:
    """The Past Medical History section body (conditions, then surgical history).

    Args:
        naming: a pathology whose ``PMH_NAMING`` item is added to the conditions.
    """
    if not comorbidities and naming is None and rng.random() < 0.3:
        return "None."
    items = list(comorbidities) or rng.sample(_PMH, rng.randint(0, 2))
    if naming is not None:
        items.insert(rng.randint(0, len(items)), PMH_NAMING[naming])
    psh_keys = [k for k in _PSH if not (k == "appendectomy" and presentation in ("appendicitis", "rlq_pain"))]
    psh_keys = [k for k in psh_keys if not (k == "cholecystectomy" and presentation in ("cholecystitis", "colic"))]
    if not female:
        psh_keys = [k for k in psh_keys if k != "c-section"]
    psh = [_PSH[k] for k in rng.sample(psh_keys, rng.randint(0, 2))]
    if presentation == "sbo":
        psh.append("s/p exploratory laparotomy ___")
    lines = [f"- {item}" for item in items] or ["- None"]
    if psh:
        lines.append("PSH:")
        lines += [f"- {item}" for item in psh]
    return "\n".join(lines)


def social(rng: Random, heavy_drinker: bool) -> str:
    """The Social History section body (often only ``___``, as in MIMIC)."""
    if heavy_drinker:
        return "___\nDrinks daily; prior attempts to cut down. Smokes half a pack per day."
    if rng.random() < 0.45:
        return "___"
    tobacco = rng.choice(["Denies tobacco use.", "Former smoker, quit ___ years ago.", "Smokes 1 pack per day."])
    alcohol = rng.choice(["Drinks socially.", "No alcohol use.", "1-2 glasses of wine per week."])
    return f"Lives with ___ in ___. Works as ___. {tobacco} {alcohol} Denies illicit drug use."


def family_history(rng: Random) -> str:
    """The Family History section body."""
    return rng.choice(
        [
            "Non-contributory.",
            "Mother with hypertension. Father with coronary artery disease.",
            "No family history of inflammatory bowel disease or colon cancer.",
            "Father with type 2 diabetes. No family history of gastrointestinal malignancy.",
            "Noncontributory",
        ]
    )


_ABD = {
    "appendicitis": [
        "soft, nondistended, tender to palpation in the right lower quadrant with voluntary guarding, + Rovsing sign",
        "tender at McBurney's point with localized rebound, + psoas sign, no distension",
        "RLQ tenderness with guarding, mild periumbilical tenderness, no masses",
    ],
    "cholecystitis": [
        "soft, nondistended, tender in the right upper quadrant, + Murphy's sign",
        "RUQ tenderness with voluntary guarding, positive Murphy sign, no rebound",
        "tender to palpation in the RUQ and epigastrium, + Murphy's, no peritoneal signs",
    ],
    "diverticulitis": [
        "soft, mildly distended, tender in the left lower quadrant with localized guarding",
        "LLQ tenderness to palpation, no rebound, normoactive bowel sounds",
        "tender in the LLQ and suprapubic region with voluntary guarding, no palpable mass",
    ],
    "pancreatitis": [
        "soft, mildly distended, tender in the epigastrium with voluntary guarding, no rebound",
        "epigastric and LUQ tenderness, hypoactive bowel sounds, no peritoneal signs",
        "diffusely tender, most marked in the epigastrium, no Cullen or Grey Turner sign",
    ],
}
_ABD_OTHER = "soft, mildly tender diffusely, no rebound or guarding"
_CONCERN = {
    "appendicitis": [
        "Exam concerning for acute appendicitis.",
        "Findings consistent with appendicitis.",
        "Concern for perforation or periappendicitis.",
    ],
    "cholecystitis": ["Exam concerning for acute cholecystitis.", "Clinical picture suggests cholecystitis."],
    "diverticulitis": [
        "Exam consistent with diverticulitis.",
        "Concern for complicated diverticulitis.",
        "Exam concerning for peridiverticulitis.",
    ],
    "pancreatitis": ["Exam consistent with acute pancreatitis.", "Findings compatible with pancreatitis."],
}


def admission_exam(rng: Random, presentation: str, fever: bool) -> str:
    """The admission physical examination body (no header), one finding per line."""
    temp = round(rng.uniform(38.0, 39.2) if fever else rng.uniform(36.4, 37.6), 1)
    hr = rng.randint(88, 118) if fever else rng.randint(62, 96)
    vs_key = rng.choice(["VS:", "Vitals:", "VS -"])
    lines = [
        f"{vs_key} T {temp} HR {hr} BP {rng.randint(100, 150)}/{rng.randint(60, 92)} RR {rng.randint(14, 20)} "
        f"SpO2 {rng.randint(95, 100)}% RA",
        rng.choice(
            ["GEN: NAD, A&Ox3", "Gen: uncomfortable appearing, lying still", "General: alert, in mild distress"]
        ),
        rng.choice(["HEENT: NCAT, EOMI, anicteric sclera, MMM", "HEENT: dry mucous membranes, sclera anicteric"]),
        rng.choice(["CV: RRR, no m/r/g", "CV: tachycardic, regular rhythm", "Cardiac: RRR, normal S1/S2"]),
        rng.choice(["PULM: CTAB, no wheezes", "Lungs: clear to auscultation bilaterally", "Resp: CTAB"]),
        f"ABD: {rng.choice(_ABD[presentation]) if presentation in _ABD else _ABD_OTHER}",
        rng.choice(["EXT: WWP, no edema", "Ext: no c/c/e", "Extremities: warm, no edema"]),
        rng.choice(["NEURO: grossly intact", "Neuro: A&Ox3, moving all extremities"]),
    ]
    if presentation in _CONCERN and rng.random() < 0.3:
        lines.insert(6, rng.choice(_CONCERN[presentation]))
    return "\n".join(lines)


def discharge_exam(rng: Random, operated: bool) -> str:
    """The discharge physical examination body."""
    abd = "soft, appropriately tender near incisions, incisions c/d/i" if operated else "soft, nontender, nondistended"
    return "\n".join(
        [
            f"VS: T {round(rng.uniform(36.4, 37.4), 1)} HR {rng.randint(60, 90)} BP {rng.randint(105, 140)}/"
            f"{rng.randint(60, 85)} RR 16 SpO2 98% RA",
            "GEN: NAD, A&Ox3",
            "CV: RRR",
            "PULM: CTAB",
            f"ABD: {abd}",
            "EXT: WWP",
        ]
    )
