"""Numeric reading of lab values against their reference ranges (abnormal-only rendering, lab interpretation)."""

from __future__ import annotations

import re
from typing import Literal

from cdmbench.cases import LabResult

__all__ = ["expected_interpretation", "is_abnormal", "numeric_value"]

_NUMBER = re.compile(r"^\s*(?:[<>]=?\s*)?([-+]?\d+(?:\.\d+)?)")


def numeric_value(value: str | None) -> float | None:
    """The leading number of a lab value (``"14.2 K/uL"`` -> 14.2, ``"<0.5"`` -> 0.5), else None."""
    if not value:
        return None
    match = _NUMBER.match(value)
    return float(match.group(1)) if match else None


def expected_interpretation(lab: LabResult) -> Literal["low", "normal", "high"] | None:
    """low / normal / high from the value and the reference range; None without a number or a range."""
    number = numeric_value(lab.value)
    if number is None or (lab.ref_range_lower is None and lab.ref_range_upper is None):
        return None
    if lab.ref_range_lower is not None and number < lab.ref_range_lower:
        return "low"
    if lab.ref_range_upper is not None and number > lab.ref_range_upper:
        return "high"
    return "normal"


def is_abnormal(lab: LabResult) -> bool:
    """True when the value lies outside its reference range (False when that cannot be told)."""
    return expected_interpretation(lab) in ("low", "high")
