"""Treatment facts for the treatment scorers: keys, procedure code lists, keywords and keyword rules.

Typed read-only accessors over ``data/procedures.json`` and ``data/treatment-rules.json`` (CDMv1's lists, with
cdmbench's added cholecystectomy resection codes 0FT40ZZ and 0FT44ZZ). No scoring logic lives here.

Example:
    >>> treatments_for("appendicitis")
    ('appendectomy', 'antibiotics', 'support')
    >>> "4701" in required_codes("appendicitis", "appendectomy")
    True
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from cdmbench.errors import UnknownNameError
from cdmbench.vocabulary._data import load_reference
from cdmbench.vocabulary.pathologies import check_pathology

__all__ = [
    "BILIARY_KEYWORD",
    "TREATMENTS",
    "KeywordRule",
    "ProcedureCodes",
    "always_required",
    "check_treatment",
    "procedure_codes",
    "requested_rule",
    "required_codes",
    "required_discharge_keywords",
    "treatments_for",
]

_RULES = load_reference("treatment-rules.json")

TREATMENTS: tuple[str, ...] = tuple(_RULES["treatment_keys"])
"""Treatment keys: appendectomy, cholecystectomy, colectomy, colonoscopy, drainage, ercp, antibiotics, support."""

BILIARY_KEYWORD = "biliary"
"""A ground-truth diagnosis positively naming this makes pancreatitis require cholecystectomy (and EUS score)."""


class ProcedureCodes(BaseModel):
    """The procedure codes and keywords of one treatment (``procedures.json``)."""

    model_config = ConfigDict(frozen=True)

    key: str
    """Treatment key, e.g. 'appendectomy'."""
    icd9: tuple[str, ...] = ()
    """ICD-9-CM procedure codes, 4 characters, no dot (e.g. '4701')."""
    icd10: tuple[str, ...] = ()
    """ICD-10-PCS codes, 7 characters, upper case."""
    icd10_pancreatitis_only: tuple[str, ...] = ()
    """Extra ICD-10-PCS codes that count for pancreatitis only (drainage)."""
    titles: dict[str, str] = {}
    """Code -> title."""
    keywords: tuple[str, ...] = ()
    """Lower-case keywords (stems or phrases) naming the treatment."""


class KeywordRule(BaseModel):
    """How a treatment counts as requested in a model's treatment text."""

    model_config = ConfigDict(frozen=True)

    all_of: tuple[tuple[str, ...], ...] = ()
    """Groups that must all hold; a group holds when any of its keywords is positive. Empty: no group test."""
    keywords: tuple[str, ...] = ()
    """Keywords any one of which (positive) counts. Empty: no keyword test."""
    location_words: tuple[str, ...] = ()
    """Alternate rule: a location word and a modifier word in one sentence (both positive)."""
    modifier_words: tuple[str, ...] = ()
    """Alternate rule modifier words (surgery words, or drainage words)."""
    only_when_required: bool = False
    """True when the treatment is only evaluated if required (pancreatitis cholecystectomy)."""


def check_treatment(key: str) -> str:
    """Return ``key`` if it is one of ``TREATMENTS``, else raise ``UnknownNameError``."""
    if key not in TREATMENTS:
        raise UnknownNameError("treatment", str(key), TREATMENTS)
    return key


def _pointer(ref: str) -> Any:
    """Resolve 'procedures.json#/treatments/x/icd9' (a JSON Pointer into a reference file)."""
    name, _, path = ref.partition("#")
    node: Any = load_reference(name)
    for part in filter(None, path.split("/")):
        node = node[part]
    return node


@cache
def procedure_codes(key: str) -> ProcedureCodes:
    """Return the codes, titles and keywords of a treatment (empty lists for antibiotics and support)."""
    entry = load_reference("procedures.json")["treatments"].get(check_treatment(key), {})
    titles = {**entry.get("icd9_titles", {}), **entry.get("icd10_titles", {})}
    titles.update(entry.get("icd10_pancreatitis_only_titles", {}))
    return ProcedureCodes(
        key=key,
        icd9=tuple(entry.get("icd9", ())),
        icd10=tuple(entry.get("icd10", ())),
        icd10_pancreatitis_only=tuple(entry.get("icd10_pancreatitis_only", ())),
        titles=titles,
        keywords=tuple(dict.fromkeys(entry.get("keywords", ()))),
    )


def _spec(pathology: str, key: str) -> dict[str, Any]:
    spec = _RULES["pathologies"][check_pathology(pathology)]
    if check_treatment(key) not in spec:
        raise UnknownNameError(f"treatment for {pathology}", key, list(spec))
    return spec[key]


def treatments_for(pathology: str) -> tuple[str, ...]:
    """Return the treatment keys scored for ``pathology`` (required always or conditionally), in reference order."""
    return tuple(_RULES["pathologies"][check_pathology(pathology)])


def always_required(pathology: str) -> tuple[str, ...]:
    """Return the treatments ``pathology`` always requires (e.g. antibiotics and support for appendicitis)."""
    spec = _RULES["pathologies"][check_pathology(pathology)]
    return tuple(k for k, v in spec.items() if v["required"]["when"] == "always")


def required_codes(pathology: str, key: str) -> frozenset[str]:
    """Return the procedure codes (ICD-9 and ICD-10) whose presence makes ``key`` required for ``pathology``.

    Empty for treatments required always, or by another test (pancreatitis cholecystectomy: 'biliary').
    """
    required = _spec(pathology, key)["required"]
    refs = [required.get("icd9_list"), required.get("icd10_list"), *required.get("icd10_extra_lists", ())]
    return frozenset(code for ref in refs if ref for code in _pointer(ref))


def required_discharge_keywords(pathology: str, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (keywords, location words) that make ``key`` required when found in the discharge procedure lines.

    Location words are non-empty only for drainage (keyword AND location, possibly on different lines).
    """
    required = _spec(pathology, key)["required"]
    if "discharge_keywords" in required:
        return tuple(_pointer(required["discharge_keywords"])), ()
    both = required.get("discharge_keywords_and_locations")
    if both:
        return tuple(_pointer(both["keywords"])), tuple(_pointer(both["locations"]))
    return (), ()


def requested_rule(pathology: str, key: str) -> KeywordRule:
    """Return how ``key`` counts as requested in the model's treatment text for ``pathology``."""
    requested = _spec(pathology, key)["requested"]
    alternate = _pointer(requested["alternate"]) if requested.get("alternate") else {}
    return KeywordRule(
        all_of=tuple(tuple(group["any_of"]) for group in requested.get("all_of", ())),
        keywords=tuple(dict.fromkeys(_pointer(requested["keywords"]))) if requested.get("keywords") else (),
        location_words=tuple(alternate.get("location_words", ())),
        modifier_words=tuple(alternate.get("modifier_words", ())),
        only_when_required=bool(requested.get("only_evaluated_when_required", False)),
    )
