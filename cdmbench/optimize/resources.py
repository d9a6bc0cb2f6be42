"""What every optimizer builder gets and returns, and the pieces several builders share.

``OptimizerResources``: the metrics, the demo threshold, the seed, the LMs by role; ``PreparedOptimizer``: the
teleprompter ready to compile. ``teacher_settings`` is DSPy's way of giving bootstrapping a teacher LM;
``gated_demo`` is SIMBA's ``append_a_demo`` strategy taken only for a trajectory that passes the threshold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dspy
from dspy.teleprompt.simba_utils import append_a_demo
from loguru import logger

__all__ = ["OptimizerResources", "PreparedOptimizer", "default_lm_warning", "gated_demo", "teacher_settings"]


@dataclass
class OptimizerResources:
    """What every optimizer may use besides the data."""

    metric: Callable[..., Any]
    """``metric(example, pred, trace=None)`` over cdmbench examples (``examples.with_gold``)."""
    feedback_metric: Callable[..., Any]
    """GEPA's five-argument metric returning ``dspy.Prediction(score, feedback)``."""
    seed: int = 0
    """Seed for the optimizers that take one."""
    num_threads: int = 1
    """Cases evaluated at once."""
    prompt_lm: dspy.LM | None = None
    """The LM that proposes instructions (MIPROv2, SIMBA); None: the task LM."""
    reflection_lm: dspy.LM | None = None
    """GEPA's reflection LM; None: the task LM."""
    task_lm: dspy.LM | None = None
    """The task LM (the fallback for the two above)."""
    metric_threshold: float | None = None
    """DSPy's ``metric_threshold`` for the optimizers that take one (the metric's ``threshold.min_score``)."""
    passes: Callable[[Any, Any], bool] | None = None
    """``passes(example, prediction)``: whether a trace may become a demo (SIMBA's demos are gated by it)."""
    teacher_lm: dspy.LM | None = None
    """The LM that runs the program while demos are bootstrapped; None: the task LM."""
    log_dir: str | None = None
    """The run directory's folder for optimizer state (GEPA's ``log_dir`` is relative to it)."""
    same_as_task: tuple[str, ...] = ()
    """Roles ('prompt', 'reflection') whose LM above is the task LM's copy (counted apart): they get a warning."""


@dataclass
class PreparedOptimizer:
    """A teleprompter ready to compile, with what to record about it."""

    name: str
    teleprompter: Any
    settings: dict[str, Any]
    """Effective settings (recorded in the bundle manifest)."""
    compile_kwargs: dict[str, Any] = field(default_factory=dict)
    """Extra keyword arguments of ``compile`` besides student and trainset."""
    takes_valset: bool = False
    """Whether ``compile`` gets the dev set as ``valset``."""
    lms_used: tuple[str, ...] = ()
    """Which extra LMs it uses: 'prompt', 'reflection'."""


def teacher_settings(r: OptimizerResources) -> dict[str, Any]:
    """DSPy's ``teacher_settings``: the teacher LM runs the program while demos are bootstrapped."""
    return {"lm": r.teacher_lm} if r.teacher_lm is not None else {}


def default_lm_warning(optimizer: str, role: str, r: OptimizerResources) -> None:
    if getattr(r, f"{role}_lm") is None or role in r.same_as_task:
        logger.warning(
            "{}: {}_lm is the task LM; a small model proposing for itself finds little. Name a stronger one, "
            "e.g. {}_lm=vllm {}_lm.preset=llama3_3_70b (configs/{}_lm/).",
            optimizer,
            role,
            role,
            role,
            role,
        )


def gated_demo(maxlen: int, passes: Callable[[Any, Any], bool]) -> Callable[..., bool]:
    """SIMBA's ``append_a_demo`` strategy, taken only when the best trajectory of the bucket passes ``passes``."""
    append = append_a_demo(maxlen)

    def gated(bucket: list[dict[str, Any]], system: dspy.Module, **kwargs: Any) -> bool:
        good = bucket[0]
        if good.get("prediction") is None or not passes(good["example"], good["prediction"]):
            logger.debug("simba: no demo from a trajectory below the threshold")
            return False
        return append(bucket, system, **kwargs)

    gated.__name__ = "append_a_demo"
    return gated
