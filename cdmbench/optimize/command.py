"""``cdmbench optimize``: compile a program with a DSPy optimizer on train (dev for selection), score it on val.

Three disjoint sets (``inputs.load_data``): ``train`` for demos, ``dev`` for the optimizer's selection, ``val``
held out (a seeded slice of dev by default), on which before and after are both measured; the manifest gives
the paired val lift with its 95% interval and marks the dev scores as selection-biased when the optimizer chose
on dev. Before the optimizer starts, its cost is estimated (``budget``) and refused above ``max_lm_calls``;
afterwards the manifest records LM calls, tokens and time per LM (``usage``).

The run's protocol (``protocol=cdmv1|cdmbench``, default cdmbench) is chosen once, as ``evaluate`` chooses it: the
program runs in that protocol's environment, and the optimizer's metric, the dev and val scores and GEPA's
feedback score under it. The bundle manifest and ``optimize_scores.json`` record it; ``evaluate`` refuses the
bundle under another protocol.

``outputs/<run>/`` gets ``config.yaml`` (resolved, secrets redacted), ``optimizer.log`` (the optimizer's own
logs), ``optimize_scores.json`` (per-case scores before and after, dev and val) and the bundle: ``program.json`` and
``manifest.json``. The test split is refused (``split_guard``).
"""

from __future__ import annotations

import json
import shutil
import time

import dspy
from loguru import logger
from omegaconf import DictConfig

from cdmbench.config import to_yaml
from cdmbench.errors import ConfigError
from cdmbench.io import atomic_write_text, ensure_dir
from cdmbench.optimize.budget import check_budget, estimate_cost
from cdmbench.optimize.bundle import MANIFEST_FILE, save_bundle
from cdmbench.optimize.demo_sources import demo_pathologies
from cdmbench.optimize.examples import gold_case, to_examples
from cdmbench.optimize.holdout import paired_lift
from cdmbench.optimize.inputs import env_secrets, extra_lm_settings, load_data, metric_settings, plain
from cdmbench.optimize.lms import optimization_lms
from cdmbench.optimize.manifest import OptimizerInfo, Score
from cdmbench.optimize.metrics import build_metric
from cdmbench.optimize.optimizer_log import optimizer_log
from cdmbench.optimize.optimizers import EXTRA_LMS, OptimizerResources, compile_program, prepare_optimizer
from cdmbench.optimize.program_state import clean_demos, demo_counts
from cdmbench.optimize.scoring import score_program
from cdmbench.optimize.usage import metered
from cdmbench.protocols import protocol_from_config
from cdmbench.runs.naming import run_directory

__all__ = ["run"]

TEACHER_OPTIMIZERS = ("bootstrap_fewshot", "bootstrap_random_search", "mipro_v2", "simba")
"""Optimizers that bootstrap demos and so take ``teacher_lm=``."""
DEV_SELECTING = ("bootstrap_random_search", "mipro_v2", "gepa")
"""Optimizers that choose among candidates by their dev score."""


def _describe(score: Score) -> str:
    if score.ci_low is None or score.ci_high is None:
        return f"{score.mean:.3f}"
    return f"{score.mean:.3f} [{score.ci_low:.3f}, {score.ci_high:.3f}]"


def _calls_per_run(program: dspy.Module, example: dspy.Example, meter) -> float:
    """Task-LM calls of one program run on ``example`` (a failing run still counts its calls)."""
    before = meter.calls("task")
    try:
        program(**example.inputs())
    except Exception as exc:  # the probe only counts calls
        logger.warning("the cost probe's run failed ({}); counting the calls it made", type(exc).__name__)
    return float(max(1, meter.calls("task") - before))


