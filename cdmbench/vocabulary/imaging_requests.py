"""Normalize a model's imaging request to the canonical vocabulary, and match it to stored reports.

The imaging tool and the imaging scorer both call ``normalize_imaging_request``, so what the tool answers and
what the scorer rewards cannot drift apart (scoring-rules.md defect 5). The rules are ``imaging.json``
``request_normalization``:

- Text normalization: lower-case; every character other than a-z, 0-9, '/', '+' becomes a space. A phrase
  matches whole tokens only ('ct' never inside 'duct', 'us' never inside 'eus'); cdmbench also lets '/' separate
  tokens for phrases without a '/' ("RUQ/abdomen" holds "ruq" and "abdomen"; "u/s" and "a/p" still match).
- Modality: the specific modalities (EUS, MRCP, ERCP, HIDA, in that priority) win over generic ones; among
  generic ones the earliest phrase in the text wins. cdmbench refinement: the radiograph view words "ap",
  "pa" and "portable" count only when no other modality is named ("portable ultrasound" is an ultrasound).
- Region: any Abdomen phrase makes the region Abdomen ("CT chest abdomen pelvis"); pelvis counts as Abdomen
  (CDMv1, and cdmbench's decision); otherwise the first region in ``REGION_TIE_ORDER``, the order of the report
  classifier (the reference rule order, but a vein study before the limb: "leg veins" is Venous, as the
  report "UNILAT LOWER EXT VEINS" is). With no region phrase, CDMv1's Abdomen substrings ('appendi', 'renal',
  ...) are tried, then the region implied by EUS, MRCP, ERCP or HIDA.
- Both parts may come in one string: a modality found in the region argument (or a region in the modality
  argument) is used when the other argument does not name one.

Example:
    >>> normalize_imaging_request(None, "CT scan of the abdomen and pelvis")
    ImagingRequest(region='Abdomen', modality='CT', valid=True, reason=None, ...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from pydantic import BaseModel

from cdmbench.vocabulary._data import load_reference
from cdmbench.vocabulary.imaging import MODALITIES, REGION_TIE_ORDER

__all__ = [
    "REPORTS_ANSWERING",
    "SPECIFIC_MODALITIES",
    "ImagingRequest",
    "checked_request",
    "normalize_imaging_request",
    "normalize_request_text",
    "report_matches",
]

SPECIFIC_MODALITIES: tuple[str, ...] = ("EUS", "MRCP", "ERCP", "HIDA")
"""Modalities that win over generic ones named in the same request, in this priority."""

_WEAK_RADIOGRAPH_WORDS = frozenset({"ap", "pa", "portable"})

REPORTS_ANSWERING: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {m: frozenset({m, "MRCP"}) if m == "MRI" else frozenset({m}) for m in MODALITIES}
)
"""Requested canonical modality -> the report modalities that answer it.

