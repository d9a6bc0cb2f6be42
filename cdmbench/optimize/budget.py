"""What an optimization will cost, before it starts: program runs by DSPy's own budget rules, and LM calls.

The runs of each optimizer follow the rules its DSPy implementation uses (upper bounds where it may stop
early): BootstrapFewShot runs the program on each training case for up to ``max_rounds``; random search
bootstraps ``num_candidate_programs + 1`` demo sets and scores ``num_candidate_programs + 3`` candidates on dev;
MIPROv2 bootstraps its few-shot candidates and runs its trials (``auto`` as in ``AUTO_RUN_SETTINGS`` and
``_set_num_trials_from_num_candidates``); GEPA spends ``max_metric_calls`` (``GEPA.auto_budget`` for ``auto``);
SIMBA samples ``bsize x num_candidates`` trajectories and scores as many candidates per step, then scores its
finalists on train. LM calls are runs times the program's calls per run, measured on one case, plus the calls
of the proposing or reflecting LM.
"""

from __future__ import annotations

import math
from typing import Any

from cdmbench.errors import ConfigError
from cdmbench.optimize.manifest import CostEstimate

__all__ = ["check_budget", "estimate_cost", "optimizer_runs"]


def _mipro(s: dict[str, Any], n_predictors: int, n_train: int, n_dev: int) -> tuple[int, int]:
    from dspy.teleprompt.mipro_optimizer_v2 import AUTO_RUN_SETTINGS

    zeroshot = not (s.get("max_bootstrapped_demos") or s.get("max_labeled_demos"))
    if s.get("auto"):
        n = AUTO_RUN_SETTINGS[s["auto"]]["n"]
        n_dev = min(n_dev, AUTO_RUN_SETTINGS[s["auto"]]["val_size"])
        variables = n_predictors * (1 if zeroshot else 2)
        trials = int(max(2 * variables * math.log2(n), 1.5 * n))
        instruct = n if zeroshot else n // 2
    else:
        n, trials, instruct = int(s["num_candidates"]), int(s["num_trials"]), int(s["num_candidates"])
    bootstrap = 0 if zeroshot else n * n_train
    minibatch = bool(s.get("minibatch")) and n_dev > int(s.get("minibatch_size") or 35)
    if minibatch:
        size, steps = int(s["minibatch_size"]), int(s["minibatch_full_eval_steps"])
        evals = n_dev + trials * size + ((trials + 1) // steps + 1) * n_dev
    else:
        evals = n_dev + trials * n_dev
    return bootstrap + evals, instruct * n_predictors + 2 * n_predictors


def _gepa(s: dict[str, Any], n_predictors: int, n_train: int, n_dev: int) -> tuple[int, int]:
    import dspy
    from dspy.teleprompt.gepa.gepa import AUTO_RUN_SETTINGS

    if s.get("auto"):
        calls = dspy.GEPA.auto_budget(None, max(n_predictors, 1), AUTO_RUN_SETTINGS[s["auto"]]["n"], n_dev)
    elif s.get("max_full_evals"):
        calls = int(s["max_full_evals"]) * (n_train + n_dev)
    else:
        calls = int(s["max_metric_calls"])
    minibatch = max(1, int(s.get("reflection_minibatch_size") or 3))
    return calls, max(1, calls // (2 * minibatch + n_dev))


def optimizer_runs(name: str, settings: dict[str, Any], n_predictors: int, n_train: int, n_dev: int) -> tuple[int, int]:
    """``(program runs, calls of the proposing/reflecting LM)`` the optimizer ``name`` makes at most."""
    s = settings
    rounds = int(s.get("max_rounds") or 1)
    if name == "labeled_fewshot":
        return 0, 0
    if name == "bootstrap_fewshot":
        return n_train * rounds, 0
    if name == "bootstrap_random_search":
        candidates = int(s["num_candidate_programs"])
        return (candidates + 1) * n_train * rounds + (candidates + 3) * n_dev, 0
    if name == "mipro_v2":
        return _mipro(s, n_predictors, n_train, n_dev)
    if name == "gepa":
        return _gepa(s, n_predictors, n_train, n_dev)
    if name == "simba":
        steps, bsize, candidates = int(s["max_steps"]), int(s["bsize"]), int(s["num_candidates"])
        return steps * bsize * (2 * candidates + 1) + (candidates + 1) * n_train, steps * candidates
    raise ConfigError(f"no cost rule for optimizer {name!r}")


def estimate_cost(
    name: str,
    settings: dict[str, Any],
    *,
    n_predictors: int,
    n_train: int,
    n_dev: int,
    n_scored: int,
    calls_per_run: float,
    max_lm_calls: int,
) -> CostEstimate:
    """The estimate: the optimizer's runs plus ``n_scored`` other runs (before/after on dev and val, the probe)."""
    runs, other_calls = optimizer_runs(name, settings, n_predictors, n_train, n_dev)
    total_runs = runs + n_scored
    return CostEstimate(
        program_runs=total_runs,
        optimizer_runs=runs,
        calls_per_run=round(calls_per_run, 2),
        lm_calls=math.ceil(total_runs * calls_per_run) + other_calls,
        max_lm_calls=int(max_lm_calls),
    )


def check_budget(estimate: CostEstimate, optimizer: str) -> None:
    """Refuse an estimate above ``max_lm_calls``.

    Raises:
        ConfigError: with the numbers and how to go on (smaller budget or a higher limit).
    """
    if estimate.lm_calls > estimate.max_lm_calls:
        raise ConfigError(
            f"optimizer={optimizer} would make about {estimate.lm_calls} LM calls ({estimate.program_runs} program "
            f"runs x {estimate.calls_per_run} calls, plus proposals), above max_lm_calls={estimate.max_lm_calls}. "
            "Shrink the budget (e.g. optimizer.auto=null optimizer.max_metric_calls=..., fewer dev cases with "
            f"dev_limit=) or raise the limit with max_lm_calls={estimate.lm_calls}."
        )
