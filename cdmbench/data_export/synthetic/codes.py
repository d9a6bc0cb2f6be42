"""ICD diagnosis and procedure codes with their real long titles (stored without dots, as in MIMIC-IV).

Benchmark first diagnoses are only codes whose title contains the cohort phrase; the distractor diagnoses
include near misses ("Unspecified appendicitis", "Other chronic pancreatitis", "Diverticulosis ...").
"""

from __future__ import annotations

from functools import cache
from random import Random

from cdmbench.data_export.synthetic.catalog import vocabulary

__all__ = [
    "COHORT_CODES",
    "COMORBIDITIES",
    "OTHER_FIRST_DIAGNOSES",
    "PROCEDURE_TEXT",
    "Code",
    "diagnosis_titles",
    "pick",
    "procedure_codes",
    "procedure_titles",
]

Code = tuple[str, int, str]  # (icd_code, icd_version, long_title)

COHORT_CODES: dict[str, dict[int, list[tuple[str, str, int]]]] = {
    # pathology -> version -> [(code, title, weight)]
    "appendicitis": {
        9: [
            ("5409", "Acute appendicitis without mention of peritonitis", 70),
            ("5400", "Acute appendicitis with generalized peritonitis", 15),
            ("5401", "Acute appendicitis with peritoneal abscess", 15),
        ],
        10: [
            ("K3580", "Unspecified acute appendicitis", 40),
            ("K3589", "Other acute appendicitis", 25),
            ("K352", "Acute appendicitis with generalized peritonitis", 15),
            ("K353", "Acute appendicitis with localized peritonitis", 20),
        ],
    },
    "cholecystitis": {
        9: [
            ("5750", "Acute cholecystitis", 45),
            ("57400", "Calculus of gallbladder with acute cholecystitis, without mention of obstruction", 45),
            ("57401", "Calculus of gallbladder with acute cholecystitis, with obstruction", 10),
        ],
        10: [
            ("K810", "Acute cholecystitis", 35),
            ("K8000", "Calculus of gallbladder with acute cholecystitis without obstruction", 45),
            ("K8001", "Calculus of gallbladder with acute cholecystitis with obstruction", 10),
            ("K8062", "Calculus of gallbladder and bile duct with acute cholecystitis without obstruction", 10),
        ],
    },
    "diverticulitis": {
        9: [
            ("56211", "Diverticulitis of colon (without mention of hemorrhage)", 90),
            ("56213", "Diverticulitis of colon with hemorrhage", 10),
        ],
        10: [
            ("K5732", "Diverticulitis of large intestine without perforation or abscess without bleeding", 60),
            ("K5733", "Diverticulitis of large intestine without perforation or abscess with bleeding", 5),
            ("K5720", "Diverticulitis of large intestine with perforation and abscess without bleeding", 25),
            (
                "K5792",
                "Diverticulitis of intestine, part unspecified, without perforation or abscess without bleeding",
                10,
            ),
        ],
    },
    "pancreatitis": {
        9: [("5770", "Acute pancreatitis", 100)],
        10: [
            ("K859", "Acute pancreatitis, unspecified", 20),
            ("K8590", "Acute pancreatitis without necrosis or infection, unspecified", 30),
            ("K8510", "Biliary acute pancreatitis without necrosis or infection", 25),
            ("K8520", "Alcohol induced acute pancreatitis without necrosis or infection", 15),
            ("K8500", "Idiopathic acute pancreatitis without necrosis or infection", 10),
        ],
    },
}

