"""Which training case (and so which pathology) each demo of a compiled program came from.

Labelled demos know their case (``GroundTruthFewShot.demo_pathologies``). A bootstrapped demo is a trace step of
a training case: it is traced back when one of its input texts holds a training case's patient history (the
agent and the synthesizer receive it), or when it shares a text with a demo already traced back (the summary the
synthesizer wrote is the input of diagnose and treat in the same trace). Demos that match neither stay unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dspy

from cdmbench.cases import Case

__all__ = ["demo_pathologies"]

_MIN_HISTORY_CHARS = 40


def _texts(demo: Any) -> list[str]:
    values = (demo.toDict() if hasattr(demo, "toDict") else dict(demo)).values()
    return [v for v in values if isinstance(v, str) and len(v) >= _MIN_HISTORY_CHARS]


def _source(demo: Any, histories: list[tuple[str, str | None]]) -> str | None:
    values = _texts(demo)
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
    demos = {name: list(predictor.demos) for name, predictor in program.named_predictors()}
    found = {name: [_source(d, histories) for d in items] for name, items in demos.items()}
    known_texts = {
        text: found[name][i]
        for name, items in demos.items()
        for i, demo in enumerate(items)
        if found[name][i]
        for text in _texts(demo)
    }
    for name, items in demos.items():
        for i, demo in enumerate(items):
            if found[name][i] is None:
                found[name][i] = next((known_texts[t] for t in _texts(demo) if t in known_texts), None)
    return found
