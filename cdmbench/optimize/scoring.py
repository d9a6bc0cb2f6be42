"""Score a program on examples with ``dspy.Evaluate`` and the metric: mean and 95% bootstrap CI over cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dspy

from cdmbench.optimize.manifest import Score
from cdmbench.report.intervals import bootstrap_interval

__all__ = ["score_program"]


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
    result = evaluator(program)
    values = [float(score) for _, _, score in result.results]
    interval = bootstrap_interval(values)
    mean = sum(values) / len(values)
    low, high = interval if interval is not None else (None, None)
    return Score(mean=round(mean, 6), ci_low=low, ci_high=high, n=len(values)), values
