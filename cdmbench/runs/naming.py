"""Run names and run directories: one rule for ``evaluate`` and ``optimize``, in a plain run and in a sweep.

The default name is ``<data>-<program>-<lm>`` (evaluate) or ``optimize-<program>-<optimizer>-<lm>``, followed by
the job's override string when the job changes anything that makes it another experiment: Hydra's
``hydra.job.override_dirname`` with the keys the name already shows and the operational keys excluded
(``hydra.job.config.override_dirname.exclude_keys``). So ``cdmbench evaluate -m program.max_iters=3,5`` makes
two runs, ``...-program.max_iters=3`` and ``...-program.max_iters=5``, that each resume on their own, while
``num_threads=8`` or ``limit=5`` resume the run they belong to. ``run=NAME`` names a run explicitly.

The run directory is Hydra's job directory: ``hydra.run.dir`` (default ``${output_dir}/<name>``) or, in a sweep,
``hydra.sweep.dir/hydra.sweep.subdir`` (default ``${output_dir}`` and ``<name>``), so a user who sets either
gets exactly that directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from cdmbench.runs.identity import check_run_name, safe_run_name

__all__ = ["RESOLVER", "default_run_name", "display_path", "lm_label", "register_resolver", "run_directory", "run_name"]

RESOLVER = "run_name"
"""``${run_name:evaluate}`` / ``${run_name:optimize}`` in the configs' ``hydra.run.dir`` and ``hydra.sweep.subdir``."""


def lm_label(lm: Any) -> str:
    """The LM's short label in run names and logs: its preset, else its model, else its kind."""
    lm = lm or {}
    return str(lm.get("preset") or lm.get("model") or lm.get("kind") or "lm")


def _override_suffix(root: Any) -> str:
    """The job's ``hydra.job.override_dirname`` (empty outside a Hydra job or when nothing is left after exclusion)."""
    hydra = root.get("hydra") if isinstance(root, DictConfig | dict) else None
    if hydra is not None:
        value = OmegaConf.select(hydra, "job.override_dirname", default="") if isinstance(hydra, DictConfig) else ""
        return str(value or "")
    from hydra.core.hydra_config import HydraConfig

    if HydraConfig.initialized():
        return str(HydraConfig.get().job.get("override_dirname") or "")
    return ""


def default_run_name(cfg: Any, command: str) -> str:
    """``<data>-<program>-<lm>`` (evaluate) or ``optimize-<program>-<optimizer>-<lm>``, plus the override string."""
    program = str(OmegaConf.select(cfg, "program.name", default="program"))
    if command == "optimize":
        optimizer = str(OmegaConf.select(cfg, "optimizer.name", default="optimizer"))
        base = f"optimize-{program}-{optimizer}-{lm_label(cfg.get('lm'))}"
    else:
        data = cfg.get("data")
        base = f"{Path(str(data)).stem if data else 'demo'}-{program}-{lm_label(cfg.get('lm'))}"
    suffix = _override_suffix(cfg)
    return safe_run_name(f"{base}-{suffix}" if suffix else base)


def run_name(cfg: Any, command: str) -> str:
    """The run's name: ``run=`` when given, else the default; evaluate adds ``-shard-i-of-n`` for ``shard=i/n``.

    Raises:
        ConfigError: ``run=`` is not a plain name (a path separator, a leading dot, ``..``, over 200 characters).
    """
    explicit = cfg.get("run")
    name = default_run_name(cfg, command) if explicit in (None, "") else str(explicit)
    if command == "evaluate":
        from cdmbench.runs.shard import parse_shard

        shard = parse_shard(cfg.get("shard"))
        if shard is not None:
            name = (name if explicit not in (None, "") else name[: 200 - len(shard.suffix)]) + shard.suffix
    return check_run_name(name)


def display_path(path: str | Path) -> Path:
    """``path`` relative to the working directory when it lies inside it (logs and messages stay short)."""
    path = Path(path)
    try:
        return Path(os.path.relpath(path)) if path.resolve().is_relative_to(Path.cwd().resolve()) else path
    except ValueError:
        return path


def run_directory(cfg: DictConfig, command: str) -> Path:
    """The run directory of this job: Hydra's job directory inside a Hydra job, else ``output_dir/<run name>``.

    Raises:
        ConfigError: ``run=`` is not a plain name.
    """
    from hydra.core.hydra_config import HydraConfig

    name = run_name(cfg, command)  # validated even when Hydra chose the directory
    if HydraConfig.initialized():
        output_dir = HydraConfig.get().runtime.get("output_dir")
        if output_dir:
            return display_path(output_dir)
    return Path(str(cfg.output_dir)) / name


def _resolve(command: str, *, _root_: DictConfig) -> str:
    return run_name(_root_, command)


def register_resolver() -> None:
    """Register ``${run_name:COMMAND}`` (idempotent)."""
    if not OmegaConf.has_resolver(RESOLVER):
        OmegaConf.register_new_resolver(RESOLVER, _resolve)
