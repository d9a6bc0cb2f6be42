"""Facts the report needs from the packaged reference files: lab categories, treatments, preferred imaging."""

from __future__ import annotations

from functools import cache

from cdmbench.vocabulary._data import load_reference

__all__ = ["LAB_CATEGORIES", "TREATMENT_KEYS", "lab_categories", "max_lab_score", "preferred_modalities", "treatments"]

LAB_CATEGORIES: tuple[str, ...] = tuple(load_reference("labs.json")["categories"])
"""All lab categories in reference order (inflammation, liver, gallbladder, pancreas, seriousness)."""

TREATMENT_KEYS: tuple[str, ...] = tuple(load_reference("treatment-rules.json")["treatment_keys"])
"""All treatment keys in reference order."""


@cache
def lab_categories(pathology: str) -> tuple[str, ...]:
    """The required lab categories of ``pathology`` (empty for an unknown pathology)."""
    entry = load_reference("labs.json")["pathologies"].get(pathology, {})
    return tuple(entry.get("required_categories", {}))


@cache
def max_lab_score(pathology: str) -> int | None:
    """The maximum ``laboratory_tests`` score of ``pathology`` (1 or 3), or None when unknown."""
    entry = load_reference("labs.json")["pathologies"].get(pathology, {})
    return entry.get("max_laboratory_score")


@cache
def treatments(pathology: str) -> tuple[str, ...]:
    """The treatment keys scored for ``pathology``, in ``TREATMENT_KEYS`` order (empty when unknown)."""
    entry = load_reference("treatment-rules.json")["pathologies"].get(pathology, {})
    return tuple(k for k in TREATMENT_KEYS if k in entry)


@cache
def preferred_modalities(pathology: str) -> tuple[str, ...]:
    """The imaging modalities worth 2 points for ``pathology`` (e.g. ('Ultrasound',))."""
    entry = load_reference("imaging.json")["scoring"].get(pathology, {})
    return tuple(entry.get("preferred", ()))
