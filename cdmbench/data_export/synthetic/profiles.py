"""Per-pathology profiles: sex ratio, age, length of stay, microbiology share, wording, and procedures done.

Facts from MIMIC-CDM (median age 36 for appendicitis, about 59-60 otherwise; 49-59 % women).
"""

from __future__ import annotations

from datetime import datetime
from random import Random

__all__ = [
    "CAREUNITS",
    "CHIEF_COMPLAINTS",
    "CHRONIC",
    "FEMALE_P",
    "LOS_DAYS",
    "MICRO_P",
    "PLAIN_COMORBIDITIES",
    "PRIMARY_TEXT",
    "draw_age",
    "procedure_kinds",
    "ts",
]

FEMALE_P = {"appendicitis": 0.49, "cholecystitis": 0.59, "diverticulitis": 0.55, "pancreatitis": 0.50, None: 0.52}
LOS_DAYS = {
    "appendicitis": (1, 3),
    "cholecystitis": (2, 5),
    "diverticulitis": (2, 6),
    "pancreatitis": (3, 8),
    None: (1, 4),
}
MICRO_P = {"appendicitis": 0.74, "cholecystitis": 0.85, "diverticulitis": 0.8, "pancreatitis": 0.88, None: 0.75}
CHIEF_COMPLAINTS = {
    "appendicitis": ["Abdominal pain", "RLQ pain", "Right lower quadrant abdominal pain"],
    "cholecystitis": ["RUQ pain", "Abdominal pain", "Right upper quadrant pain, nausea"],
    "diverticulitis": ["LLQ pain", "Abdominal pain", "Left lower quadrant pain"],
    "pancreatitis": ["Epigastric pain", "Abdominal pain", "Epigastric pain, nausea/vomiting"],
}
PRIMARY_TEXT = {
    "appendicitis": ["Acute appendicitis", "Acute appendicitis, non-perforated", "Appendicitis"],
    "cholecystitis": ["Acute cholecystitis", "Acute calculous cholecystitis", "Cholecystitis"],
    "diverticulitis": ["Acute sigmoid diverticulitis", "Diverticulitis", "Acute diverticulitis"],
    "pancreatitis": ["Acute pancreatitis", "Acute pancreatitis", "Acute alcoholic pancreatitis"],
    "sbo": ["Small bowel obstruction"], "colic": ["Biliary colic", "Symptomatic cholelithiasis"],
    "gastroenteritis": ["Gastroenteritis"], "renal_colic": ["Right ureteral stone", "Nephrolithiasis"],
    "rlq_pain": ["Abdominal pain, etiology unclear"], "chronic_pancreatitis": ["Chronic pancreatitis flare"],
    "diverticulosis": ["Diverticular bleed"],
}  # fmt: skip
PLAIN_COMORBIDITIES = ["Hypertension", "Hyperlipidemia", "Type 2 diabetes mellitus", "GERD", "Tobacco use", "Obesity",
          "Depression", "Asthma", "Hyponatremia", "Anemia", "Hypokalemia", "History of tobacco use"]  # fmt: skip
CHRONIC = [0, 1, 2, 3, 5, 6, 7]
CAREUNITS = ["Med/Surg", "Surgery", "Medicine", "Med/Surg/GYN", "Surgery/Trauma", "Transplant"]


def ts(value: datetime | None) -> str:
    return str(value) if value else ""


def draw_age(rng: Random, pathology: str | None) -> int:
    mean = 37.0 if pathology == "appendicitis" else 59.5
    sd = 15.0 if pathology == "appendicitis" else 16.0
    return int(min(89, max(18, round(rng.gauss(mean, sd)))))


def procedure_kinds(rng: Random, pathology: str | None, biliary: bool) -> list[str]:
    kinds: list[str] = []
    if pathology == "appendicitis":
        kinds += ["appendectomy"] if rng.random() < 0.9 else []
        kinds += ["drainage"] if rng.random() < 0.08 else []
    elif pathology == "cholecystitis":
        kinds += ["ercp"] if rng.random() < 0.14 else []
        kinds += ["cholecystectomy"] if rng.random() < 0.68 else (["cholecystostomy"] if rng.random() < 0.4 else [])
    elif pathology == "diverticulitis":
        kinds += ["drainage"] if rng.random() < 0.15 else []
        kinds += ["colectomy"] if rng.random() < 0.2 else []
    elif pathology == "pancreatitis":
        kinds += ["ercp"] if rng.random() < (0.5 if biliary else 0.06) else []
        kinds += ["cholecystectomy"] if rng.random() < (0.4 if biliary else 0.02) else []
    return kinds
