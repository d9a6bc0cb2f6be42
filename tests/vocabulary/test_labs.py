"""Tests for cdmbench.vocabulary.labs: categories, required/neutral itemids, panels, synonym classes."""

from __future__ import annotations

import pytest

from cdmbench.errors import UnknownNameError
from cdmbench.vocabulary import PATHOLOGIES
from cdmbench.vocabulary._data import load_reference
from cdmbench.vocabulary.labs import (
    LAB_CATEGORIES,
    PANEL_SYNONYMS,
    PANELS,
    category_itemids,
    neutral_itemids,
    reference_lab_items,
    required_categories,
    synonym_class,
    synonym_classes,
)


def test_categories() -> None:
    assert LAB_CATEGORIES == ("inflammation", "liver", "gallbladder", "pancreas", "seriousness")
    assert category_itemids("gallbladder") == (50883, 50927)
    assert 51301 in category_itemids("inflammation")
    with pytest.raises(UnknownNameError):
        category_itemids("kidney")


@pytest.mark.parametrize(
    ("pathology", "categories"),
    [
        ("appendicitis", ["inflammation"]),
        ("cholecystitis", ["inflammation", "liver", "gallbladder"]),
        ("diverticulitis", ["inflammation"]),
        ("pancreatitis", ["inflammation", "pancreas", "seriousness"]),
    ],
)
def test_required_categories_in_scoring_order(pathology: str, categories: list[str]) -> None:
    required = required_categories(pathology)
    assert list(required) == categories
    for name, ids in required.items():
        assert ids == category_itemids(name)


@pytest.mark.parametrize("pathology", PATHOLOGIES)
def test_neutral_itemids_follow_the_panel_rule(pathology: str) -> None:
    spec = load_reference("labs.json")["pathologies"][pathology]
    panels = {i for name in spec["neutral_panels"] for i in PANELS[name]} | set(spec["neutral_extra_itemids"])
    required = {i for ids in required_categories(pathology).values() for i in ids}
    assert neutral_itemids(pathology) == frozenset(panels - required)


def test_cholecystitis_keeps_alp_neutral() -> None:
    assert 50863 in neutral_itemids("cholecystitis")
    assert 50883 not in neutral_itemids("cholecystitis")  # required (gallbladder)


def test_panels_and_synonyms() -> None:
    assert 50956 not in PANELS["Complete Blood Count (CBC)"]
    assert 51301 in PANELS["Complete Blood Count (CBC)"]
    assert PANEL_SYNONYMS["LFTs"] == "Liver Function Panel (LFP)"
    assert all(target in PANELS for target in PANEL_SYNONYMS.values())


def test_synonym_classes_are_undirected_and_disjoint() -> None:
    assert synonym_class(50883) == synonym_class(50885) == frozenset({50883, 50884, 50885})
    assert synonym_class(51300) == frozenset({51300, 51301})
    assert synonym_class(50956) == frozenset({50956})
    seen: set[int] = set()
    for group in synonym_classes():
        assert not group & seen
        seen |= group
    for key, value in load_reference("labs.json")["itemid_synonyms"].items():
        assert int(value) in synonym_class(int(key))


def test_reference_lab_items() -> None:
    items = {item.itemid: item for item in reference_lab_items()}
    assert items[50956].label == "Lipase" and items[50956].fluid == "Blood"
    assert items[90201].fluid is None
