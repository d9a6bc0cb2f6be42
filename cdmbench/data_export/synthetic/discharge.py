"""Discharge summaries in MIMIC-IV-Note's layout, assembled from parts whose exact text the truth reuses.

The export reads: the History of Present Illness up to ``Physical Exam:`` (patient_history), the admission part of
``Physical Exam:`` (physical_exam_text), ``Discharge Diagnosis:`` lines and ``Major Surgical or Invasive
Procedure:`` lines. Everything else is realistic filler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from cdmbench.data_export.synthetic.labs import LabEvent

__all__ = ["DischargeNote", "NoteInput", "build_discharge"]

_ADMISSION_HEADERS = ["ADMISSION PHYSICAL EXAM:", "Admission Exam:", "ON ADMISSION:", "Admission:", ""]
# (header, what the export keeps of it): the exam is cut at the first "discharge" (or the at/upon/on before it)
_DISCHARGE_HEADERS = [("DISCHARGE PHYSICAL EXAM:", ""), ("Discharge Exam:", ""), ("DISCHARGE:", ""),
                      ("Discharge Physical Exam:", "")] * 8 + [
    ("UPON DISCHARGE:", ""), ("On discharge:", ""), ("Exam prior to discharge:", "Exam prior to"),
    ("PHYSICAL EXAM AT DISCHARGE:", "PHYSICAL EXAM"), ("At discharge:", ""),
]  # fmt: skip
_SHORT = {
    51301: "WBC", 51279: "RBC", 51222: "Hgb", 51221: "Hct", 51250: "MCV", 51248: "MCH", 51249: "MCHC",
    51277: "RDW", 52172: "RDWSD", 51265: "Plt", 50983: "Na", 50971: "K", 50902: "Cl", 50882: "HCO3",
    50868: "AnGap", 51006: "UreaN", 50912: "Creat", 50931: "Glucose", 50893: "Calcium", 50960: "Mg",
    50970: "Phos", 50861: "ALT", 50878: "AST", 50863: "AlkPhos", 50885: "TotBili", 50862: "Albumin",
    50956: "Lipase", 50867: "Amylase", 50883: "DirBili", 50927: "GGT", 50813: "Lactate", 50889: "CRP",
}  # fmt: skip
_COURSE = {
    "appendicitis": "The patient was taken to the operating room for laparoscopic appendectomy, which was "
    "uncomplicated. Operative findings were an inflamed, non-perforated appendix.",
    "cholecystitis": "The patient was started on IV antibiotics and underwent laparoscopic cholecystectomy. "
    "Intraoperatively the gallbladder was distended and inflamed with omental adhesions.",
    "diverticulitis": "The patient was made NPO, given IV fluids and started on IV ciprofloxacin and metronidazole. "
    "Serial abdominal exams remained reassuring and the diet was advanced slowly.",
    "pancreatitis": "The patient was kept NPO and received aggressive IV fluid resuscitation with close monitoring of "
    "urine output and electrolytes. Pain was controlled with IV hydromorphone.",
}
_COURSE_GENERIC = [
    "Neuro: Pain was initially managed with IV medication and transitioned to oral analgesics once tolerating a diet.",
    "CV: Vital signs were routinely monitored and the patient remained hemodynamically stable.",
    "Pulmonary: The patient was encouraged to ambulate and use the incentive spirometer; there were no issues.",
    "GI/GU/FEN: The diet was advanced as tolerated to a regular diet. Intake and output were closely monitored.",
    "ID: The patient's temperature was closely watched for signs of infection.",
    "Prophylaxis: The patient received subcutaneous heparin and venodyne boots during the stay, and was "
    "encouraged to get up and ambulate as early as possible.",
    "At the time of discharge, the patient was doing well, afebrile with stable vital signs. The patient was "
    "tolerating a regular diet, ambulating, voiding without assistance, and pain was well controlled. The patient "
    "was discharged home with services. The patient received discharge teaching and follow-up instructions with "
    "understanding verbalized and agreement with the discharge plan.",
]
_TRANSITIONAL = [
    "Follow up with the surgical team in clinic in 2 weeks for a wound check.",
    "Please repeat CBC and chemistry panel at the follow-up visit.",
    "Outpatient colonoscopy recommended in 6-8 weeks once the acute episode resolves.",
    "Patient counseled on alcohol cessation; social work resources provided.",
    "Home blood pressure medications were held on admission and resumed at discharge.",
    "Incidental findings on imaging to be followed by the primary care physician.",
    "Complete the course of oral antibiotics as prescribed.",
    "Code status: Full code (confirmed). Contact: ___ (husband/wife) ___.",
]
_DIET = (
    "\n\nDiet:\n- Please start with clear liquids and advance to a low-fat, low-residue diet over the next few days "
    "as tolerated. Eat small, frequent meals and avoid greasy or spicy food, alcohol and carbonated drinks until your "
    "follow-up appointment. If you develop nausea, vomiting or worsening abdominal pain after eating, stop eating "
    "solid food, drink clear liquids only and call the clinic.\n\nActivity:\n- No heavy lifting (more than 10 pounds) "
    "for 4 weeks. You may climb stairs and walk as much as you like. You may resume sexual activity when comfortable."
)
_PAIN = (
    "\n\nPain Control:\n- You may take acetaminophen (Tylenol) every 8 hours as needed for pain; do not take more "
    "than 3000 mg in 24 hours. Take ibuprofen with food. Narcotic pain medication can make you sleepy and constipated: "
    "do not drive or drink alcohol while taking it, take a stool softener, and drink plenty of water. As your pain "
    "improves, use less of the narcotic medication and more of the over-the-counter medication.\n\nMedication "
    "Changes:\n- Please review the list of medications below with your primary care physician. Medications that were "
    "held during your stay have been resumed unless noted otherwise. If you have questions about any medication, "
    "please call the pharmacy or your doctor before taking it. Bring this list to every appointment."
)
_COURSE_MORE = {
    "appendicitis": "Post-operatively the patient was transferred to the floor in stable condition, received one "
    "further dose of antibiotics, and the diet was advanced on the evening of surgery without nausea.",
    "cholecystitis": "Post-operatively pain was controlled with oral medication and liver function tests trended "
    "down. Pathology of the gallbladder is pending at the time of discharge and will be followed up in clinic.",
    "diverticulitis": "Repeat abdominal exams showed decreasing tenderness and the white count normalized. The patient "
    "was transitioned to oral antibiotics to complete a 10-14 day course and counseled on a high-fiber diet.",
    "pancreatitis": "The lipase trended down, the abdominal pain improved, and the diet was advanced to low-fat "
    "solids. Triglycerides and an alcohol history were reviewed and the etiology discussed with the patient.",
}
_MEDS = [
    "Lisinopril 10 mg PO DAILY", "Atorvastatin 40 mg PO QPM", "MetFORMIN (Glucophage) 500 mg PO BID",
    "Omeprazole 20 mg PO DAILY", "Sertraline 50 mg PO DAILY", "Albuterol Inhaler 2 PUFF IH Q4H:PRN wheeze",
    "Aspirin 81 mg PO DAILY", "Amlodipine 5 mg PO DAILY", "Levothyroxine Sodium 75 mcg PO DAILY",
]  # fmt: skip
_DISCHARGE_MEDS = [
    "Acetaminophen 1000 mg PO Q8H", "Docusate Sodium 100 mg PO BID", "Senna 8.6 mg PO BID:PRN constipation",
    "OxyCODONE (Immediate Release) 5 mg PO Q4H:PRN Pain - Moderate", "Ibuprofen 600 mg PO Q6H:PRN Pain - Mild",
    "Ciprofloxacin HCl 500 mg PO Q12H", "MetroNIDAZOLE 500 mg PO Q8H", "Ondansetron 4 mg PO Q8H:PRN nausea",
]  # fmt: skip
_INSTRUCTIONS = (
    "Dear Mr./Ms. ___,\n\nYou were admitted to ___ with abdominal pain. {summary} You are now tolerating a regular "
    "diet, your pain is controlled with oral medication, and you are ready to be discharged home.\n\nPlease follow "
    "these instructions:\n- Please call your doctor or nurse practitioner or return to the Emergency Department for "
    "any of the following: you experience new chest pain, pressure, squeezing or tightness; new or worsening cough, "
    "shortness of breath, or wheezing; you are vomiting and cannot keep down fluids or your medications; you are "
    "getting dehydrated due to continued vomiting, diarrhea, or other reasons (signs of dehydration include dry mouth, "
    "rapid heartbeat, or feeling dizzy or faint when standing); you see blood or dark/black material when you vomit "
    "or have a bowel movement; you experience burning when you urinate, have blood in your urine, or experience a "
    "discharge; your pain in not improving within 8-12 hours or is not gone within 24 hours; you have shaking chills, "
    "or fever greater than 101.5 degrees Fahrenheit or 38 degrees Celsius; any change in your symptoms, or any new "
    "symptoms that concern you.\n- Please resume all regular home medications, unless specifically advised not to take "
    "a particular medication. Also, please take any new medications as prescribed.\n- Please get plenty of rest, "
    "continue to ambulate several times per day, and drink adequate amounts of fluids. Avoid lifting weights greater "
    "than 10 lbs until you follow-up with your surgeon.\n- Avoid driving or operating heavy machinery while taking "
    "pain medications.\n\nIncision Care:\n- Please call your surgeon or return to the emergency department if you "
    "develop a fever greater than 101.5 F, or increased pain, redness, swelling, or discharge from the incision.\n- "
    "You may shower and wash incisions with a mild soap and warm water. Gently pat the area dry. Do not take baths or "
    "swim until cleared by your surgeon.\n\nIt was a pleasure taking care of you,\nYour ___ Care Team"
)


@dataclass
class NoteInput:
    """What a discharge summary says (the generator's parts)."""

    female: bool
    chief_complaint: str
    procedures: list[str]
    hpi: str
    hpi_mode: str  # "normal" | "missing" (no HPI header) | "empty" (header with nothing after it)
    past_medical: str
    social: str
    family: str
    admission_exam: str
    discharge_exam: str | None
    diagnosis_lines: list[str]
    secondary_lines: list[str]
    course_key: str
    summary: str
    labs: list[LabEvent] = field(default_factory=list)
    imaging: list[str] = field(default_factory=list)
    disposition: str = "Home"
    force_secondary_header: bool = False  # the secondary lines come after a "Secondary" heading
    history_header: str = "History of Present Illness:"
    diagnosis_header: str = "Discharge Diagnosis:"


@dataclass
class DischargeNote:
    """The note text and what the export must read from it."""

    text: str
    patient_history: str
    admission_exam: str
    exam_text: str  # what the export must read as the exam (before masking): admission exam + any cut leftover
    primary_diagnosis: list[str]
    procedure_lines: list[str]


def _lab_lines(labs: list[LabEvent]) -> list[str]:
    lines: list[str] = []
    by_specimen: dict[int, list[LabEvent]] = {}
    for ev in sorted(labs, key=lambda e: (e.charttime, e.itemid)):
        by_specimen.setdefault(ev.specimen_id, []).append(ev)
    for events in list(by_specimen.values())[:14]:
        parts = []
        for ev in events:
            if ev.itemid in _SHORT and ev.value is not None:
                parts.append(f"{_SHORT[ev.itemid]}-{ev.value}{'*' if ev.flag else ''}")
        if parts:
            when = events[0].charttime.strftime("%I:%M%p")
            for i in range(0, len(parts), 9):
                lines.append(f"___ {when} BLOOD {' '.join(parts[i : i + 9])}")
    return lines


def _diagnosis_block(rng: Random, primary: list[str], secondary: list[str], force: bool) -> tuple[str, list[str]]:
    style = rng.choice([1, 2]) if force else rng.randrange(4)
    if force and " secondary to " in primary[0]:  # a bare heading whose text first occurs inside the line above
        return "\n".join([*primary, "secondary", *secondary]), primary + secondary
    if style == 0 or (style == 3 and len(primary) > 1):
        return "\n".join(primary + secondary), primary + secondary
    if style == 1:
        block = ["PRIMARY DIAGNOSIS:", *(f"- {p}" for p in primary)]
        if secondary:
            block += ["", "SECONDARY DIAGNOSIS:", *(f"- {s}" for s in secondary)]
        return "\n".join(block), primary + secondary
    if style == 2:
        block = ["Primary:", *(f"* {p}" for p in primary)]
        if secondary:
            block += ["Secondary:", *(f"* {s}" for s in secondary)]
        return "\n".join(block), primary + secondary
    return f"1. {primary[0]}", list(primary)


def build_discharge(rng: Random, note: NoteInput) -> DischargeNote:
    """Assemble a discharge summary and the pieces the export must recover from it."""
    history = (
        f"{note.hpi}\n\nPast Medical History:\n{note.past_medical}\n\nSocial History:\n{note.social}\n"
        f"Family History:\n{note.family}"
    )
    adm_header = rng.choice(_ADMISSION_HEADERS)
    exam = f"{adm_header}\n{note.admission_exam}" if adm_header else note.admission_exam
    exam_text = note.admission_exam
    if note.discharge_exam is not None:
        header, leftover = rng.choice(_DISCHARGE_HEADERS)
        exam += f"\n\n{header}\n{note.discharge_exam}"
        exam_text = f"{note.admission_exam}\n\n{leftover}"
    procedures = "\n".join(note.procedures) if note.procedures else "None"
    dx_block, dx_lines = _diagnosis_block(
        rng, note.diagnosis_lines, note.secondary_lines, note.force_secondary_header and bool(note.secondary_lines)
    )
    sex = "F" if note.female else "M"
    out = [
        " \nName:  ___                     Unit No:   ___\n \nAdmission Date:  ___              Discharge Date:   ___\n"
        f" \nDate of Birth:  ___             Sex:   {sex}\n \nService: {rng.choice(['SURGERY', 'MEDICINE'])}\n \n"
        f"Allergies: \n{rng.choice(['No Known Allergies / Adverse Drug Reactions', 'Penicillins', 'Sulfa (Sulfonamide Antibiotics)'])}\n"
        " \nAttending: ___.\n \n",
        f"Chief Complaint:\n{note.chief_complaint}\n \n",
        f"Major Surgical or Invasive Procedure:\n{procedures}\n\n \n",
    ]
    if note.hpi_mode == "normal":
        out.append(f"{note.history_header}\n{history}\n \n")
    elif note.hpi_mode == "empty":  # the header and nothing before the exam: an empty history
        out.append(f"{note.history_header}\n \n")
    else:
        out.append(f"Past Medical History:\n{note.past_medical}\n \nSocial History:\n{note.social}\n \n")
    out.append(f"Physical Exam:\n{exam}\n \n")
    if note.labs and rng.random() < 0.92:
        results = _lab_lines(note.labs)
        if note.imaging:
            results += ["", "IMAGING:", *note.imaging]
        out.append("Pertinent Results:\n" + "\n".join(results) + "\n \n")
    course = [f"Mr./Ms. ___ was admitted with {note.summary}.", _COURSE.get(note.course_key, "")]
    course.append(_COURSE_MORE.get(note.course_key, ""))
    course += [*rng.sample(_COURSE_GENERIC[:-1], rng.randint(4, 6)), _COURSE_GENERIC[-1]]
    transitional = rng.sample(_TRANSITIONAL, rng.randint(2, 4))
    course.append("Transitional Issues:\n" + "\n".join(f"- {t}" for t in transitional))
    out.append("Brief Hospital Course:\n" + "\n\n".join(c for c in course if c) + "\n \n")
    meds = rng.sample(_MEDS, rng.randint(0, 4))
    listed = "\n".join(f"{i}. {m}" for i, m in enumerate(meds, 1)) if meds else "None"
    out.append(f"Medications on Admission:\nThe Preadmission Medication list is accurate and complete.\n{listed}\n \n")
    dmeds = meds + rng.sample(_DISCHARGE_MEDS, rng.randint(2, 5))
    out.append("Discharge Medications:\n" + "\n".join(f"{i}. {m}" for i, m in enumerate(dmeds, 1)) + "\n \n")
    if rng.random() < 0.01:  # an earlier, empty diagnosis section: the export reads the LAST one
        out.append("Discharge Diagnosis:\n___\n \n")
    out.append(f"Discharge Disposition:\n{note.disposition}\n \n")
    out.append(f"{note.diagnosis_header}\n{dx_block}\n\n \n")
    out.append(
        "Discharge Condition:\nMental Status: Clear and coherent.\nLevel of Consciousness: Alert and interactive.\n"
        "Activity Status: Ambulatory - Independent.\n \n"
    )
    instructions = _INSTRUCTIONS.format(summary=note.summary.capitalize() + ".") + _DIET + _PAIN
    out.append(f"Discharge Instructions:\n{instructions}\n \n")
    out.append("Followup Instructions:\n___\n")
    return DischargeNote(
        text="".join(out),
        patient_history=history.strip(),
        admission_exam=note.admission_exam.strip(),
        exam_text=exam_text.strip(),
        primary_diagnosis=dx_lines,
        procedure_lines=[p.strip() for p in note.procedures if p.strip() and p.strip() != "None"],
    )
