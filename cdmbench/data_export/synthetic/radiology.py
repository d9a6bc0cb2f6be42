"""Radiology reports in MIMIC's sectioned layout (EXAMINATION, INDICATION, TECHNIQUE, ..., IMPRESSION).

A report is a list of sections, each one ``"HEADER: body"`` with no surrounding whitespace and no blank line of
spaces; the report text joins them with one blank line, so the export's cleaned text (kept sections, stripped,
joined with a blank line) is exactly the join of the kept sections, however finely the export splits.
"""

from __future__ import annotations

from random import Random

from cdmbench.data_export.synthetic.catalog import Exam, vocabulary

__all__ = ["kept_text", "report_sections"]

_FOCUS_CT = {
    "appendicitis": [
        "GASTROINTESTINAL: The appendix is dilated to {mm} mm with wall thickening, mucosal hyperenhancement and "
        "periappendiceal fat stranding. {extra} No free intraperitoneal air.",
    ],
    "cholecystitis": [
        "HEPATOBILIARY: The gallbladder is distended with wall thickening to {mm} mm and pericholecystic fat "
        "stranding. Layering gallstones are present. No intrahepatic or extrahepatic biliary dilatation.",
    ],
    "diverticulitis": [
        "GASTROINTESTINAL: There is wall thickening of the sigmoid colon with surrounding fat stranding centered on "
        "an inflamed diverticulum. {extra} Extensive sigmoid diverticulosis.",
    ],
    "pancreatitis": [
        "PANCREAS: The pancreas is edematous with peripancreatic fat stranding and a small amount of peripancreatic "
        "fluid. The pancreas enhances homogeneously without necrosis. No pancreatic ductal dilatation.",
    ],
    "sbo": ["GASTROINTESTINAL: Dilated loops of small bowel measure up to {mm} mm with a transition point in the "
            "right mid abdomen. The colon is decompressed."],
    "renal_colic": ["URINARY: A {mm} mm stone is seen at the right ureterovesical junction with mild "
                    "hydroureteronephrosis."],
}  # fmt: skip
_EXTRA = {
    "appendicitis": [
        "An appendicolith is seen at the base.",
        "No periappendiceal abscess.",
        "Small amount of free fluid.",
    ],
    "diverticulitis": ["No drainable fluid collection.", "A 3.1 cm rim-enhancing pelvic collection is present."],
}
_MASKED = {
    "appendicitis": [
        "Findings are compatible with acute appendicitis.",
        "Concern for tip appendicitis.",
        "Inflammatory change in keeping with periappendicitis.",
    ],
    "cholecystitis": ["Findings are concerning for acute cholecystitis.", "Appearance suggests cholecystitis."],
    "diverticulitis": [
        "Findings are consistent with acute diverticulitis.",
        "Compatible with diverticulitis.",
        "Pericolonic stranding, in keeping with peridiverticulitis.",
    ],
    "pancreatitis": ["Findings are compatible with acute pancreatitis.", "Consistent with interstitial pancreatitis."],
}
_IMPRESSION = {
    "appendicitis": "Acute appendicitis without abscess or perforation.",
    "cholecystitis": "Findings consistent with acute calculous cholecystitis.",
    "diverticulitis": "Acute sigmoid diverticulitis.",
    "pancreatitis": "Acute interstitial edematous pancreatitis.",
}
_NORMAL_CT = [
    "LOWER CHEST: Visualized lung bases are clear. No pleural or pericardial effusion.",
    "HEPATOBILIARY: The liver enhances homogeneously. The gallbladder is unremarkable.",
    "PANCREAS: The pancreas is normal in size without peripancreatic stranding.",
    "SPLEEN: Normal size.",
    "ADRENALS: The adrenal glands are normal.",
    "URINARY: The kidneys enhance symmetrically without hydronephrosis.",
    "GASTROINTESTINAL: The stomach and small bowel are unremarkable. The appendix is normal.",
    "PELVIS: The bladder is decompressed. No free fluid.",
    "LYMPH NODES: No enlarged lymph nodes.",
    "VASCULAR: Mild atherosclerotic calcification of the abdominal aorta.",
    "BONES: No suspicious osseous lesion.",
]
_US_FOCUS = {
    "appendicitis": "RIGHT LOWER QUADRANT: A noncompressible blind-ending tubular structure measuring {mm} mm is "
    "seen in the area of pain, with surrounding hyperechoic fat and hyperemia.",
    "cholecystitis": "GALLBLADDER: The gallbladder is distended and contains multiple shadowing stones, with wall "
    "thickening to {mm} mm and pericholecystic fluid. Sonographic Murphy sign is positive.",
    "pancreatitis": "PANCREAS: The pancreatic head and body are edematous; the tail is obscured by bowel gas. "
    "Sludge and small stones are present in the gallbladder without wall thickening.",
}
_US_NORMAL = [
    "LIVER: The liver is normal in echotexture without focal lesion. The main portal vein is patent.",
    "BILE DUCTS: There is no intrahepatic biliary dilatation. The common bile duct measures 4 mm.",
    "KIDNEYS: No hydronephrosis. Right kidney 10.6 cm, left kidney 11.0 cm.",
    "SPLEEN: Normal echotexture, measuring 9.8 cm.",
]
_OTHER_FINDINGS = {
    "xr_abd": "FINDINGS: Supine and upright views of the abdomen show a nonobstructive bowel gas pattern. There is no "
    "free intraperitoneal air. No pathologic calcifications are seen.",
    "cxr": "FINDINGS: The lungs are clear without focal consolidation. No pleural effusion or pneumothorax. The "
    "cardiomediastinal silhouette is normal. No free air beneath the diaphragms. The hilar contours are normal and "
    "the pulmonary vasculature is not engorged. The visualized osseous structures are intact without acute fracture.",
    "ct_chest": "FINDINGS: No pulmonary embolism. The lungs are clear. No pleural or pericardial effusion. No "
    "mediastinal or hilar lymphadenopathy.",
    "ct_head": "FINDINGS: There is no intracranial hemorrhage, edema, mass effect or acute large territorial "
    "infarction. The ventricles and sulci are normal in size.",
    "le_veins": "FINDINGS: Normal compressibility, flow and augmentation of the common femoral, femoral and popliteal "
    "veins. Normal color flow in the posterior tibial and peroneal veins. No deep vein thrombosis.",
    "us_pelvis": "FINDINGS: The uterus is anteverted and measures 7.9 cm. The endometrium is 6 mm. Both ovaries are "
    "normal with normal arterial and venous flow. No adnexal mass. Trace free fluid.",
    "us_duplex": "FINDINGS: The main, right and left portal veins are patent with hepatopetal flow. The hepatic veins "
    "and IVC are patent. The superior mesenteric vein and splenic vein are patent.",
    "outside": "FINDINGS: Outside images were uploaded to PACS for review. No report is generated for this study.",
}
_MR = {
    "cholecystitis": "FINDINGS: The gallbladder is distended with wall edema and multiple small stones. No "
    "choledocholithiasis. The pancreatic duct is normal in caliber.",
    "pancreatitis": "FINDINGS: Peripancreatic edema and fluid without walled-off collection. A 4 mm stone is seen in "
    "the distal common bile duct. The pancreatic parenchyma enhances normally.",
    None: "FINDINGS: The liver, spleen and pancreas are unremarkable. No biliary dilatation. No lymphadenopathy.",
}