OTHER_FIRST_DIAGNOSES: dict[int, list[tuple[str, str, str]]] = {
    # version -> [(code, title, presentation)]; presentation picks the history template
    9: [
        ("5609", "Unspecified intestinal obstruction", "sbo"),
        ("56081", "Intestinal or peritoneal adhesions with obstruction (postoperative) (postinfection)", "sbo"),
        ("57420", "Calculus of gallbladder without mention of cholecystitis, without mention of obstruction", "colic"),
        ("5589", "Other and unspecified noninfective gastroenteritis and colitis", "gastroenteritis"),
        ("5921", "Calculus of ureter", "renal_colic"),
        ("7880", "Renal colic", "renal_colic"),
        ("541", "Appendicitis, unqualified", "rlq_pain"),
        ("5771", "Chronic pancreatitis", "chronic_pancreatitis"),
        ("56210", "Diverticulosis of colon (without mention of hemorrhage)", "diverticulosis"),
        ("78903", "Abdominal pain, right lower quadrant", "rlq_pain"),
    ],
    10: [
        ("K5660", "Unspecified intestinal obstruction", "sbo"),
        ("K565", "Intestinal adhesions [bands] with obstruction (postprocedural) (postinfection)", "sbo"),
        ("K8020", "Calculus of gallbladder without cholecystitis without obstruction", "colic"),
        ("K5290", "Noninfective gastroenteritis and colitis, unspecified", "gastroenteritis"),
        ("A099", "Infectious gastroenteritis and colitis, unspecified", "gastroenteritis"),
        ("N201", "Calculus of ureter", "renal_colic"),
        ("N23", "Unspecified renal colic", "renal_colic"),
        ("K37", "Unspecified appendicitis", "rlq_pain"),
        ("K861", "Other chronic pancreatitis", "chronic_pancreatitis"),
        ("K819", "Cholecystitis, unspecified", "colic"),
        (
            "K5730",
            "Diverticulosis of large intestine without perforation or abscess without bleeding",
            "diverticulosis",
        ),
        ("R1031", "Right lower quadrant pain", "rlq_pain"),
    ],
}

SECONDARY_FIRST: dict[int, list[Code]] = {
    # first diagnoses of the "pathology only as a secondary diagnosis" distractors
    9: [("0389", 9, "Unspecified septicemia"), ("5849", 9, "Acute kidney failure, unspecified")],
    10: [("A419", 10, "Sepsis, unspecified organism"), ("N179", 10, "Acute kidney failure, unspecified")],
}

COMORBIDITIES: dict[int, list[tuple[str, str]]] = {
    9: [
        ("4019", "Unspecified essential hypertension"),
        ("2724", "Other and unspecified hyperlipidemia"),
        (
            "25000",
            "Diabetes mellitus without mention of complication, type II or unspecified type, not stated as uncontrolled",
        ),
        ("53081", "Esophageal reflux"),
        ("3051", "Tobacco use disorder"),
        ("27800", "Obesity, unspecified"),
        ("311", "Depressive disorder, not elsewhere classified"),
        ("49390", "Asthma, unspecified type, unspecified"),
        ("2761", "Hyposmolality and/or hyponatremia"),
        ("2859", "Anemia, unspecified"),
        ("2768", "Hypopotassemia"),
        ("V1582", "Personal history of tobacco use"),
    ],
    10: [
        ("I10", "Essential (primary) hypertension"),
        ("E785", "Hyperlipidemia, unspecified"),
        ("E119", "Type 2 diabetes mellitus without complications"),
        ("K219", "Gastro-esophageal reflux disease without esophagitis"),
        ("F17210", "Nicotine dependence, cigarettes, uncomplicated"),
        ("E669", "Obesity, unspecified"),
        ("F329", "Major depressive disorder, single episode, unspecified"),
        ("J45909", "Unspecified asthma, uncomplicated"),
        ("E871", "Hypo-osmolality and hyponatremia"),
        ("D649", "Anemia, unspecified"),
        ("E876", "Hypokalemia"),
        ("Z87891", "Personal history of nicotine dependence"),
    ],
}

BILIARY_SECONDARY: dict[int, Code] = {
    9: ("5768", 9, "Other specified disorders of biliary tract"),
    10: ("K838", 10, "Other specified diseases of biliary tract"),
}
ALCOHOL_SECONDARY: dict[int, Code] = {
    9: ("30390", 9, "Other and unspecified alcohol dependence, unspecified"),
    10: ("F1020", 10, "Alcohol dependence, uncomplicated"),
}
GALLSTONE_SECONDARY: dict[int, Code] = {
    9: ("57420", 9, "Calculus of gallbladder without mention of cholecystitis, without mention of obstruction"),
    10: ("K8020", 10, "Calculus of gallbladder without cholecystitis without obstruction"),
}


def pick(rng: Random, weighted: list[tuple[str, str, int]]) -> tuple[str, str]:
    """Pick (code, title) from [(code, title, weight)]."""
    code, title, _ = rng.choices(weighted, weights=[w for *_, w in weighted])[0]
    return code, title