def run(cfg: DictConfig) -> int:
    """Optimize ``cfg.program`` with ``cfg.optimizer`` on ``cfg.train`` / ``cfg.dev``; write ``outputs/<run>/``."""
    from cdmbench.lm import LMSettings
    from cdmbench.programs import build_program
    from cdmbench.runs.evaluate import git_commit

    started_all = time.perf_counter()
    program_cfg = plain(cfg.program)
    if program_cfg.pop("compiled", None):
        raise ConfigError("program.compiled is for `cdmbench evaluate`; optimize starts from the registered program.")
    program_name = str(program_cfg.pop("name"))
    metric_cfg = metric_settings(cfg, program_cfg.pop("metric", None))
    optimizer_cfg = plain(cfg.optimizer)
    optimizer_name = str(optimizer_cfg.pop("name"))
    protocol = protocol_from_config(cfg)  # chosen once: the environment, the agent and the metric consult it
    data = load_data(cfg)
    program_metric = build_metric(metric_cfg, protocol, data.all_cases)  # one lab dictionary of all cases

    run_dir = run_directory(cfg, "optimize")  # hydra.run.dir, or output_dir/<run name>
    if (run_dir / MANIFEST_FILE).exists() and not cfg.get("overwrite", False):
        raise ConfigError(f"{run_dir} already holds a compiled program; choose another run= or pass overwrite=true.")

    trainset, devset = to_examples(data.train.cases), to_examples(data.dev.cases)
    valset = to_examples(data.val.cases) if data.val else []
    extra = {}
    role = EXTRA_LMS.get(optimizer_name)
    if role:
        extra[role] = extra_lm_settings(cfg.get(f"{role}_lm"))
    teacher = extra_lm_settings(cfg.get("teacher_lm"))
    if teacher is not None:
        if optimizer_name not in TEACHER_OPTIMIZERS:
            raise ConfigError(
                f"optimizer={optimizer_name} takes no teacher; teacher_lm= is for {', '.join(TEACHER_OPTIMIZERS)}."
            )
        extra["teacher"] = teacher
    seed, threads = int(cfg.seed), int(cfg.num_threads)
    logger.info(
        "optimize {} with {} ({} metric, protocol {}) on {} train / {} dev / {} val cases -> {}",
        program_name,
        optimizer_name,
        program_metric.config.name,
        protocol.name,
        len(trainset),
        len(devset),
        len(valset),
        run_dir,
    )

    metric = program_metric.metric
    with optimization_lms(LMSettings.from_config(cfg.lm), extra, data.data_source) as lms:
        roles = {"task": lms.task.lm, **{r: s.lm for r, s in lms.extra.items()}}
        same_as_task = (role,) if role and role not in roles else ()
        if same_as_task:  # the task LM proposes too: a copy of it, so its calls are counted under its own role
            roles[role] = lms.task.lm.copy()
        with metered(roles) as meter:
            reference = build_program({"name": program_name, **program_cfg}, cases=data.all_cases, protocol=protocol)
            student = build_program({"name": program_name, **program_cfg}, cases=data.all_cases, protocol=protocol)
            resources = OptimizerResources(
                metric=metric,
                feedback_metric=program_metric.feedback_metric,
                seed=seed,
                num_threads=threads,
                prompt_lm=roles.get("prompt"),
                reflection_lm=roles.get("reflection"),
                task_lm=lms.task.lm,
                metric_threshold=program_metric.metric_threshold,
                passes=lambda example, pred: program_metric.passes(gold_case(example), pred),
                teacher_lm=roles.get("teacher"),
                log_dir=str(run_dir),
                same_as_task=same_as_task,
            )
            prepared = prepare_optimizer(optimizer_name, optimizer_cfg, resources, len(trainset), len(devset))
            estimate = estimate_cost(
                optimizer_name,
                prepared.settings,
                n_predictors=len(student.predictors()),
                n_train=len(trainset),
                n_dev=len(devset),
                n_scored=2 * (len(devset) + len(valset)) + 1,  # before and after, plus the probe run
                calls_per_run=_calls_per_run(student, trainset[0], meter),
                max_lm_calls=int(cfg.max_lm_calls),
            )
            logger.info(
                "estimated cost: {} program runs ({} by the optimizer) x {} LM calls each = about {} LM calls "
                "(max_lm_calls={})",
                estimate.program_runs,
                estimate.optimizer_runs,
                estimate.calls_per_run,
                estimate.lm_calls,
                estimate.max_lm_calls,
            )
            check_budget(estimate, optimizer_name)
            config_text = to_yaml(cfg)
            state_dir = run_dir / str(prepared.settings.get("log_dir")) if optimizer_name == "gepa" else None
            if state_dir is not None and state_dir.is_dir():
                previous = run_dir / "config.yaml"
                same = previous.is_file() and previous.read_text(encoding="utf-8") == config_text
                if (run_dir / MANIFEST_FILE).exists() or not same:  # GEPA resumes only the very same run
                    logger.info("gepa: starting afresh (the state in {} is of another or a finished run)", state_dir)
                    shutil.rmtree(state_dir, ignore_errors=True)
                else:
                    logger.info("gepa: resuming from {}", state_dir)
            ensure_dir(run_dir)
            atomic_write_text(run_dir / "config.yaml", config_text)

            logger.info("scores of the unoptimized program (dev, val) ...")
            dev_before, dev_before_values = score_program(student, devset, metric, threads)
            val_before, val_before_values = score_program(student, valset, metric, threads)
            logger.info("compiling with {} (its logs: {}) ...", optimizer_name, run_dir / "optimizer.log")
            started = time.perf_counter()
            with optimizer_log(run_dir / "optimizer.log"):
                compiled = compile_program(prepared, student, trainset, devset)
            seconds = time.perf_counter() - started
            pathologies = demo_pathologies(compiled, prepared.teleprompter, data.train.cases)
            removed = clean_demos(compiled)
            if removed:
                logger.info("dropped demos without fields of their predictor: {}", removed)
            logger.info("demos per predictor: {}", demo_counts(compiled))
            logger.info("scores of the compiled program (dev, val) ...")
            dev_after, dev_after_values = score_program(compiled, devset, metric, threads)
            val_after, val_after_values = score_program(compiled, valset, metric, threads)
        lm_infos = lms.describe()

    lift = paired_lift(val_before_values, val_after_values) if data.val else None
    manifest = save_bundle(
        run_dir,
        compiled,
        reference,
        program_name=program_name,
        program_options=program_cfg,
        secrets=env_secrets(),
        optimizer=OptimizerInfo(name=optimizer_name, settings=prepared.settings, seed=seed, seconds=round(seconds, 1)),
        protocol=protocol.name,
        metric=program_metric.describe(),
        train=data.train.info(),
        dev=data.dev.info(),
        dev_score_before=dev_before,
        dev_score_after=dev_after,
        dev_score_selection_biased=optimizer_name in DEV_SELECTING,
        val=data.val.info() if data.val else None,
        val_score_before=val_before if data.val else None,
        val_score_after=val_after if data.val else None,
        val_lift=lift,
        estimate=estimate,
        usage=meter.snapshot(),
        wall_seconds=round(time.perf_counter() - started_all, 1),
        demo_pathologies=pathologies,
        lms={k: v for k, v in lm_infos.items() if k in ("task", role, "teacher")},
        git_commit=git_commit(),
    )
    rows = [
        {
            "set": name,
            "hadm_id": c.hadm_id,
            "pathology": c.pathology,
            "protocol": protocol.name,
            "before": b,
            "after": a,
        }
        for name, cases, before, after in (
            ("dev", data.dev.cases, dev_before_values, dev_after_values),
            ("val", data.val.cases if data.val else [], val_before_values, val_after_values),
        )
        for c, b, a in zip(cases, before, after, strict=True)
    ]
    atomic_write_text(run_dir / "optimize_scores.json", json.dumps(rows, indent=2) + "\n")
    changed = [name for name, info in manifest.predictors.items() if info.instructions_changed]
    logger.info(
        "dev score{} under protocol {}: before {} -> after {}; instructions rewritten: {}",
        " (selection-biased: the optimizer chose on it)" if optimizer_name in DEV_SELECTING else "",
        protocol.name,
        _describe(dev_before),
        _describe(dev_after),
        ", ".join(changed) or "none",
    )
    if lift is not None:
        logger.info(
            "val lift ({} held-out cases, paired 95% CI): {:+.3f} [{}, {}] ({} -> {})",
            lift.n,
            lift.mean,
            "-" if lift.ci_low is None else f"{lift.ci_low:+.3f}",
            "-" if lift.ci_high is None else f"{lift.ci_high:+.3f}",
            _describe(val_before),
            _describe(val_after),
        )
    logger.info("LM usage: {}", {r: u.model_dump() for r, u in meter.snapshot().items()})
    logger.info(
        "bundle written to {}; use it with: cdmbench evaluate program={} program.compiled={} protocol={} "
        "data=<cases file>",
        run_dir,
        program_name,
        run_dir,
        protocol.name,
    )
    return 0
