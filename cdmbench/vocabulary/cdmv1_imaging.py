"""CDMv1's own imaging vocabulary, as its agent parsed requests and its data set filed reports.

CDMv1 (``tools/utils.py`` ``count_matches`` and ``count_radiology_modality_and_organ_matches``; applied to the
request in ``agents/DiagnosisWorkflowParser.py`` ``parse_imaging_action_input`` and to every report's exam name
by the data set) read one text with the dictionaries of ``data/imaging.json`` ``cdmv1``:

1. Special cases (EUS, MRCP, HIDA, ERCP, CTU, Upper GI Series, MRA, MRE, ...; regexes searched anywhere, in
   dictionary order): the first hit is the modality.
2. Otherwise every exact word (``\\bword\\b``) and substring pattern is counted per modality; the highest count
   wins. CDMv1 broke ties by the iteration order of a Python ``set`` (the hash seed); here the first category in
   dictionary order (exact keys, then substring keys) wins: the documented deterministic reading.
3. Region: the same counting over the region dictionaries (no special cases); with no region word, the region
   implied by a special modality (``UNIQUE_MODALITY_TO_ORGAN_MAPPING``). There are no region words for "RUQ",
   "RLQ", "epigastric" or "biliary", so "RUQ ultrasound" names no region and is an invalid request.

A report answers a request when their regions are equal and the report's modality equals the requested one or
maps to it through ``UNIQUE_TO_BROAD_MODALITY`` (EUS -> Ultrasound, ERCP and Upper GI Series -> Radiograph,
MRA/MRE/MRCP -> MRI, CTU -> CT, carotid ultrasound -> Ultrasound).

Example:
    >>> cdmv1_modality_region("Abdominal ultrasound")
    ('Ultrasound', 'Abdomen')
    >>> cdmv1_modality_region("RUQ ultrasound")
    ('Ultrasound', None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cdmbench.vocabulary._data import load_reference
from cdmbench.vocabulary.imaging_requests import ImagingRequest, checked_request

__all__ = ["cdmv1_modality_region", "cdmv1_report_answers", "parse_cdmv1_imaging_request"]


@dataclass(frozen=True)
class _Tables:
    special: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    modality: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    region: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    implied_region: dict[str, str]
    broad: dict[str, str]


def _counters(exact: dict[str, list[str]], substr: dict[str, list[str]]):
    order = list(dict.fromkeys([*exact, *substr]))  # the deterministic reading of CDMv1's set order
    out = []
    for category in order:
        patterns = [re.compile(rf"\b{w}\b", re.IGNORECASE) for w in exact.get(category, ())]
        patterns += [re.compile(p, re.IGNORECASE) for p in substr.get(category, ())]
        out.append((category, tuple(patterns)))
    return tuple(out)


@cache
def _tables() -> _Tables:
    cdmv1 = load_reference("imaging.json")["cdmv1"]
    special = tuple(
        (category, tuple(re.compile(p, re.IGNORECASE) for p in patterns))
        for category, patterns in cdmv1["MODALITY_SPECIAL_CASES_DICT"].items()
    )
    return _Tables(
        special=special,
        modality=_counters(cdmv1["MODALITY_EXACT_DICT"], cdmv1["MODALITY_SUBSTR_DICT"]),
        region=_counters(cdmv1["REGION_EXACT_DICT"], cdmv1["REGION_SUBSTR_DICT"]),
        implied_region=dict(cdmv1["UNIQUE_MODALITY_TO_ORGAN_MAPPING"]),
        broad=dict(cdmv1["UNIQUE_TO_BROAD_MODALITY"]),
    )


def _most_frequent(counters, text: str) -> str | None:
    best, best_count = None, 0
    for category, patterns in counters:
        count = sum(len(p.findall(text)) for p in patterns)
        if count > best_count:
            best, best_count = category, count
    return best


@lru_cache(maxsize=4096)
def cdmv1_modality_region(text: str | None) -> tuple[str | None, str | None]:
    """CDMv1's (modality, region) of a request or an exam name, each a CDMv1 category or None when unnamed."""
    if not text or not text.strip():
        return None, None
    tables = _tables()
    modality = next((c for c, patterns in tables.special if any(p.search(text) for p in patterns)), None)
    if modality is None:
        modality = _most_frequent(tables.modality, text)
    region = _most_frequent(tables.region, text)
    if region is None and modality is not None:
        region = tables.implied_region.get(modality)
    return modality, region


def parse_cdmv1_imaging_request(region: str | None, modality: str | None) -> ImagingRequest:
    """A (region, modality) request read as CDMv1 read its one ``Action Input`` text (region, then modality).

    Returns:
        An ``ImagingRequest`` whose region and modality are CDMv1 categories; invalid when either is unnamed.
    """
    raw_region = None if region is None else str(region)
    raw_modality = None if modality is None else str(modality)
    text = " ".join(part for part in (raw_region, raw_modality) if part)
    found_modality, found_region = cdmv1_modality_region(text)
    return checked_request(
        found_region,
        found_modality,
        raw_region,
        raw_modality,
        no_modality=f"no imaging modality in CDMv1's dictionaries for {text!r}",
        no_region=f"no body region in CDMv1's dictionaries for {text!r}",
    )


def cdmv1_report_answers(request_modality: str | None, report_modality: str | None) -> bool:
    """Whether a report of CDMv1 modality ``report_modality`` answers a request for ``request_modality``."""
    if request_modality is None or report_modality is None:
        return False
    return report_modality == request_modality or _tables().broad.get(report_modality) == request_modality
