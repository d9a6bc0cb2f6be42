"""Laboratory facts: scoring categories, per-pathology required and neutral itemids, panels, synonym classes.

All facts come from ``data/labs.json`` (CDMv1's lists). Itemids are MIMIC-IV ``d_labitems`` ids.

Example:
    >>> required_categories("cholecystitis")["gallbladder"]
    (50883, 50927)
    >>> sorted(synonym_class(50885))
    [50883, 50884, 50885]
"""

from __future__ import annotations

from functools import cache
from types import MappingProxyType

from pydantic import BaseModel

from cdmbench.errors import UnknownNameError
from cdmbench.vocabulary._data import load_reference
from cdmbench.vocabulary.pathologies import check_pathology

__all__ = [
    "LAB_CATEGORIES",
    "PANELS",
    "PANEL_SYNONYMS",
    "LabItem",
    "category_itemids",
    "fluid_keywords",
    "neutral_itemids",
    "reference_lab_items",
    "required_categories",
    "synonym_class",
    "synonym_classes",
]

_LABS = load_reference("labs.json")

LAB_CATEGORIES: tuple[str, ...] = tuple(_LABS["categories"])
"""The lab scoring categories: inflammation, liver, gallbladder, pancreas, seriousness."""

PANELS: MappingProxyType[str, tuple[int, ...]] = MappingProxyType(
    {name: tuple(ids) for name, ids in _LABS["panels"].items()}
)
"""Panel (or named test) -> its itemids, e.g. 'Complete Blood Count (CBC)' -> (51279, 51301, ...)."""

PANEL_SYNONYMS: MappingProxyType[str, str] = MappingProxyType(dict(_LABS["panel_synonyms"]))
"""Another name of a panel -> the panel's name in ``PANELS``, e.g. 'LFTs' -> 'Liver Function Panel (LFP)'."""


class LabItem(BaseModel):
    """One lab item (a ``d_labitems`` row, or a microbiology test)."""

    itemid: int
    """d_labitems itemid (or microbiology test_itemid)."""
    label: str
    """Its label, e.g. 'Bilirubin, Total'."""
    fluid: str | None = None
    """Specimen fluid, e.g. 'Blood'; None for microbiology tests."""
    category: str | None = None
    """d_labitems category, e.g. 'Chemistry'."""


def category_itemids(category: str) -> tuple[int, ...]:
    """Return the itemids of a lab category (see ``LAB_CATEGORIES``)."""
    if category not in _LABS["categories"]:
        raise UnknownNameError("lab category", category, LAB_CATEGORIES)
    return tuple(_LABS["categories"][category])


def required_categories(pathology: str) -> dict[str, tuple[int, ...]]:
    """Return the required lab categories of ``pathology`` in scoring order, each with its itemids.

    Appendicitis and diverticulitis require inflammation; cholecystitis inflammation, liver and gallbladder;
    pancreatitis inflammation, pancreas and seriousness.
    """
    spec = _LABS["pathologies"][check_pathology(pathology)]["required_categories"]
    return {name: tuple(ids) for name, ids in spec.items()}


def neutral_itemids(pathology: str) -> frozenset[int]:
    """Return the itemids that are neither required nor unnecessary for ``pathology`` (CDMv1's neutral panels)."""
    return frozenset(_LABS["pathologies"][check_pathology(pathology)]["neutral_itemids"])


@cache
def synonym_classes() -> tuple[frozenset[int], ...]:
    """Return the undirected itemid synonym classes, closed transitively (CDMv1 semantics).

    Built from ``itemid_synonym_classes`` and the ``itemid_synonyms`` pairs; every itemid of a class stands for
    all of them (a bilirubin itemid yields 50883, 50884 and 50885).
    """
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for group in _LABS["itemid_synonym_classes"]:
        for other in group[1:]:
            union(group[0], other)
    for key, value in _LABS["itemid_synonyms"].items():
        union(int(key), int(value))
    groups: dict[int, set[int]] = {}
    for itemid in list(parent):
        groups.setdefault(find(itemid), set()).add(itemid)
    return tuple(frozenset(g) for g in sorted(groups.values(), key=min))


@cache
def _class_of() -> dict[int, frozenset[int]]:
    return {itemid: group for group in synonym_classes() for itemid in group}


def synonym_class(itemid: int) -> frozenset[int]:
    """Return the synonym class of ``itemid`` (just ``{itemid}`` when it has no synonyms)."""
    return _class_of().get(int(itemid), frozenset({int(itemid)}))


@cache
def reference_lab_items() -> tuple[LabItem, ...]:
    """Return the lab items listed in the reference (``labs.json`` ``itemid_labels``), in itemid order."""
    return tuple(
        LabItem(itemid=int(k), label=v["label"], fluid=v.get("fluid"), category=v.get("category"))
        for k, v in sorted(_LABS["itemid_labels"].items(), key=lambda kv: int(kv[0]))
    )


def fluid_keywords() -> dict[str, tuple[str, ...]]:
    """Return fluid -> the d_labitems fluids it accepts (``labs.json`` ``fluid_mapping``), e.g. Blood -> Plasma."""
    return {fluid: tuple(values) for fluid, values in _LABS["fluid_mapping"].items()}
