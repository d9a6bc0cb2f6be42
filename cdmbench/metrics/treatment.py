"""Treatment required (ground truth) and requested (the model's plan): scoring-rules.md section 6.

Required, per treatment of the pathology (``treatment-rules.json``, ``procedures.json``):

- always (antibiotics, support, diverticulitis colonoscopy);
- a ground-truth procedure code in the treatment's ICD-9 / ICD-10-PCS lists (cholecystectomy includes the added
  resection codes 0FT40ZZ, 0FT44ZZ; pancreatitis drainage adds its own ICD-10 list);
- a discharge procedure (a ground-truth treatment that is not coded) positively containing a keyword; for
  drainage, one discharge procedure with a drainage keyword and one with a location word of the pathology;
- pancreatitis cholecystectomy: a diagnosis (``primary_diagnosis`` or ``icd_diagnoses``) positively mentions
  "biliary" (codes are not used).

Requested, in the model's plan (each list item split into sentences at '.'): keyword groups that all hold, a
positive procedure keyword, or one sentence with a location word and a modifier word, both positive. Keywords
are case-insensitive substrings, multi-word keywords match as phrases (defect 2), and every occurrence is
checked for negation on the model's text (defect 1). Treatment is scored for every prediction, also one without
tool calls (cdmbench decision).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cdmbench.cases import Case
from cdmbench.metrics.negation import is_positive
from cdmbench.metrics.pathologies import PathologyConfig, TreatmentRule

__all__ = ["BILIARY", "TreatmentResult", "has_biliary_diagnosis", "score_treatment", "treatment_required"]

BILIARY = "biliary"
Positive = Callable[[str, str], bool]
"""A keyword test: (text, phrase) -> the phrase occurs positively in the text."""

_SENTENCE = re.compile(r"(?<!\d)\.|\.(?!\d)")


@dataclass(frozen=True)
class TreatmentResult:
    """Required and requested treatments, with explanations."""

    required: dict[str, bool]
    requested: dict[str, bool]
    explanation: str

    @property
    def recall(self) -> float:
        """Share of required treatments that were requested (1.0 when none is required)."""
        needed = [k for k, v in self.required.items() if v]
        return sum(self.requested[k] for k in needed) / len(needed) if needed else 1.0


def _code(code: str | None) -> str:
    return (code or "").replace(".", "").strip().upper()


def has_biliary_diagnosis(case: Case, positive: Positive = is_positive) -> bool:
    """True when a primary diagnosis or ICD diagnosis title of the case positively mentions 'biliary'."""
    truth = case.ground_truth
    if truth is None:
        return False
    lines = list(truth.primary_diagnosis) + list(truth.icd_diagnoses or [])
    return any(positive(line, BILIARY) for line in lines)


def _any_positive(texts: Sequence[str], words: Sequence[str], positive: Positive = is_positive) -> str | None:
    return next((w for w in words for t in texts if positive(t, w)), None)


def _required(rule: TreatmentRule, case: Case, biliary: bool, positive: Positive = is_positive) -> tuple[bool, str]:
    if rule.always_required:
        return True, "always required"
    if rule.requires_biliary:
        return biliary, "biliary diagnosis" if biliary else "no biliary diagnosis"
    treatments = case.ground_truth.treatments if case.ground_truth else []
    code = next((t.icd_code for t in treatments if t.icd_code and _code(t.icd_code) in rule.codes), None)
    if code:
        return True, f"procedure code {code}"
    discharge = [t.title for t in treatments if not t.is_coded]
    keyword = _any_positive(discharge, rule.discharge_keywords, positive)
    if keyword and rule.discharge_locations:
        location = _any_positive(discharge, rule.discharge_locations, positive)
        if location:
            return True, f"discharge procedures mention {keyword!r} and {location!r}"
        return False, "no listed code; no drainage location in the discharge procedures"
    if keyword:
        return True, f"discharge procedure mentions {keyword!r}"
    return False, "no listed code or discharge procedure"


def _sentences(items: Sequence[str]) -> list[str]:
    return [s for item in items for s in _SENTENCE.split(item) if s.strip()]


def _requested(rule: TreatmentRule, items: Sequence[str], positive: Positive = is_positive) -> tuple[bool, str]:
    if rule.requested_groups:
        found = [_any_positive(items, group, positive) for group in rule.requested_groups]
        if all(found):
            return True, "mentions " + " + ".join(repr(f) for f in found)
        missing = [" or ".join(g) for g, f in zip(rule.requested_groups, found, strict=True) if not f]
        return False, "no positive mention of " + "; ".join(repr(m) for m in missing)
    keyword = _any_positive(items, rule.requested_keywords, positive)
    if keyword:
        return True, f"mentions {keyword!r}"
    for sentence in _sentences(items):
        location = _any_positive([sentence], rule.sentence_locations, positive)
        modifier = _any_positive([sentence], rule.sentence_modifiers, positive) if location else None
        if location and modifier:
            return True, f"one sentence mentions {location!r} and {modifier!r}"
    return False, "not mentioned (or only negated)"


def treatment_required(
    case: Case, config: PathologyConfig, biliary: bool | None = None, positive: Positive = is_positive
) -> dict[str, bool]:
    """Return treatment key -> required for the case (its ground truth decides; ``positive``: the keyword test)."""
    biliary = has_biliary_diagnosis(case, positive) if biliary is None else biliary
    return {rule.key: _required(rule, case, biliary, positive)[0] for rule in config.treatments}


def score_treatment(
    case: Case,
    config: PathologyConfig,
    treatments: Sequence[str],
    biliary: bool | None = None,
    positive: Positive = is_positive,
) -> TreatmentResult:
    """Decide which treatments the case required and which the model's plan requested.

    Args:
        case: the case with its ground truth.
        config: the case's pathology configuration.
        treatments: the model's plan, one item per entry.
        biliary: precomputed ``has_biliary_diagnosis(case)`` (computed when None).
        positive: the keyword test (default cdmbench's NegEx, every occurrence; the scorer passes the protocol's
            ``is_positive``: ``cdmv1`` applies CDMv1's negspacy setting, first occurrence deciding).
    """
    biliary = has_biliary_diagnosis(case, positive) if biliary is None else biliary
    required: dict[str, bool] = {}
    requested: dict[str, bool] = {}
    notes: list[str] = []
    for rule in config.treatments:
        required[rule.key], why_required = _required(rule, case, biliary, positive)
        if rule.requested_only_when_required and not required[rule.key]:
            requested[rule.key], why_requested = False, "not evaluated (not required)"
        else:
            requested[rule.key], why_requested = _requested(rule, treatments, positive)
        if required[rule.key] and not requested[rule.key]:
            notes.append(f"missing {rule.key} (required: {why_required}; plan: {why_requested})")
        elif required[rule.key]:
            notes.append(f"{rule.key} requested as required ({why_requested})")
        elif requested[rule.key]:
            notes.append(f"{rule.key} requested but not required ({why_required})")
    result = TreatmentResult(required, requested, "")
    summary = f"{sum(requested[k] for k, v in required.items() if v)} of {sum(required.values())} required treatments"
    return TreatmentResult(
        required, requested, f"{summary} requested (recall {result.recall:.2f}): {'; '.join(notes)}."
    )
