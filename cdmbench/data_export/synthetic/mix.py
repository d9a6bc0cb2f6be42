"""How many admissions of each kind: the MIMIC-CDM pathology split and the distractor plan.

Example:
    >>> pathology_counts(2400)
    {'appendicitis': 957, 'cholecystitis': 648, 'diverticulitis': 257, 'pancreatitis': 538}
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = [
    "DISTRACTOR_KINDS",
    "DISTRACTOR_REASON",
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
    "other_first_diagnosis": 30,
    "secondary_only": 14,
    "no_hpi": 14,
    "hpi_names_disease": 14,
    "no_labs": 14,
    "no_abdominal_imaging": 14,
}
"""Relative share of each distractor kind (each has exactly one defect)."""

DISTRACTOR_KINDS: tuple[str, ...] = tuple(DISTRACTOR_WEIGHTS)

DISTRACTOR_REASON: dict[str, str] = {
    "other_first_diagnosis": "not_in_cohort",
    "secondary_only": "not_in_cohort",
    "no_hpi": "no_hpi",
    "hpi_names_disease": "hpi_names_disease",
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
    """Distractors per kind; every kind gets at least one once ``n`` allows it."""
    counts = largest_remainder(n, DISTRACTOR_WEIGHTS)
    if n >= len(DISTRACTOR_KINDS):
        for kind in DISTRACTOR_KINDS:
            if counts[kind] == 0:
                donor = max(counts, key=lambda k: counts[k])
                counts[donor] -= 1
                counts[kind] += 1
    return counts
