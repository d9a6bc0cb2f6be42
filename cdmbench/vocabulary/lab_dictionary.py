"""The lab label dictionary: every known label (and panel name) -> the itemids it stands for.

Built per ``labs.json`` ``label_table_construction_cdmv1`` from the reference ``itemid_labels``, an optional
``d_labitems`` table and the labels found in cases (never from a fixed path):

1. label -> every itemid carrying it (``label_alterations`` applied first);
2. each panel name and panel synonym -> the panel's itemids;
3. a label with a parenthesised part adds its short name (inside) and long name (the rest):
   'Complete Blood Count (CBC)' -> 'CBC', 'Complete Blood Count';
4. a label with 'Total' not at its start adds 'Total <rest>': 'Bilirubin, Total' -> 'Total Bilirubin';
   cdmbench also adds the bare name of an 'X, Total' or 'X Count' label ('Bilirubin', 'WBC'), since that is what
   a clinician means by a bare 'bilirubin' or 'WBC' (the reference's own 'Bilirubin' and 'WBC' labels are urine);
   bare names come from d_labitems labels only, and ``bare_names=False`` (the ``cdmv1`` protocol) leaves them out;
5. the itemids that a label has from ``d_labitems`` rows (steps 1, 3, 4) are closed under the undirected synonym
   classes (``labs.synonym_classes``); a panel's own list is never expanded, as in CDMv1 (whose synonyms belong to
   the per-itemid ``corresponding_ids``): "Urinalysis" does not gain 51109 (through 51108), "Direct Bilirubin"
   (50883) does not gain 50884/50885;
6. microbiology test names of the cases are added as labels.

Example:
    >>> dictionary = LabDictionary.build()
    >>> dictionary.itemids("CBC")[:3]
    (51279, 51301, 51755)
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process, utils

from cdmbench.errors import DataSourceError
from cdmbench.vocabulary._data import load_reference
from cdmbench.vocabulary.labs import PANEL_SYNONYMS, PANELS, LabItem, reference_lab_items, synonym_class

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LabDictionary", "LabMatchResult", "split_short_long"]

LabMatchResult = tuple[str, float]
"""(matched label, fuzz.ratio score)."""

_D_LABITEMS_COLUMNS = ("itemid", "label", "fluid", "category")


def split_short_long(name: str) -> tuple[str, str] | None:
    """Split 'Long Name (SHORT) rest' into ('SHORT', 'Long Name rest') at the outermost parentheses, or None."""
    start = name.find("(")
    if start < 0:
        return None
    depth = 0
    for pos in range(start, len(name)):
        if name[pos] == "(":
            depth += 1
        elif name[pos] == ")":
            depth -= 1
            if depth == 0:
                short = name[start + 1 : pos].strip()
                long = " ".join(f"{name[:start]} {name[pos + 1 :]}".split()).replace(" ,", ",").strip(" ,")
                return (short, long) if short and long else None
    return None


def _derived_names(label: str, bare_names: bool = True) -> list[str]:
    names = []
    parts = split_short_long(label)
    if parts:
        names.extend(parts)
    if re.search(r"(?<!^)\bTotal\b", label):
        rest = " ".join(re.sub(r",?\s*\bTotal\b", " ", label).split()).strip(" ,")
        if rest:
            names.append(f"Total {rest}")
    for pattern in (r"^(.+?),\s*Total$", r"^(.+?)\s+Count$") if bare_names else ():
        match = re.match(pattern, label)
        if match:
            names.append(match.group(1).strip())
    return names


def _pandas():
    """pandas if it is imported (a DataFrame or ``pd.NA`` can only come from it), else None: importing it takes
    seconds, and the dictionary is built from plain rows as well."""
    return sys.modules.get("pandas")


def _is_missing(value: Any) -> bool:
    pandas = _pandas()
    return (
        value is None or (isinstance(value, float) and math.isnan(value)) or (pandas is not None and value is pandas.NA)
    )


def _rows(d_labitems: pd.DataFrame | Iterable[Any] | None) -> list[LabItem]:
    if d_labitems is None:
        return []
    pandas = _pandas()
    if pandas is not None and isinstance(d_labitems, pandas.DataFrame):
        missing = [c for c in ("itemid", "label") if c not in d_labitems.columns]
        if missing:
            raise DataSourceError(
                f"d_labitems table lacks column(s) {missing}; it needs {list(_D_LABITEMS_COLUMNS)} "
                "(as MIMIC-IV hosp.d_labitems)."
            )
        frame = d_labitems.reindex(columns=list(_D_LABITEMS_COLUMNS))
        records: Iterable[Sequence[Any]] = frame.itertuples(index=False, name=None)
    else:
        records = ((r.itemid, r.label, r.fluid, r.category) if isinstance(r, LabItem) else tuple(r) for r in d_labitems)
    items = []
    for record in records:
        itemid, label, *rest = (*record, None, None)
        if _is_missing(itemid) or _is_missing(label) or not str(label).strip():
            continue
        fluid, category = (None if _is_missing(v) else str(v) for v in rest[:2])
        items.append(LabItem(itemid=int(itemid), label=str(label).strip(), fluid=fluid, category=category))
    return items


def _case_items(cases: Iterable[Any] | None) -> tuple[list[LabItem], list[LabItem]]:
    labs, micro = [], []
    for case in cases or ():
        for lab in getattr(case, "lab_results", None) or ():
            if lab.test_name:
                labs.append(LabItem(itemid=lab.itemid, label=lab.test_name, fluid=lab.fluid, category=lab.category))
        for event in getattr(case, "microbiology_events", None) or ():
            if event.test_name:
                micro.append(LabItem(itemid=event.test_itemid, label=event.test_name, category="Microbiology"))
    return labs, micro


class LabDictionary:
    """Lab labels -> itemids, with fuzzy lookup (rapidfuzz ``fuzz.ratio`` after ``utils.default_process``).

    Build it with ``LabDictionary.build(...)``; the lab tool and the lab scorer must use the same one.
    """

    def __init__(self, labels: Mapping[str, Sequence[int]], fluids: Mapping[int, str | None]) -> None:
        """Wrap a finished label table (``label -> itemids``) and the fluid of each itemid."""
        self._labels = {label: tuple(ids) for label, ids in labels.items()}
        self._fluids = dict(fluids)
        self._choices = list(self._labels)
        self._processed = [utils.default_process(label) for label in self._choices]

    @classmethod
    def build(
        cls,
        d_labitems: pd.DataFrame | Iterable[Any] | None = None,
        cases: Iterable[Any] | None = None,
        bare_names: bool = True,
    ) -> LabDictionary:
        """Build the dictionary from the reference labels, an optional ``d_labitems`` table and cases.

        Args:
            d_labitems: MIMIC-IV ``d_labitems`` as a DataFrame (columns itemid, label, fluid, category) or an
                iterable of ``(itemid, label, fluid, category)`` tuples or ``LabItem``s; None for none.
            cases: ``cdmbench.cases.Case`` objects whose ``lab_results`` and ``microbiology_events`` add labels.
            bare_names: add cdmbench's bare names ('Bilirubin' for 'Bilirubin, Total'; step 4).

        Returns:
            The dictionary (see the module docstring for the construction steps).
        """
        alterations = load_reference("labs.json")["label_alterations"]
        case_labs, case_micro = _case_items(cases)
        from_items: dict[str, list[int]] = {}  # label -> itemids from d_labitems rows (expanded by synonyms)
        from_panels: dict[str, list[int]] = {}  # label -> a panel's own itemids (never expanded)
        fluids: dict[int, str | None] = {}

        def add(table: dict[str, list[int]], label: str, itemids: Iterable[int]) -> None:
            ids = table.setdefault(label, [])
            ids.extend(i for i in itemids if i not in ids)

        for item in [*reference_lab_items(), *_rows(d_labitems), *case_labs]:
            add(from_items, alterations.get(item.label, item.label), [item.itemid])
            fluids.setdefault(item.itemid, item.fluid)
        for name, ids in PANELS.items():
            add(from_panels, name, ids)
        for synonym, panel in PANEL_SYNONYMS.items():
            add(from_panels, synonym, PANELS[panel])
        for label in list(from_items):
            for derived in _derived_names(label, bare_names):
                add(from_items, derived, from_items[label])
        for label in list(from_panels):
            for derived in _derived_names(label, bare_names=False):
                add(from_panels, derived, from_panels[label])
        table: dict[str, list[int]] = {}
        for label, ids in from_items.items():
            add(table, label, [*ids, *sorted({s for i in ids for s in synonym_class(i)} - set(ids))])
        for label, ids in from_panels.items():
            add(table, label, ids)
        for item in case_micro:
            add(table, item.label, [item.itemid])
            fluids.setdefault(item.itemid, None)
        return cls(table, fluids)

    @property
    def labels(self) -> Mapping[str, tuple[int, ...]]:
        """Label -> itemids (read-only view)."""
        return self._labels

    def __len__(self) -> int:
        return len(self._labels)

    def __contains__(self, label: object) -> bool:
        return label in self._labels

    def itemids(self, label: str) -> tuple[int, ...]:
        """Return the itemids of an exact label (``()`` when unknown)."""
        return self._labels.get(label, ())

    def fluid(self, itemid: int) -> str | None:
        """Return the specimen fluid of ``itemid`` (None when unknown or a microbiology test)."""
        return self._fluids.get(int(itemid))

    def best_label(self, name: str, threshold: int, fluids: Iterable[str] | None = None) -> LabMatchResult | None:
        """Return the best-scoring label for ``name`` if its rounded ``fuzz.ratio`` is at least ``threshold``.

        Args:
            name: a requested test name.
            threshold: the minimal score (90 for full and long names, 100 for short names).
            fluids: if given, only labels with an itemid of one of these fluids are considered.

        Returns:
            ``(label, score)``, or None. Ties go to the label added first.
        """
        query = utils.default_process(name)
        if not query:
            return None
        if fluids is None:
            choices = self._processed
            labels = self._choices
        else:
            wanted = set(fluids)
            keep = [i for i, lbl in enumerate(self._choices) if any(self.fluid(x) in wanted for x in self._labels[lbl])]
            choices = [self._processed[i] for i in keep]
            labels = [self._choices[i] for i in keep]
        found = process.extractOne(query, choices, scorer=fuzz.ratio, processor=None, score_cutoff=threshold - 0.5)
        if found is None or round(found[1]) < threshold:
            return None
        return labels[found[2]], float(found[1])


@cache
def _default_dictionary() -> LabDictionary:
    return LabDictionary.build()
