"""Which training case (and so which pathology) each demo of a compiled program came from.

Labelled demos know their case (``GroundTruthFewShot.demo_pathologies``). A bootstrapped demo is a trace step of
a training case: it is traced back when one of its input texts holds a training case's patient history (the
agent and the synthesizer receive it); demos of the later steps (diagnose, treat) see only a written summary and
stay unknown (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dspy

from cdmbench.cases import Case

__all__ = ["demo_pathologies"]

_MIN_HISTORY_CHARS = 40


def _source(demo: Any, histories: list[tuple[str, str | None]]) -> str | None:
    values = [v for v in (demo.toDict() if hasattr(demo, "toDict") else dict(demo)).values() if isinstance(v, str)]
    for history, pathology in histories:
        if any(history in value for value in values):
            return pathology
    return None


def demo_pathologies(program: dspy.Module, teleprompter: Any, train: Sequence[Case]) -> dict[str, list[str | None]]:
    """Per predictor, the pathology of each demo's training case (None where it cannot be told)."""
    known = getattr(teleprompter, "demo_pathologies", None)
    if isinstance(known, dict) and known:
        return {name: list(known.get(name, [])) for name, _ in program.named_predictors()}
    histories = [
        (case.patient_history.strip(), case.pathology)
        for case in train
        if len(case.patient_history.strip()) >= _MIN_HISTORY_CHARS
    ]
    return {name: [_source(d, histories) for d in predictor.demos] for name, predictor in program.named_predictors()}