def diagnosis_titles() -> dict[tuple[str, int], str]:
    """Every diagnosis code the generator can write, keyed by (icd_code, icd_version)."""
    out: dict[tuple[str, int], str] = {}
    for by_version in COHORT_CODES.values():
        for version, rows in by_version.items():
            out.update({(c, version): t for c, t, _ in rows})
    for version, rows in OTHER_FIRST_DIAGNOSES.items():
        out.update({(c, version): t for c, t, _ in rows})
    for version, pairs in COMORBIDITIES.items():
        out.update({(c, version): t for c, t in pairs})
    for table in (SECONDARY_FIRST,):
        for rows in table.values():
            out.update({(c, v): t for c, v, t in rows})
    for single in (BILIARY_SECONDARY, ALCOHOL_SECONDARY, GALLSTONE_SECONDARY):
        out.update({(c, v): t for c, v, t in single.values()})
    return out


@cache
def procedure_titles() -> dict[tuple[str, int], str]:
    """Every procedure code with a title in ``procedures.json``, keyed by (icd_code, icd_version)."""
    out: dict[tuple[str, int], str] = {}
    for entry in vocabulary("procedures")["treatments"].values():
        for key, version in (
            ("icd9_titles", 9),
            ("icd10_titles", 10),
            ("icd10_pancreatitis_only_titles", 10),
        ):
            out.update({(code, version): title for code, title in entry.get(key, {}).items()})
    return out


_PROCEDURE_CHOICES: dict[str, dict[int, list[str]]] = {
    "appendectomy": {9: ["4701"] * 8 + ["4709"] * 2, 10: ["0DTJ4ZZ"] * 8 + ["0DTJ0ZZ"] * 2},
    "cholecystectomy": {9: ["5123"] * 8 + ["5122"], 10: ["0FB44ZZ"] * 6 + ["0FT44ZZ"] * 2 + ["0FB40ZZ"]},
    "cholecystostomy": {9: ["5102", "5103"], 10: ["0F9430Z"]},
    "colectomy": {9: ["1736", "4576", "4575", "1739", "5451"], 10: ["0DTN4ZZ", "0DTN0ZZ", "0DTM4ZZ"]},
    "drainage": {9: ["5491"], 10: ["0W9G30Z", "0W9J30Z", "0W9G3ZZ"]},
    "ercp": {9: ["5110", "5188", "5187", "5185"], 10: ["0FC98ZZ", "0F798DZ", "BF11YZZ", "0FJB8ZZ"]},
}

PROCEDURE_TEXT: dict[str, list[str]] = {
    "appendectomy": ["Laparoscopic appendectomy", "laparoscopic appendectomy", "Open appendectomy"],
    "cholecystectomy": ["Laparoscopic cholecystectomy", "laparoscopic cholecystectomy"],
    "cholecystostomy": ["Percutaneous cholecystostomy tube placement (___)", "IR-guided cholecystostomy"],
    "colectomy": ["Laparoscopic sigmoid colectomy", "Sigmoid colectomy with end colostomy (Hartmann procedure)"],
    "drainage": ["CT-guided drainage of pelvic abscess", "IR placement of pigtail drain in abscess"],
    "ercp": ["ERCP with sphincterotomy and stone extraction", "ERCP with biliary stent placement"],
}
"""How the discharge note's 'Major Surgical or Invasive Procedure' section words each procedure."""


_CODES_PER_KIND = {"ercp": (1, 3), "colectomy": (1, 2)}


def procedure_codes(rng: Random, kind: str, version: int) -> list[Code]:
    """The (code, version, title) rows of one procedure (ERCP and colectomy often carry several codes)."""
    low, high = _CODES_PER_KIND.get(kind, (1, 1))
    choices = sorted(set(_PROCEDURE_CHOICES[kind][version]))
    picked = [rng.choice(_PROCEDURE_CHOICES[kind][version])]
    extra = [c for c in choices if c not in picked]
    picked += rng.sample(extra, min(len(extra), rng.randint(low, high) - 1))
    return [(code, version, procedure_titles()[(code, version)]) for code in picked]
