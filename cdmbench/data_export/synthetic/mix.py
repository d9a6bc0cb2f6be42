"""How many admissions of each kind: the MIMIC-CDM pathology split and the distractor plan.

Example:
    >>> pathology_counts(2400)
    {'appendicitis': 957, 'cholecystitis': 648, 'diverticulitis': 257, 'pancreatitis': 538}
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from cdmbench.data_export.rules import MANUAL_EXCLUSIONS

__all__ = [
    "DISTRACTOR_KINDS",
    "DISTRACTOR_REASON",
    "MAX_MANUAL",
    "PATHOLOGIES",
    "PATHOLOGY_WEIGHTS",
    "distractor_counts",
    "largest_remainder",
    "n_distractors",
    "pathology_counts",
]

PATHOLOGY_WEIGHTS: dict[str, int] = {
    "appendicitis": 957,
    "cholecystitis": 648,
    "diverticulitis": 257,
    "pancreatitis": 538,
}
"""Cases per pathology in MIMIC-CDM (2,400 admissions)."""

PATHOLOGIES: tuple[str, ...] = tuple(PATHOLOGY_WEIGHTS)

DISTRACTOR_WEIGHTS: dict[str, int] = {
    "other_first_diagnosis": 24,
    "manual_exclusion": 1,
    "no_history": 12,
    "history_names_disease": 12,
    "short_exam": 8,
    "secondary_discharge_diagnosis": 10,
    "other_first_discharge_diagnosis": 11,
    "no_labs": 11,
    "no_abdominal_imaging": 11,
}
"""Relative share of each distractor kind (each has exactly one defect)."""

MAX_MANUAL = len(MANUAL_EXCLUSIONS)
"""``manual_exclusion`` distractors reuse CDMv1's four hand-removed hadm_ids, so there are at most four."""

DISTRACTOR_KINDS: tuple[str, ...] = tuple(DISTRACTOR_WEIGHTS)

DISTRACTOR_REASON: dict[str, str] = {
    "other_first_diagnosis": "not_in_cohort",
    "manual_exclusion": "manual_exclusion",
    "no_history": "no_history",
    "history_names_disease": "history_names_disease",
    "short_exam": "short_exam",
    "secondary_discharge_diagnosis": "not_primary_diagnosis",
    "other_first_discharge_diagnosis": "not_first_diagnosis",
    "no_labs": "no_labs",
    "no_abdominal_imaging": "no_abdominal_imaging",
}
"""The export's exclusion reason for each distractor kind."""


def largest_remainder(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` in proportion to integer ``weights`` (Hamilton's method, exact integer arithmetic).

    Ties in the remainders go to the key listed first.
    """
    if total < 0:
        raise ValueError(f"total must be >= 0, got {total}")
    weight_sum = sum(weights.values())
    base = {k: total * w // weight_sum for k, w in weights.items()}
    left = total - sum(base.values())
    order = sorted(weights, key=lambda k: (-(total * weights[k] % weight_sum), list(weights).index(k)))
    for key in order[:left]:
        base[key] += 1
    return base


def pathology_counts(n_admissions: int) -> dict[str, int]:
    """Benchmark cases per pathology: MIMIC-CDM's 957:648:257:538, scaled by largest remainder."""
    return largest_remainder(n_admissions, PATHOLOGY_WEIGHTS)


def n_distractors(n_admissions: int, distractor_fraction: float) -> int:
    """``ceil(distractor_fraction * n_admissions)``, robust to float noise (0.1 * 30 is 3, not 4)."""
    return max(0, math.ceil(round(distractor_fraction * n_admissions, 9)))


def distractor_counts(n: int) -> dict[str, int]:
    """Distractors per kind; every kind gets at least one once ``n`` allows it (``manual_exclusion`` at most 4)."""
    counts = largest_remainder(n, DISTRACTOR_WEIGHTS)
    if n >= len(DISTRACTOR_KINDS):
        for kind in DISTRACTOR_KINDS:
            if counts[kind] == 0:
                donor = max(counts, key=lambda k: counts[k])
                counts[donor] -= 1
                counts[kind] += 1
    extra = counts["manual_exclusion"] - MAX_MANUAL
    if extra > 0:
        counts["manual_exclusion"] = MAX_MANUAL
        counts["other_first_diagnosis"] += extra
    return counts
