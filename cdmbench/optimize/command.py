"""``cdmbench optimize``: compile a program with a DSPy optimizer on train, score it on dev, write a bundle.

``outputs/<run>/`` gets ``config.yaml`` (resolved, secrets redacted), ``optimizer.log`` (the optimizer's own
logs), ``dev_scores.json`` (per-case dev scores before and after) and the bundle: ``program.json`` and
``manifest.json``. The test split is refused (``split_guard``).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from loguru import logger
from omegaconf import DictConfig, OmegaConf

from cdmbench.cases import CasesFile, cases_hash, load_cases_file
from cdmbench.config import SECRET_KEYS, to_yaml
from cdmbench.errors import ConfigError
from cdmbench.io import atomic_write_text, ensure_dir
from cdmbench.optimize.bundle import MANIFEST_FILE, save_bundle
from cdmbench.optimize.examples import to_examples, with_feedback_gold, with_gold
from cdmbench.optimize.lms import optimization_lms
from cdmbench.optimize.manifest import DataInfo, OptimizerInfo, Score
from cdmbench.optimize.optimizer_log import optimizer_log
from cdmbench.optimize.optimizers import (
    EXTRA_LMS,
    OptimizerResources,
    compile_program,
    prepare_optimizer,
)
from cdmbench.optimize.program_state import clean_demos, demo_counts
from cdmbench.optimize.scoring import score_program
from cdmbench.optimize.split_guard import check_not_test, find_split_manifest

__all__ = ["run"]


def _plain(node: Any) -> dict[str, Any]:
    return dict(OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else node or {})


def _cases(role: str, value: Any, limit: Any) -> tuple[Path, CasesFile, list]:
    if not value or value == "???":
        raise ConfigError(f"{role}= is required: a cases file such as data/splits/{role}.json.")
    path = Path(str(value))
    cases_file = load_cases_file(path)
    cases = cases_file.cases[: int(limit)] if limit is not None else list(cases_file.cases)
    missing = [c.hadm_id for c in cases if c.ground_truth is None or c.pathology is None]
    if missing:
        raise ConfigError(
            f"{role}={path}: case(s) {', '.join(map(str, missing[:5]))} have no ground truth or pathology; the "
            "metric needs both. Use a cases file from `cdmbench split`."
        )
    return path, cases_file, cases


def _extra_lm_settings(node: Any) -> Any:
    from cdmbench.lm import LMSettings

    data = _plain(node)
    if data.pop("same_as_task", False):
        return None
    return LMSettings.from_config(data)


def _env_secrets() -> list[str]:
    """Values of secret-looking environment variables: none may end up in a bundle."""
    return [
        value
        for name, value in os.environ.items()
        if any(key in name.lower() for key in SECRET_KEYS) and len(value) >= 8
    ]


def _data_info(path: Path, cases_file: CasesFile, cases: list) -> DataInfo:
    return DataInfo(file=path.name, source=cases_file.source, n=len(cases), cases_hash=cases_hash(cases))


def _describe(score: Score) -> str:
    if score.ci_low is None or score.ci_high is None:
        return f"{score.mean:.3f}"
    return f"{score.mean:.3f} [{score.ci_low:.3f}, {score.ci_high:.3f}]"


def run(cfg: DictConfig) -> int:
    """Optimize ``cfg.program`` with ``cfg.optimizer`` on ``cfg.train`` / ``cfg.dev``; write ``outputs/<run>/``."""
    from cdmbench.lm import LMSettings
    from cdmbench.metrics import MetricWeights, make_feedback_metric, make_metric
    from cdmbench.programs import build_program
    from cdmbench.runs.evaluate import git_commit

    program_cfg = _plain(cfg.program)
    if program_cfg.pop("compiled", None):
        raise ConfigError("program.compiled is for `cdmbench evaluate`; optimize starts from the registered program.")
    program_name = str(program_cfg.pop("name"))
    optimizer_cfg = _plain(cfg.optimizer)
    optimizer_name = str(optimizer_cfg.pop("name"))

    train_path, train_file, train_cases = _cases("train", cfg.get("train"), cfg.get("train_limit"))
    dev_path, dev_file, dev_cases = _cases("dev", cfg.get("dev"), cfg.get("dev_limit"))
    found = find_split_manifest(cfg.get("splits"), [train_path, dev_path])
    check_not_test("train", train_path, train_cases, found)
    check_not_test("dev", dev_path, dev_cases, found)
    sources = {train_file.source, dev_file.source}
    data_source = "synthetic" if sources == {"synthetic"} else next(s for s in sources if s != "synthetic")

    lm_name = str(cfg.lm.get("preset") or cfg.lm.get("model") or cfg.lm.kind)
    run_name = str(cfg.run) if cfg.get("run") else f"optimize-{program_name}-{optimizer_name}-{lm_name}"
    run_dir = Path(str(cfg.output_dir)) / run_name.replace("/", "_")
    if (run_dir / MANIFEST_FILE).exists() and not cfg.get("overwrite", False):
        raise ConfigError(f"{run_dir} already holds a compiled program; choose another run= or pass overwrite=true.")
    ensure_dir(run_dir)
    atomic_write_text(run_dir / "config.yaml", to_yaml(cfg))

    weights = MetricWeights(**_plain(cfg.metric.weights))
    threshold = cfg.metric.get("threshold")
    metric = with_gold(make_metric(weights, threshold))
    feedback_metric = with_feedback_gold(make_feedback_metric(weights))
    trainset, devset = to_examples(train_cases), to_examples(dev_cases)
    role = EXTRA_LMS.get(optimizer_name)
    extra = {role: _extra_lm_settings(cfg.get(f"{role}_lm"))} if role else {}
    seed, threads = int(cfg.seed), int(cfg.num_threads)
    logger.info(
        "optimize {} with {} on {} train / {} dev cases -> {}",
        program_name,
        optimizer_name,
        len(trainset),
        len(devset),
        run_dir,
    )

    with optimization_lms(LMSettings.from_config(cfg.lm), extra, data_source) as lms:
        all_cases = [*train_file.cases, *dev_file.cases]
        reference = build_program({"name": program_name, **program_cfg}, cases=all_cases)
        student = build_program({"name": program_name, **program_cfg}, cases=all_cases)
        resources = OptimizerResources(
            metric=metric,
            feedback_metric=feedback_metric,
            seed=seed,
            num_threads=threads,
            prompt_lm=lms.extra["prompt"].lm if "prompt" in lms.extra else None,
            reflection_lm=lms.extra["reflection"].lm if "reflection" in lms.extra else None,
            task_lm=lms.task.lm,
        )
        prepared = prepare_optimizer(optimizer_name, optimizer_cfg, resources, len(trainset), len(devset))
        logger.info("dev score of the unoptimized program ...")
        before, before_values = score_program(student, devset, metric, threads)
        logger.info("compiling with {} (its logs: {}) ...", optimizer_name, run_dir / "optimizer.log")
        started = time.perf_counter()
        with optimizer_log(run_dir / "optimizer.log"):
            compiled = compile_program(prepared, student, trainset, devset)
        seconds = time.perf_counter() - started
        removed = clean_demos(compiled)
        if removed:
            logger.info("dropped demos without fields of their predictor: {}", removed)
        logger.info("demos per predictor: {}", demo_counts(compiled))
        logger.info("dev score of the compiled program ...")
        after, after_values = score_program(compiled, devset, metric, threads)
        lm_infos = lms.describe()

    manifest = save_bundle(
        run_dir,
        compiled,
        reference,
        program_name=program_name,
        program_options=program_cfg,
        secrets=_env_secrets(),
        optimizer=OptimizerInfo(name=optimizer_name, settings=prepared.settings, seed=seed, seconds=round(seconds, 1)),
        metric={"weights": weights.model_dump(), "threshold": threshold},
        train=_data_info(train_path, train_file, train_cases),
        dev=_data_info(dev_path, dev_file, dev_cases),
        dev_score_before=before,
        dev_score_after=after,
        lms={k: v for k, v in lm_infos.items() if k == "task" or k == role},
        git_commit=git_commit(),
    )
    rows = [
        {"hadm_id": c.hadm_id, "pathology": c.pathology, "before": b, "after": a}
        for c, b, a in zip(dev_cases, before_values, after_values, strict=True)
    ]
    atomic_write_text(run_dir / "dev_scores.json", json.dumps(rows, indent=2) + "\n")
    changed = [name for name, info in manifest.predictors.items() if info.instructions_changed]
    logger.info(
        "dev score ({} cases, 95% CI): before {} -> after {} ({:+.3f}); instructions rewritten: {}",
        len(devset),
        _describe(before),
        _describe(after),
        after.mean - before.mean,
        ", ".join(changed) or "none",
    )
    logger.info(
        "bundle written to {}; use it with: cdmbench evaluate program={} program.compiled={} data=<cases file>",
        run_dir,
        program_name,
        run_dir,
    )
    return 0
