"""The per-pathology scoring configuration, read once from the packaged vocabulary data.

Everything that differs between the four scorers lives here as data: the pathology word and alternative
names (``diagnosis.json``), the required lab categories and neutral tests (``labs.json``), the imaging points
(``imaging.json``) and the treatment rules (``treatment-rules.json`` resolved against ``procedures.json``).

Example:
    >>> config = pathology_config("cholecystitis")
    >>> list(config.lab_categories)
    ['inflammation', 'liver', 'gallbladder']
    >>> config.imaging_points["HIDA"]
    2
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cdmbench.vocabulary import PATHOLOGIES, check_pathology
from cdmbench.vocabulary._data import load_reference

__all__ = ["AlternativeName", "PathologyConfig", "TreatmentRule", "all_configs", "pathology_config"]


@dataclass(frozen=True)
class AlternativeName:
    """A location stem plus modifier stems; it matches when the location and one modifier both occur."""

    location: str
    modifiers: tuple[str, ...]


@dataclass(frozen=True)
class TreatmentRule:
    """How one treatment of one pathology is required (ground truth) and requested (model's plan)."""

    key: str
    """Treatment key, e.g. 'appendectomy'."""
    always_required: bool
    """Required in every case of the pathology."""
    codes: frozenset[str] = frozenset()
    """ICD-9 and ICD-10-PCS procedure codes (upper case, no dots) that make it required."""
    discharge_keywords: tuple[str, ...] = ()
    """A discharge procedure positively containing one of these makes it required."""
    discharge_locations: tuple[str, ...] = ()
    """Drainage only: required when a discharge procedure has a keyword AND one has a location word."""
    requires_biliary: bool = False
    """Required when a ground-truth diagnosis positively mentions 'biliary' (pancreatitis cholecystectomy)."""
    requested_groups: tuple[tuple[str, ...], ...] = ()
    """All groups must hold; a group holds when one of its keywords is positive in the plan."""
    requested_keywords: tuple[str, ...] = ()
    """A positive procedure keyword in the plan means requested."""
    sentence_locations: tuple[str, ...] = ()
    """Alternate rule: one sentence with a location word ..."""
    sentence_modifiers: tuple[str, ...] = ()
    """... and a modifier word, both positive, means requested."""
    requested_only_when_required: bool = False
    """The requested test is evaluated only when the treatment is required (else it is False)."""


@dataclass(frozen=True)
class PathologyConfig:
    """All scoring facts of one pathology."""

    name: str
    word: str
    alternative_names: tuple[AlternativeName, ...]
    gracious_names: tuple[AlternativeName, ...]
    lab_categories: dict[str, frozenset[int]]
    """Required category -> itemids, in the order categories are checked."""
    neutral_itemids: frozenset[int]
    imaging_points: dict[str, int]
    """Canonical modality -> points for an abdominal request; a valid modality may score 0 (pancreatitis EUS)."""
    eus_biliary_bonus: bool
    """Pancreatitis: an EUS request adds 1 (capped at 2, once) when the diagnosis is biliary."""
    imaging_region: str
    treatments: tuple[TreatmentRule, ...] = field(default=())

    @property
    def max_laboratory_score(self) -> int:
        """The number of required lab categories."""
        return len(self.lab_categories)


def _resolve(pointer: str | None) -> Any:
    """Follow a 'procedures.json#/treatments/x/icd9' reference into the packaged data."""
    if not pointer:
        return None
    name, _, path = pointer.partition("#")
    node: Any = load_reference(name)
    for part in path.strip("/").split("/"):
        node = node[part]
    return node


def _codes(*lists: Any) -> frozenset[str]:
    return frozenset(str(c).replace(".", "").strip().upper() for codes in lists if codes for c in codes)


def _names(entries: list[dict]) -> tuple[AlternativeName, ...]:
    return tuple(AlternativeName(e["location"].lower(), tuple(m.lower() for m in e["modifiers"])) for e in entries)


def _treatment(key: str, spec: dict) -> TreatmentRule:
    required, requested = spec["required"], spec["requested"]
    both = required.get("discharge_keywords_and_locations") or {}
    alternate = _resolve(requested.get("alternate")) or {}
    return TreatmentRule(
        key=key,
        always_required=required.get("when") == "always",
        codes=_codes(
            _resolve(required.get("icd9_list")),
            _resolve(required.get("icd10_list")),
            *(_resolve(p) for p in required.get("icd10_extra_lists", ())),
        ),
        discharge_keywords=tuple(_resolve(required.get("discharge_keywords")) or _resolve(both.get("keywords")) or ()),
        discharge_locations=tuple(_resolve(both.get("locations")) or ()),
        requires_biliary="biliary_keyword" in required,
        requested_groups=tuple(tuple(g["any_of"]) for g in requested.get("all_of", ())),
        requested_keywords=tuple(_resolve(requested.get("keywords")) or ()),
        sentence_locations=tuple(alternate.get("location_words", ())),
        sentence_modifiers=tuple(alternate.get("modifier_words", ())),
        requested_only_when_required=bool(requested.get("only_evaluated_when_required")),
    )


@cache
def pathology_config(pathology: str) -> PathologyConfig:
    """Return the scoring configuration of ``pathology`` (one of ``PATHOLOGIES``); cached.

    Raises:
        UnknownNameError: ``pathology`` is not one of the four.
    """
    check_pathology(pathology)
    diagnosis = load_reference("diagnosis.json")["pathologies"][pathology]
    labs = load_reference("labs.json")["pathologies"][pathology]
    imaging = load_reference("imaging.json")["scoring"][pathology]
    rules = load_reference("treatment-rules.json")["pathologies"][pathology]
    points = dict(imaging["points"])
    eus_bonus = False
    for special in imaging.get("special_rules", ()):
        if special.get("modality") == "EUS" and special.get("valid"):
            points.setdefault("EUS", 0)  # valid; its only effect is the biliary bonus
            eus_bonus = True
        elif special.get("valid") is False:
            points.pop(special["modality"], None)
    return PathologyConfig(
        name=pathology,
        word=diagnosis["pathology_word"].lower(),
        alternative_names=_names(diagnosis["alternative_names"]),
        gracious_names=_names(diagnosis["gracious_only_alternative_names"]),
        lab_categories={cat: frozenset(ids) for cat, ids in labs["required_categories"].items()},
        neutral_itemids=frozenset(labs["neutral_itemids"]),
        imaging_points=points,
        eus_biliary_bonus=eus_bonus,
        imaging_region=imaging["region_required"],
        treatments=tuple(_treatment(key, spec) for key, spec in rules.items()),
    )


def all_configs() -> dict[str, PathologyConfig]:
    """The configurations of the four pathologies, in ``PATHOLOGIES`` order."""
    return {p: pathology_config(p) for p in PATHOLOGIES}