def _indication(rng: Random, age: int, female: bool, presentation: str) -> str:
    who = f"___ year old {'woman' if female else 'man'}"
    pains = {
        "appendicitis": "RLQ pain // eval for appendicitis",
        "cholecystitis": "RUQ pain, fever // eval for cholecystitis",
        "diverticulitis": "LLQ pain // diverticulitis?",
        "pancreatitis": "epigastric pain, elevated lipase // eval pancreatitis, gallstones",
    }
    reason = pains.get(presentation, "abdominal pain // eval")
    header = rng.choice(["INDICATION", "INDICATION", "INDICATION", "HISTORY", "CLINICAL INFORMATION"])
    return f"{header}: {who} with {reason}"


_ADDENDA = [
    "ADDENDUM: Review of the coronal reformations confirms the findings above. No free intraperitoneal air.",
    "ADDENDUM: The findings were discussed with Dr. ___ by telephone at ___ on the day of the study.",
    "ADDENDUM: On re-review, the previously described fluid is simple and unchanged in distribution.",
]


def addendum_sections(rng: Random) -> list[str]:
    """An addendum report (its exam name is only on the parent note, via radiology_detail parent_note_id)."""
    return [rng.choice(_ADDENDA)]


def empty_report_sections(rng: Random, presentation: str, age: int, female: bool) -> list[str]:
    """A report with only sections the export drops (indication, comparison, impression), or also an empty kept
    header (a wet read's "FINDINGS:" with nothing under it): empty after cleaning."""
    indication = _indication(rng, age, female, presentation)
    impression = rng.choice(
        ["IMPRESSION: Study limited by motion; please see the repeat study.", "IMPRESSION: Wet read only."]
    )
    findings = ["FINDINGS:"] if impression.endswith("Wet read only.") else []  # no extra draw: the stream stays
    return [indication, "COMPARISON: None.", *findings, impression]


