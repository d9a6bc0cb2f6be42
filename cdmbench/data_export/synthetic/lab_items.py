"""Laboratory item definitions: units, reference ranges, well-patient values, panels and pathology effects.

Itemids, labels, fluids and categories are MIMIC-IV's (``labs.json`` ``itemid_labels``, plus ``EXTRA_LABITEMS``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "COMMON_P",
    "EFFECTS",
    "EXTRA_LABITEMS",
    "LAB_SPECS",
    "MISC_ITEMS",
    "PANELS",
    "PANEL_P",
    "TEXT_SPECS",
    "LabSpec",
]


@dataclass(frozen=True)
class LabSpec:
    """A numeric lab item: unit, reference range, and its value in a well patient."""

    unit: str | None
    low: float | None
    high: float | None
    mean: float
    sd: float
    decimals: int
    floor: float = 0.0


EXTRA_LABITEMS: dict[int, dict[str, str]] = {
    50813: {"label": "Lactate", "fluid": "Blood", "category": "Blood Gas"},
    50868: {"label": "Anion Gap", "fluid": "Blood", "category": "Chemistry"},
    50960: {"label": "Magnesium", "fluid": "Blood", "category": "Chemistry"},
    51463: {"label": "Bacteria", "fluid": "Urine", "category": "Hematology"},
    51466: {"label": "Blood", "fluid": "Urine", "category": "Hematology"},
}
"""Realistic MIMIC-IV items the generator uses that ``labs.json`` does not list."""

_S = LabSpec
LAB_SPECS: dict[int, LabSpec] = {
    51301: _S("K/uL", 4.0, 10.0, 7.5, 1.8, 1, 1.5),
    51279: _S("m/uL", 4.2, 5.4, 4.5, 0.45, 2, 2.5),
    51222: _S("g/dL", 12.0, 16.0, 13.4, 1.5, 1, 7.0),
    51221: _S("%", 36.0, 48.0, 40.0, 4.0, 1, 22.0),
    51250: _S("fL", 82.0, 98.0, 89.0, 5.0, 0, 65.0),
    51248: _S("pg", 27.0, 32.0, 29.8, 1.8, 1, 20.0),
    51249: _S("g/dL", 31.0, 35.0, 33.4, 1.0, 1, 29.0),
    51277: _S("%", 10.5, 15.5, 13.4, 1.2, 1, 11.0),
    52172: _S("fL", 35.1, 46.3, 42.0, 4.0, 1, 32.0),
    51265: _S("K/uL", 150.0, 400.0, 250.0, 60.0, 0, 60.0),
    51256: _S("%", 34.0, 71.0, 60.0, 9.0, 1, 25.0),
    51244: _S("%", 18.0, 42.0, 28.0, 8.0, 1, 3.0),
    51254: _S("%", 4.0, 11.0, 7.0, 2.0, 1, 1.0),
    51200: _S("%", 1.0, 4.0, 1.8, 1.2, 1, 0.0),
    51146: _S("%", 0.0, 1.0, 0.4, 0.25, 1, 0.0),
    52075: _S("K/uL", 1.6, 7.6, 4.5, 1.5, 2, 0.8),
    51133: _S("K/uL", 1.2, 3.7, 2.0, 0.6, 2, 0.3),
    52074: _S("K/uL", 0.2, 0.8, 0.5, 0.15, 2, 0.05),
    52073: _S("K/uL", 0.04, 0.44, 0.14, 0.08, 2, 0.01),
    52069: _S("K/uL", 0.01, 0.08, 0.03, 0.015, 2, 0.01),
    51237: _S(None, 0.9, 1.1, 1.05, 0.12, 1, 0.8),
    51274: _S("sec", 9.4, 12.5, 11.5, 1.1, 1, 9.0),
    51275: _S("sec", 25.0, 36.5, 29.0, 3.5, 1, 21.0),
    50983: _S("mEq/L", 135.0, 145.0, 139.0, 2.8, 0, 120.0),
    50971: _S("mEq/L", 3.3, 5.1, 4.1, 0.4, 1, 2.6),
    50902: _S("mEq/L", 96.0, 108.0, 102.0, 3.0, 0, 85.0),
    50882: _S("mEq/L", 22.0, 32.0, 25.0, 2.5, 0, 12.0),
    50868: _S("mEq/L", 8.0, 20.0, 14.0, 2.5, 0, 5.0),
    51006: _S("mg/dL", 6.0, 20.0, 15.0, 5.0, 0, 3.0),
    50912: _S("mg/dL", 0.4, 1.1, 0.9, 0.2, 1, 0.3),
    50931: _S("mg/dL", 70.0, 100.0, 110.0, 25.0, 0, 55.0),
    50893: _S("mg/dL", 8.4, 10.3, 9.3, 0.45, 1, 6.5),
    50960: _S("mg/dL", 1.6, 2.6, 2.0, 0.2, 1, 1.1),
    50970: _S("mg/dL", 2.7, 4.5, 3.4, 0.6, 1, 1.2),
    50861: _S("IU/L", 0.0, 40.0, 24.0, 12.0, 0, 5.0),
    50878: _S("IU/L", 0.0, 40.0, 25.0, 10.0, 0, 8.0),
    50863: _S("IU/L", 35.0, 105.0, 75.0, 22.0, 0, 25.0),
    50885: _S("mg/dL", 0.0, 1.5, 0.6, 0.3, 1, 0.1),
    50883: _S("mg/dL", 0.0, 0.3, 0.2, 0.1, 1, 0.1),
    50884: _S("mg/dL", 0.0, 1.1, 0.5, 0.25, 1, 0.1),
    50927: _S("IU/L", 0.0, 51.0, 30.0, 15.0, 0, 6.0),
    50862: _S("g/dL", 3.5, 5.2, 4.2, 0.4, 1, 2.0),
    50956: _S("IU/L", 0.0, 60.0, 32.0, 14.0, 0, 6.0),
    50867: _S("IU/L", 0.0, 100.0, 55.0, 20.0, 0, 10.0),
    50889: _S("mg/L", 0.0, 5.0, 3.0, 2.0, 1, 0.1),
    51652: _S("mg/L", 0.0, 3.0, 1.8, 1.2, 1, 0.1),
    50813: _S("mmol/L", 0.5, 2.0, 1.4, 0.45, 1, 0.4),
    50809: _S("mg/dL", 70.0, 100.0, 112.0, 25.0, 0, 55.0),
    50811: _S("g/dL", 12.0, 16.0, 13.3, 1.5, 1, 7.0),
    50822: _S("mEq/L", 3.5, 5.3, 4.1, 0.4, 1, 2.6),
    50824: _S("mEq/L", 133.0, 145.0, 138.0, 3.0, 0, 120.0),
    50806: _S("mEq/L", 96.0, 108.0, 103.0, 3.0, 0, 85.0),
    50808: _S("mmol/L", 1.12, 1.32, 1.17, 0.06, 2, 0.9),
    50810: _S("%", 36.0, 48.0, 40.0, 4.0, 0, 22.0),
    51000: _S("mg/dL", 0.0, 150.0, 120.0, 50.0, 0, 30.0),
    50907: _S("mg/dL", 0.0, 199.0, 180.0, 35.0, 0, 90.0),
    50904: _S("mg/dL", 40.0, None, 50.0, 12.0, 0, 18.0),
    50905: _S("mg/dL", 0.0, 129.0, 105.0, 30.0, 0, 30.0),
    50924: _S("ng/mL", 13.0, 150.0, 110.0, 80.0, 0, 5.0),
    50952: _S("ug/dL", 30.0, 160.0, 80.0, 30.0, 0, 10.0),
    50953: _S("ug/dL", 260.0, 470.0, 320.0, 50.0, 0, 150.0),
    50998: _S("mg/dL", 200.0, 360.0, 250.0, 40.0, 0, 100.0),
    51288: _S("mm/hr", 0.0, 20.0, 15.0, 12.0, 0, 1.0),
    50993: _S("uIU/mL", 0.27, 4.2, 1.8, 0.9, 2, 0.05),
    51003: _S("ng/mL", 0.0, 0.01, 0.01, 0.005, 2, 0.01),
    50976: _S("g/dL", 6.4, 8.3, 7.1, 0.5, 1, 4.5),
    51100: _S("mEq/L", None, None, 60.0, 30.0, 0, 10.0),
    51082: _S("mg/dL", None, None, 100.0, 50.0, 0, 10.0),
    51093: _S("mOsm/kg", None, None, 500.0, 200.0, 0, 100.0),
    51498: _S(None, 1.0, 1.03, 1.02, 0.01, 2, 1.0),
    51491: _S("units", 5.0, 8.0, 6.0, 0.7, 1, 5.0),
    51493: _S("#/hpf", 0.0, 2.0, 1.0, 2.0, 0, 0.0),
    51516: _S("#/hpf", 0.0, 5.0, 3.0, 4.0, 0, 0.0),
    51476: _S("#/hpf", 0.0, 5.0, 1.0, 1.5, 0, 0.0),
}
"""Numeric items: unit, reference range, mean and sd in a well patient, decimals, lowest value."""

_NEG_POS = [("NEG", 70, None, False), ("TR", 12, None, True), ("SM", 9, None, True), ("MOD", 6, None, True)]
_NEG_POS += [("LG", 3, None, True)]
TEXT_SPECS: dict[int, tuple[str | None, list[tuple[str, int, float | None, bool]]]] = {
    51508: (None, [("Yellow", 60, None, False), ("Straw", 25, None, False), ("Amber", 12, None, False)]),
    51506: (None, [("Clear", 65, None, False), ("Hazy", 25, None, False), ("Cloudy", 10, None, True)]),
    51492: (
        "mg/dL",
        [("NEG", 60, None, False), ("TR", 15, None, True), ("30", 15, 30.0, True), ("100", 10, 100.0, True)],
    ),
    51478: ("mg/dL", [("NEG", 88, None, False), ("100", 7, 100.0, True), ("300", 5, 300.0, True)]),
    51484: (
        "mg/dL",
        [("NEG", 60, None, False), ("TR", 12, None, True), ("10", 13, 10.0, True), ("40", 10, 40.0, True)],
    ),
    51464: (None, [("NEG", 88, None, False), ("SM", 8, None, True), ("MOD", 4, None, True)]),
    51514: ("mg/dL", [("NEG", 80, None, False), ("2", 12, 2.0, True), ("4", 8, 4.0, True)]),
    51487: (None, [("NEG", 92, None, False), ("POS", 8, None, True)]),
    51486: (None, _NEG_POS),
    51466: (None, _NEG_POS),
    51463: (
        None,
        [("NONE", 50, None, False), ("FEW", 30, None, False), ("MOD", 15, None, True), ("MANY", 5, None, True)],
    ),
    51512: (None, [("RARE", 40, None, False), ("FEW", 40, None, False), ("OCC", 20, None, False)]),
    51085: (None, [("NEG", 100, None, False)]),
    51460: (None, [("NEG", 80, None, False), ("POS", 20, None, True)]),
}
"""Text-valued items (urine dipstick and friends): unit for numeric answers, [(value, weight, valuenum, abnormal)]."""

PANELS: dict[str, list[int]] = {
    "cbc": [51301, 51279, 51222, 51221, 51250, 51248, 51249, 51277, 52172, 51265],
    "diff": [51256, 51244, 51254, 51200, 51146, 52075, 51133, 52074, 52073, 52069],
    "chem": [50983, 50971, 50902, 50882, 50868, 51006, 50912, 50931, 50893, 50960, 50970],
    "lft": [50861, 50878, 50863, 50885, 50862],
    "lft_extra": [50883, 50927, 50884],
    "lipase": [50956],
    "amylase": [50867],
    "coag": [51237, 51274, 51275],
    "lactate": [50813],
    "ua": [
        *(51508, 51506, 51498, 51491, 51492, 51478, 51484, 51464, 51514),
        *(51487, 51486, 51466, 51493, 51516, 51463, 51476, 51512),
    ],
    "hcg": [51085],
    "crp": [50889],
    "bg": [50809, 50811, 50822, 50824, 50806, 50808, 50810],
    "lipids": [51000, 50907, 50904, 50905],
}
MISC_ITEMS = [50924, 50952, 50953, 50998, 51288, 50993, 51003, 50976, 51652, 51100, 51082, 51093]

# probability of each day-0 panel per pathology (None = a non-cohort admission)
PANEL_P: dict[str, dict[str, float]] = {
    "appendicitis": {"diff": 0.92, "lft": 0.85, "lft_extra": 0.1, "lipase": 0.6, "amylase": 0.08, "coag": 0.7},
    "cholecystitis": {"diff": 0.92, "lft": 0.98, "lft_extra": 0.55, "lipase": 0.95, "amylase": 0.2, "coag": 0.75},
    "diverticulitis": {"diff": 0.92, "lft": 0.85, "lft_extra": 0.1, "lipase": 0.65, "amylase": 0.08, "coag": 0.7},
    "pancreatitis": {"diff": 0.92, "lft": 0.98, "lft_extra": 0.45, "lipase": 1.0, "amylase": 0.4, "coag": 0.75},
    "other": {"diff": 0.9, "lft": 0.8, "lft_extra": 0.15, "lipase": 0.6, "amylase": 0.1, "coag": 0.6},
}
COMMON_P = {"lactate": 0.55, "ua": 0.78, "crp": 0.15, "bg": 0.12}

# pathology effects: itemid -> (probability, mean, sd) of a disease-driven value on day 0
EFFECTS: dict[str, dict[int, tuple[float, float, float]]] = {
    "appendicitis": {
        51301: (0.8, 14.0, 3.5), 51256: (0.8, 80.0, 7.0), 52075: (0.8, 11.0, 3.0), 51244: (0.8, 12.0, 5.0),
        50889: (0.7, 60.0, 45.0), 50885: (0.2, 1.6, 0.5),
    },
    "cholecystitis": {
        51301: (0.7, 13.0, 3.5), 51256: (0.7, 79.0, 7.0), 52075: (0.7, 10.0, 3.0), 51244: (0.7, 13.0, 5.0),
        50863: (0.6, 160.0, 60.0), 50885: (0.5, 2.2, 1.0), 50883: (0.5, 0.9, 0.5), 50861: (0.5, 110.0, 70.0),
        50878: (0.5, 95.0, 60.0), 50927: (0.6, 180.0, 100.0), 50889: (0.7, 90.0, 60.0), 50956: (0.2, 90.0, 40.0),
    },
    "diverticulitis": {
        51301: (0.75, 13.5, 3.5), 51256: (0.7, 78.0, 7.0), 52075: (0.7, 10.0, 3.0), 51244: (0.7, 14.0, 5.0),
        50889: (0.8, 95.0, 60.0),
    },
    "pancreatitis": {
        50956: (0.95, 1600.0, 1200.0), 50867: (0.85, 600.0, 400.0), 51301: (0.6, 12.5, 3.5),
        51256: (0.6, 77.0, 7.0), 52075: (0.6, 9.5, 3.0), 50861: (0.4, 150.0, 100.0), 50878: (0.4, 130.0, 90.0),
        50863: (0.35, 140.0, 60.0), 50885: (0.35, 2.0, 1.0), 50883: (0.3, 0.8, 0.5), 51000: (0.25, 600.0, 400.0),
        50813: (0.3, 2.6, 0.8), 50931: (0.5, 160.0, 40.0), 50893: (0.2, 8.0, 0.4), 51006: (0.3, 28.0, 8.0),
        51221: (0.2, 47.0, 3.0),
    },
    "other": {51301: (0.4, 11.5, 2.5), 50889: (0.3, 20.0, 15.0)},
}  # fmt: skip