CDMv1 let a report answer a request for its broad modality (UNIQUE_TO_BROAD_MODALITY: CTU -> CT, MRA/MRE/MRCP ->
MRI, EUS -> Ultrasound, ERCP and Upper GI Series -> Radiograph, carotid ultrasound -> Ultrasound). In cdmbench,
``classify_exam`` already files CTU under CT, MRA/MRE under MRI and carotid studies under Ultrasound, so of the
rest only MRCP -> MRI is kept: an MRCP is an MRI protocol of the abdomen, so an MRI request may get an MRCP
report, while an MRCP request gets only MRCP reports. EUS and ERCP are endoscopic procedures that the scorer
treats as modalities of their own; letting an Ultrasound (or Radiograph) request return their findings would
give a model information its request is not scored for, so they answer only requests for themselves.
"""


class ImagingRequest(BaseModel):
    """An imaging request in the canonical vocabulary."""

    region: str | None
    """Canonical region (one of ``REGIONS``), or None when none was recognized."""
    modality: str | None
    """Canonical modality (one of ``MODALITIES``), or None when none was recognized."""
    valid: bool
    """True when both region and modality were recognized."""
    reason: str | None = None
    """Why the request is not valid (None when it is)."""
    raw_region: str | None = None
    """The region argument as given."""
    raw_modality: str | None = None
    """The modality argument as given."""


@dataclass(frozen=True)
class _Rule:
    canonical: str
    patterns: tuple[tuple[str, re.Pattern[str]], ...]  # (normalized phrase, pattern)


def normalize_request_text(text: str) -> str:
    """Lower-case ``text`` and turn every character other than a-z, 0-9, '/', '+' into one space."""
    return " ".join(re.sub(r"[^a-z0-9/+]+", " ", text.lower()).split())


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    # '/' is a token character only for phrases that contain one ('u/s', 'abd/pelvis').
    token = "a-z0-9+/" if "/" in phrase else "a-z0-9+"
    return re.compile(rf"(?<![{token}]){re.escape(phrase)}(?![{token}])")


def _rules(entries: list[dict]) -> tuple[_Rule, ...]:
    rules = []
    for entry in entries:
        phrases = sorted({normalize_request_text(p) for p in entry["phrases"]}, key=len, reverse=True)
        rules.append(_Rule(entry["canonical"], tuple((p, _phrase_pattern(p)) for p in phrases if p)))
    return tuple(rules)


@cache
def _tables() -> tuple[tuple[_Rule, ...], tuple[_Rule, ...], tuple[re.Pattern[str], ...], dict[str, str]]:
    spec = load_reference("imaging.json")["request_normalization"]
    modality_rules = _rules(spec["modality_rules_in_priority_order"])
    region_entries = [dict(e) for e in spec["region_rules_in_priority_order"]]
    for entry in region_entries:  # cdmbench decision: a pelvis request counts as Abdomen
        if entry["canonical"] == "Pelvis":
            entry["canonical"] = "Abdomen"
    region_rules = _rules(region_entries)
    abdomen_substrings = tuple(
        re.compile(p, re.IGNORECASE) for p in load_reference("imaging.json")["cdmv1"]["REGION_SUBSTR_DICT"]["Abdomen"]
    )
    return modality_rules, region_rules, abdomen_substrings, dict(spec["modality_implied_region"])


def _find_modality(text: str) -> str | None:
    modality_rules = _tables()[0]
    hits: list[tuple[int, str, bool]] = []  # (position, canonical, weak)
    for rule in modality_rules:
        for phrase, pattern in rule.patterns:
            for match in pattern.finditer(text):
                hits.append((match.start(), rule.canonical, phrase in _WEAK_RADIOGRAPH_WORDS))
    for specific in SPECIFIC_MODALITIES:
        if any(canonical == specific for _, canonical, _ in hits):
            return specific
    strong = [h for h in hits if not h[2]]
    chosen = min(strong or hits, default=None)
    return chosen[1] if chosen else None


def _find_region(text: str) -> str | None:
    _, region_rules, abdomen_substrings, _ = _tables()
    found = {rule.canonical for rule in region_rules if any(p.search(text) for _, p in rule.patterns)}
    for region in REGION_TIE_ORDER:
        if region in found:
            return region
    if any(p.search(text) for p in abdomen_substrings):
        return "Abdomen"
    return None


def normalize_imaging_request(region: str | None, modality: str | None) -> ImagingRequest:
    """Map a requested (region, modality) in free words onto the canonical vocabulary.

    Args:
        region: the requested region, e.g. ``"abdominal"``, ``"RUQ"``, ``"abdomen and pelvis"`` (may be None).
        modality: the requested modality, e.g. ``"US"``, ``"CAT scan"``; may hold the whole request, e.g.
            ``"CT scan of the abdomen and pelvis"``.

    Returns:
        An ``ImagingRequest``; ``valid`` is False (with a ``reason``) when no modality or no region is recognized.

    Example:
        >>> normalize_imaging_request("Abdomen", "sonogram").modality
        'Ultrasound'
    """
    raw_region = None if region is None else str(region)
    raw_modality = None if modality is None else str(modality)
    region_text = normalize_request_text(raw_region or "")
    modality_text = normalize_request_text(raw_modality or "")

    found_modality = _find_modality(modality_text) or _find_modality(region_text)
    found_region = _find_region(region_text) or _find_region(modality_text)
    if found_region is None and found_modality is not None:
        found_region = _tables()[3].get(found_modality)

    return checked_request(
        found_region,
        found_modality,
        raw_region,
        raw_modality,
        no_modality=f"no imaging modality recognized in modality={raw_modality!r}, region={raw_region!r}",
        no_region=f"no body region recognized in region={raw_region!r}, modality={raw_modality!r}",
    )


def checked_request(
    region: str | None,
    modality: str | None,
    raw_region: str | None,
    raw_modality: str | None,
    *,
    no_modality: str,
    no_region: str,
) -> ImagingRequest:
    """The ``ImagingRequest`` of a parsed request: valid when both were found, else the reasons why not."""
    problems = [text for found, text in ((modality, no_modality), (region, no_region)) if found is None]
    return ImagingRequest(
        region=region,
        modality=modality,
        valid=not problems,
        reason="; ".join(problems) or None,
        raw_region=raw_region,
        raw_modality=raw_modality,
    )


def report_matches(request_modality: str | None, report_modality: str | None) -> bool:
    """Whether a stored report of ``report_modality`` answers a request for ``request_modality``.

    Both are canonical modalities; see ``REPORTS_ANSWERING`` for the rule (an MRI request is answered by MRI and
    MRCP reports; every other request only by reports of its own modality). The region must match separately.
    """
    if request_modality is None or report_modality is None:
        return False
    return report_modality in REPORTS_ANSWERING.get(request_modality, frozenset())
