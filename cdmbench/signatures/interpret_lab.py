"""``InterpretLab``: classify one laboratory value against its reference range."""

from __future__ import annotations

from typing import Literal

import dspy

__all__ = ["InterpretLab"]


class InterpretLab(dspy.Signature):
    """Interpret one laboratory result: say whether the value is below, within or above the
    reference range given for it. Compare the numbers carefully, including units and decimal
    places; a value equal to a limit of the range is within the range."""

    test: str = dspy.InputField(desc="the laboratory test, with its specimen, e.g. '(Blood) Sodium'")
    value: str = dspy.InputField(desc="the measured value with its unit")
    reference_range: str = dspy.InputField(desc="the reference range, e.g. '[135.0 - 145.0]'")
    interpretation: Literal["low", "normal", "high"] = dspy.OutputField(
        desc="'low' below the range, 'normal' within it, 'high' above it"
    )
