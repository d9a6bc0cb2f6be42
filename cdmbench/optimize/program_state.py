"""A compiled program's JSON state as a bundle keeps it: demos cut to their predictor's fields, no LM.

Optimizers may leave demos that carry whole training examples (``case``, ``gold_case``: the full case with
its ground truth) or bookkeeping keys; an adapter shows only a predictor's own fields, so the rest is
dropped before saving. A predictor's LM (which can hold an endpoint) is never saved: the LM is chosen when
the bundle is used.
"""

from __future__ import annotations

from typing import Any

import dspy
from dspy.utils.saving import get_dependency_versions

__all__ = ["clean_demos", "demo_counts", "program_state"]


def _clean(demo: Any, signature: type[dspy.Signature]) -> dspy.Example | None:
    get = demo.get if hasattr(demo, "get") else lambda key, default=None: getattr(demo, key, default)
    fields = {name: get(name) for name in signature.fields if get(name) is not None}
    has_input = any(name in fields for name in signature.input_fields)
    has_output = any(name in fields for name in signature.output_fields)
    return dspy.Example(**fields) if has_input and has_output else None


def clean_demos(program: dspy.Module) -> dict[str, int]:
    """Cut every demo of ``program`` to its predictor's signature fields, in place.

    Demos without at least one input and one output field of their predictor (which an adapter would skip
    anyway) are removed.

    Returns:
        Removed demos per predictor name (only names with removals).
    """
    removed: dict[str, int] = {}
    for name, predictor in program.named_predictors():
        kept = [d for d in (_clean(demo, predictor.signature) for demo in predictor.demos) if d is not None]
        if len(kept) != len(predictor.demos):
            removed[name] = len(predictor.demos) - len(kept)
        predictor.demos = kept
    return removed


def demo_counts(program: dspy.Module) -> dict[str, int]:
    """Number of demos per predictor name."""
    return {name: len(predictor.demos) for name, predictor in program.named_predictors()}


def program_state(program: dspy.Module) -> dict[str, Any]:
    """The JSON state of ``program`` for ``program.json``: per predictor (signature, demos), LMs removed.

    The state loads with ``program.load_state`` (never pickle). ``metadata`` holds DSPy's dependency versions,
    as ``Module.save`` writes them.
    """
    state = program.dump_state(json_mode=True)
    for predictor_state in state.values():
        if isinstance(predictor_state, dict) and "lm" in predictor_state:
            predictor_state["lm"] = None
    state["metadata"] = {"dependency_versions": get_dependency_versions()}
    return state
