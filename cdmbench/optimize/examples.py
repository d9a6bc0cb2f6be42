"""Cases as DSPy examples, and the metric wrappers that read the ground truth from them.

An example has two fields: ``case``, the program's input (``program_input(case)``: no ground truth, no
pathology), and ``gold_case``, the full case the metric scores against. Only ``case`` is an input, so an
optimizer never hands the ground truth to the program.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import dspy

from cdmbench.cases import Case
from cdmbench.programs import program_input

__all__ = ["gold_case", "to_example", "to_examples", "with_feedback_gold", "with_gold"]


def to_example(case: Case) -> dspy.Example:
    """The DSPy example of a case: input ``case`` (stripped), label ``gold_case`` (full)."""
    return dspy.Example(case=program_input(case), gold_case=case).with_inputs("case")


def to_examples(cases: Iterable[Case]) -> list[dspy.Example]:
    """``to_example`` of each case, in order."""
    return [to_example(case) for case in cases]


def gold_case(example: Any) -> Case:
    """The full case of an example (``gold_case``; a plain ``case`` with ground truth is accepted too)."""
    getter = example.get if hasattr(example, "get") else lambda key, default=None: getattr(example, key, default)
    case = getter("gold_case", None)
    if case is None:
        case = getter("case", None)
    if isinstance(case, dict):
        case = Case.model_validate(case)
    if not isinstance(case, Case) or case.ground_truth is None:
        raise TypeError("the example has no full case with ground truth in 'gold_case'; build it with to_example")
    return case


def with_gold(metric: Callable[..., Any]) -> Callable[..., Any]:
    """Adapt ``cdmbench.metrics.make_metric``'s metric (which reads ``example.case``) to these examples."""

    def gold_metric(example: Any, pred: Any, trace: Any = None) -> Any:
        return metric({"case": gold_case(example)}, pred, trace)

    return gold_metric


def with_feedback_gold(feedback_metric: Callable[..., Any]) -> Callable[..., Any]:
    """Adapt the GEPA feedback metric (five arguments) to these examples."""

    def gold_feedback_metric(
        gold: Any, pred: Any, trace: Any = None, pred_name: str | None = None, pred_trace: Any = None
    ) -> Any:
        return feedback_metric({"case": gold_case(gold)}, pred, trace, pred_name, pred_trace)

    return gold_feedback_metric
