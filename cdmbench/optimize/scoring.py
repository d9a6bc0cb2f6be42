"""Score a program on examples with ``dspy.Evaluate`` and the metric: mean and 95% bootstrap CI over cases.

Scores agree with ``evaluate``: a case that fails (an exception: ``lm_error``/``format_error``; or a prediction
whose diagnosis could not be read) scores 0 and counts in the mean. A failing case is logged by ``hadm_id`` and
kind only, never with its text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dspy
from loguru import logger

from cdmbench.lm.failures import failure_kind
from cdmbench.optimize.manifest import Score
from cdmbench.report.intervals import bootstrap_interval

__all__ = ["LoggedFailures", "score_program"]


class LoggedFailures(dspy.Module):
    """Runs ``program``; a failing case is logged by ``hadm_id`` and kind (then the exception goes on to Evaluate)."""

    def __init__(self, program: dspy.Module) -> None:
        super().__init__()
        self.program = program

    def forward(self, **inputs: Any) -> Any:
        hadm_id = getattr(inputs.get("case"), "hadm_id", "?")
        try:
            prediction = self.program(**inputs)
        except Exception as exc:
            logger.warning("dev case {} failed: {} ({})", hadm_id, failure_kind(exc), type(exc).__name__)
            raise
        failure = prediction.get("failure") if hasattr(prediction, "get") else None
        if failure:
            logger.warning("dev case {} failed: format_error (its {} could not be read)", hadm_id, failure.get("step"))
        return prediction


def score_program(
    program: dspy.Module,
    examples: list[dspy.Example],
    metric: Callable[..., Any],
    num_threads: int = 1,
    display_progress: bool = True,
) -> tuple[Score, list[float]]:
    """Evaluate ``program`` on ``examples``; a case that fails scores 0.

    Returns:
        The ``Score`` (mean, 95% percentile bootstrap interval over cases, n) and the per-case scores in order.
    """
    if not examples:
        return Score(mean=0.0, ci_low=None, ci_high=None, n=0), []
    evaluator = dspy.Evaluate(
        devset=examples,
        metric=metric,
        num_threads=num_threads,
        display_progress=display_progress,
        max_errors=len(examples) + 1,
        failure_score=0.0,
    )
    result = evaluator(LoggedFailures(program))
    values = [float(score) for _, _, score in result.results]
    interval = bootstrap_interval(values)
    mean = sum(values) / len(values)
    low, high = interval if interval is not None else (None, None)
    return Score(mean=round(mean, 6), ci_low=low, ci_high=high, n=len(values)), values
