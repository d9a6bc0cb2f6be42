"""The optimizers by name (Hydra group ``optimizer``): each builds a DSPy teleprompter from its settings.

Every builder takes the optimizer's settings (``configs/optimizer/<name>.yaml`` without ``name``), the shared
resources (``resources.OptimizerResources``: metrics, the demo threshold, seed, threads, the prompt, reflection and
teacher LMs) and the data sizes, and returns a ``PreparedOptimizer``: the teleprompter, the extra ``compile``
arguments and the effective settings that go into the bundle manifest. The threshold reaches every optimizer that
takes one: DSPy's ``metric_threshold`` (BootstrapFewShot, random search, MIPROv2) and, for SIMBA, a gate on its
demo strategy; the teacher goes in as DSPy's ``teacher_settings``. Settings are fitted to small data sets where an
optimizer would refuse them (SIMBA's batch size, MIPROv2's minibatch size).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import dspy
from dspy.teleprompt.simba_utils import append_a_rule
from loguru import logger

from cdmbench.errors import ConfigError, UnknownNameError
from cdmbench.optimize.labeled import GroundTruthFewShot
from cdmbench.optimize.resources import (
    OptimizerResources,
    PreparedOptimizer,
    default_lm_warning,
    gated_demo,
    teacher_settings,
)

__all__ = [
    "EXTRA_LMS",
    "OPTIMIZERS",
    "OptimizerResources",
    "PreparedOptimizer",
    "compile_program",
    "prepare_optimizer",
    "register_optimizer",
]


EXTRA_LMS: dict[str, str] = {"mipro_v2": "prompt", "simba": "prompt", "gepa": "reflection"}
"""The extra LM each optimizer uses besides the task LM: 'prompt' (prompt_lm=) or 'reflection' (reflection_lm=)."""

Builder = Callable[[dict[str, Any], OptimizerResources, int, int], PreparedOptimizer]

OPTIMIZERS: dict[str, Builder] = {}
"""Registered optimizer builders by name."""

_DEFAULTS: dict[str, dict[str, Any]] = {}


def register_optimizer(name: str, defaults: Mapping[str, Any]) -> Callable[[Builder], Builder]:
    """Register a builder under ``name`` with its accepted settings and their defaults."""

    def decorate(builder: Builder) -> Builder:
        if name in OPTIMIZERS:
            raise ValueError(f"optimizer {name!r} is already registered")
        OPTIMIZERS[name] = builder
        _DEFAULTS[name] = dict(defaults)
        return builder

    return decorate


def prepare_optimizer(
    name: str, settings: Mapping[str, Any], resources: OptimizerResources, n_train: int, n_dev: int
) -> PreparedOptimizer:
    """Build the optimizer ``name`` from its settings.

    Raises:
        UnknownNameError: no optimizer has that name.
        ConfigError: an unknown setting or a bad combination (the message names it).
    """
    if name not in OPTIMIZERS:
        raise UnknownNameError("optimizer", name, list(OPTIMIZERS), "Use optimizer=<name> (configs/optimizer/).")
    given = {k: v for k, v in settings.items() if k != "name"}
    unknown = sorted(set(given) - set(_DEFAULTS[name]))
    if unknown:
        raise ConfigError(
            f"optimizer {name!r} has no setting {', '.join(map(repr, unknown))}; its settings are: "
            f"{', '.join(sorted(_DEFAULTS[name]))}. Fix configs/optimizer/{name}.yaml or the override."
        )
    if n_train < 1:
        raise ConfigError("the training set is empty; give a cases file with train=.")
    return OPTIMIZERS[name]({**_DEFAULTS[name], **given}, resources, n_train, n_dev)


def compile_program(
    prepared: PreparedOptimizer, program: dspy.Module, trainset: list[dspy.Example], valset: list[dspy.Example]
) -> dspy.Module:
    """Run the prepared optimizer on ``program`` and return the compiled copy."""
    kwargs = dict(prepared.compile_kwargs)
    if prepared.takes_valset:
        kwargs["valset"] = valset
    return prepared.teleprompter.compile(program, trainset=trainset, **kwargs)


@register_optimizer("labeled_fewshot", {"k": 3, "max_field_chars": 4000})
def _labeled(s: dict[str, Any], r: OptimizerResources, n_train: int, n_dev: int) -> PreparedOptimizer:
    s["k"] = int(s["k"])
    if r.teacher_lm is not None:
        raise ConfigError("optimizer=labeled_fewshot makes no LM calls and takes no teacher; drop teacher_lm=.")
    teleprompter = GroundTruthFewShot(k=s["k"], max_field_chars=s["max_field_chars"], seed=r.seed)
    return PreparedOptimizer("labeled_fewshot", teleprompter, s)


_BOOTSTRAP = {"max_bootstrapped_demos": 4, "max_labeled_demos": 0, "max_rounds": 1, "max_errors": None}


@register_optimizer("bootstrap_fewshot", _BOOTSTRAP)
def _bootstrap(s: dict[str, Any], r: OptimizerResources, n_train: int, n_dev: int) -> PreparedOptimizer:
    teleprompter = dspy.BootstrapFewShot(
        metric=r.metric, metric_threshold=r.metric_threshold, teacher_settings=teacher_settings(r), **s
    )
    return PreparedOptimizer("bootstrap_fewshot", teleprompter, s)


@register_optimizer("bootstrap_random_search", {**_BOOTSTRAP, "num_candidate_programs": 8, "stop_at_score": None})
def _random_search(s: dict[str, Any], r: OptimizerResources, n_train: int, n_dev: int) -> PreparedOptimizer:
    teleprompter = dspy.BootstrapFewShotWithRandomSearch(
        metric=r.metric,
        metric_threshold=r.metric_threshold,
        teacher_settings=teacher_settings(r),
        num_threads=r.num_threads,
        **s,
    )
    return PreparedOptimizer("bootstrap_random_search", teleprompter, s, takes_valset=True)


_MIPRO_INIT = (
    "auto",
    "num_candidates",
    "max_bootstrapped_demos",
    "max_labeled_demos",
    "init_temperature",
    "max_errors",
)


@register_optimizer(
    "mipro_v2",
    {
        "auto": "light",
        "num_candidates": None,
        "num_trials": None,
        "max_bootstrapped_demos": 2,
        "max_labeled_demos": 0,
        "init_temperature": 1.0,
        "max_errors": None,
        "minibatch": True,
        "minibatch_size": 35,
        "minibatch_full_eval_steps": 5,
        "program_aware_proposer": True,
        "data_aware_proposer": False,
        "view_data_batch_size": 3,
        "tip_aware_proposer": True,
        "fewshot_aware_proposer": True,
    },
)
def _mipro(s: dict[str, Any], r: OptimizerResources, n_train: int, n_dev: int) -> PreparedOptimizer:
    try:
        import optuna  # noqa: F401
    except ImportError:
        raise ConfigError(
            "optimizer=mipro_v2 needs optuna, which is not installed; install the extra with "
            "`uv pip install 'dspy[optuna]'` (or add it to the project) and rerun."
        ) from None
    if s["auto"] not in (None, "light", "medium", "heavy"):
        raise ConfigError(f"optimizer.auto={s['auto']!r}: use light, medium, heavy or null.")
    if s["auto"] is None and (s["num_candidates"] is None or s["num_trials"] is None):
        raise ConfigError("optimizer=mipro_v2 with auto=null needs num_candidates and num_trials.")
    if s["auto"] is not None and (s["num_candidates"] is not None or s["num_trials"] is not None):
        raise ConfigError("optimizer=mipro_v2: set either auto, or num_candidates and num_trials (with auto=null).")
    s["minibatch_size"] = max(1, min(int(s["minibatch_size"]), n_dev))
    init = {k: s[k] for k in _MIPRO_INIT}
    default_lm_warning("mipro_v2", "prompt", r)
    teleprompter = dspy.MIPROv2(
        metric=r.metric,
        prompt_model=r.prompt_lm or r.task_lm,
        task_model=r.task_lm,
        teacher_settings=teacher_settings(r),
        metric_threshold=r.metric_threshold,
        num_threads=r.num_threads,
        seed=r.seed,
        **init,
    )
    compile_kwargs = {k: v for k, v in s.items() if k not in _MIPRO_INIT}
    compile_kwargs["seed"] = r.seed
    return PreparedOptimizer("mipro_v2", teleprompter, s, compile_kwargs, takes_valset=True, lms_used=("prompt",))


@register_optimizer(
    "gepa",
    {
        "auto": "light",
        "max_metric_calls": None,
        "max_full_evals": None,
        "reflection_minibatch_size": 3,
        "candidate_selection_strategy": "pareto",
        "component_selector": "round_robin",
        "skip_perfect_score": True,
        "use_merge": True,
        "max_merge_invocations": 5,
        "failure_score": 0.0,
        "perfect_score": 1.0,
        "add_format_failure_as_feedback": True,
        "track_stats": True,
        "log_dir": "gepa",
    },
)
def _gepa(s: dict[str, Any], r: OptimizerResources, n_train: int, n_dev: int) -> PreparedOptimizer:
    budgets = [k for k in ("auto", "max_metric_calls", "max_full_evals") if s[k] is not None]
    if len(budgets) != 1:
        raise ConfigError(
            "optimizer=gepa needs exactly one budget: auto (light/medium/heavy), max_metric_calls or "
            f"max_full_evals; got {', '.join(budgets) or 'none'}. Set the others to null."
        )
    s["reflection_minibatch_size"] = max(1, min(int(s["reflection_minibatch_size"]), n_train))
    reflection_lm = r.reflection_lm or r.task_lm
    if reflection_lm is None:
        raise ConfigError("optimizer=gepa needs a reflection LM; configure reflection_lm= (default: the task LM).")
    if r.teacher_lm is not None:
        raise ConfigError("optimizer=gepa takes no teacher (DSPy's GEPA has none); drop teacher_lm=.")
    default_lm_warning("gepa", "reflection", r)
    options = dict(s)  # log_dir is relative to the run directory; without one GEPA keeps no state
    options["log_dir"] = str(Path(r.log_dir) / str(s["log_dir"])) if s["log_dir"] and r.log_dir else None
    teleprompter = dspy.GEPA(
        metric=r.feedback_metric, reflection_lm=reflection_lm, num_threads=r.num_threads, seed=r.seed, **options
    )
    return PreparedOptimizer("gepa", teleprompter, s, takes_valset=True, lms_used=("reflection",))


@register_optimizer(
    "simba",
    {
        "bsize": 32,
        "num_candidates": 6,
        "max_steps": 8,
        "max_demos": 4,
        "demo_input_field_maxlen": 100_000,
        "temperature_for_sampling": 0.2,
        "temperature_for_candidates": 0.2,
    },
)
def _simba(s: dict[str, Any], r: OptimizerResources, n_train: int, n_dev: int) -> PreparedOptimizer:
    wanted = int(s["bsize"])
    s["bsize"] = max(1, min(wanted, n_train))
    if s["bsize"] != wanted:
        logger.info("simba: batch size {} fitted to the {} training cases", s["bsize"], n_train)
    default_lm_warning("simba", "prompt", r)
    teleprompter = dspy.SIMBA(
        metric=r.metric, prompt_model=r.prompt_lm, teacher_settings=teacher_settings(r), num_threads=r.num_threads, **s
    )
    if r.passes is not None and s["max_demos"] > 0:  # a demo only from a trajectory that passes the threshold
        teleprompter.strategies = [gated_demo(s["demo_input_field_maxlen"], r.passes), append_a_rule]
    return PreparedOptimizer("simba", teleprompter, s, {"seed": r.seed}, lms_used=("prompt",))