def report_sections(rng: Random, exam: Exam, presentation: str, age: int, female: bool, focus: bool) -> list[str]:
    """The sections of one radiology report.

    Args:
        rng: the admission's random source.
        exam: the catalogue exam.
        presentation: a pathology or another presentation (shapes the findings).
        age: patient age (only ``___`` is written, as in MIMIC).
        female: patient sex.
        focus: whether the findings show the disease (abdominal exams of the case's pathology).
    """
    kind = exam.kind
    if kind == "ercp" and rng.random() < 0.35:  # GI-unit note without findings: the export drops it (no kept text)
        return [_indication(rng, age, female, presentation), "IMPRESSION: See GI procedure note."]
    sections = [f"EXAMINATION: {exam.name}", _indication(rng, age, female, presentation)]
    if kind in ("ct", "ct_chest", "ct_head"):
        contrast = "without" if "W/O" in exam.name else "following"
        sections.append(
            f"TECHNIQUE: MDCT images were acquired {contrast} intravenous contrast. Coronal and sagittal "
            "reformations were reviewed."
        )
        sections.append(f"DOSE: Total DLP (Body) = {rng.randint(180, 900)} mGy-cm.")
    elif kind in ("us", "us_pelvis", "us_duplex", "le_veins") and rng.random() < 0.5:
        sections.append("TECHNIQUE: Grayscale and color Doppler ultrasound images were obtained.")
    sections.append(rng.choice(["COMPARISON: None.", "COMPARISON: ___.", "COMPARISON: CT from ___."]))
    mm = rng.randint(8, 14)
    masked = rng.choice(_MASKED[presentation]) if focus and presentation in _MASKED and rng.random() < 0.35 else ""
    if kind == "ct":
        body = ["FINDINGS:"]
        normals = list(_NORMAL_CT)
        if presentation in _FOCUS_CT and (focus or presentation not in _MASKED):
            text = rng.choice(_FOCUS_CT[presentation]).format(mm=mm, extra=rng.choice(_EXTRA.get(presentation, [""])))
            prefix = text.split(":")[0]
            normals = [n for n in normals if not n.startswith(prefix)]
            normals.insert(rng.randint(1, len(normals)), " ".join(text.split()))
        body += normals
        if masked:
            body.append(masked)
        sections.append("\n\n".join(body))
    elif kind == "us":
        body = ["FINDINGS:", *_US_NORMAL[: rng.randint(3, 4)]]
        if focus and presentation in _US_FOCUS:
            body.insert(
                1, _US_FOCUS[presentation].format(mm=rng.randint(4, 7) if presentation != "appendicitis" else mm)
            )
        if masked:
            body.append(masked)
        sections.append("\n\n".join(body))
    elif kind in ("mr", "mrcp", "eus"):
        sections.append(_MR.get(presentation if focus else None, _MR[None]) + (f" {masked}" if masked else ""))
    elif kind == "hida":
        sections.append("RADIOPHARMACEUTICAL DATA: 5.1 mCi Tc-99m Mebrofenin.")
        seen = "is not visualized at 4 hours, including after morphine" if focus else "fills by 45 minutes"
        sections.append(f"FINDINGS: Prompt hepatic uptake and excretion into the bowel. The gallbladder {seen}.")
    elif kind == "ercp":
        sections.append(
            "FINDINGS: Fluoroscopic images obtained during ERCP show cannulation of the common bile duct with "
            "filling defects in the distal duct, followed by sphincterotomy and balloon sweep."
        )
    else:
        sections.append(_OTHER_FINDINGS[kind])
    impression = _IMPRESSION.get(presentation, "No acute process.") if focus else "No acute abnormality."
    sections.append(f"IMPRESSION: {impression}")
    return sections


def kept_text(sections: list[str]) -> str:
    """The export's cleaned report text: sections whose header is not dropped, joined by a blank line; nothing
    when the kept sections are bare headers ("FINDINGS:")."""
    dropped = tuple(vocabulary("imaging")["radiology_sections_dropped"])
    kept = [s.strip() for s in sections if not s.startswith(dropped)]
    if all(s.endswith(":") for s in kept):
        return ""
    return "\n\n".join(s for s in kept if s)
