"""Every command as a Hydra application: one job, a sweep (``-m``), ``--cfg``, ``--info``, ``--config-dir``.

Hydra composes ``configs/<command>.yaml`` (plus ``--config-dir``, searched first) with the overrides. A single
job runs in this process with Hydra's job context set (``${hydra:...}``, ``HydraConfig``), but nothing is created
before the command itself writes: a typo leaves no empty run directory behind. ``-m`` hands the jobs to Hydra's
sweeper and launcher (``hydra/launcher=submitit_slurm`` with the ``slurm`` extra), each job running the same task.
"""

from __future__ import annotations

import argparse
import copy
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from cdmbench.errors import ConfigError

__all__ = ["HydraArgs", "hydra_app", "parse_hydra_args"]

TaskFunction = Callable[[DictConfig], int]
_INFO = ("all", "config", "defaults", "defaults-tree", "plugins", "searchpath")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one ERROR line instead of argparse's usage dump and exit
        raise ConfigError(f"{message}. `cdmbench COMMAND --help` shows the command's settings.")


class HydraArgs(argparse.Namespace):
    overrides: list[str]
    cfg: str | None
    resolve: bool
    package: str | None
    multirun: bool
    config_dir: str | None
    config_name: str | None
    info: str | None


def parse_hydra_args(args: Sequence[str]) -> HydraArgs:
    """Hydra's command-line flags (the ones that make sense for cdmbench) and the overrides."""
    parser = _Parser(prog="cdmbench COMMAND", add_help=False)
    parser.add_argument("overrides", nargs="*")
    parser.add_argument("--cfg", "-c", choices=["job", "hydra", "all"])
    parser.add_argument("--resolve", action="store_true")
    parser.add_argument("--package", "-p")
    parser.add_argument("--run", "-r", action="store_true")
    parser.add_argument("--multirun", "-m", action="store_true")
    parser.add_argument("--config-dir", "-cd")
    parser.add_argument("--config-name", "-cn")
    parser.add_argument("--info", "-i", nargs="?", const="all", choices=_INFO)
    parsed = parser.parse_intermixed_args(list(args), namespace=HydraArgs())
    if sum((parsed.run, parsed.multirun, parsed.cfg is not None, parsed.info is not None)) > 1:
        raise ConfigError("use only one of --run, --multirun (-m), --cfg and --info.")
    if parsed.resolve and parsed.cfg is None:
        raise ConfigError("--resolve goes with --cfg job|hydra|all.")
    return parsed


class _App:
    """One Hydra instance for one command line (the global Hydra state is cleared afterwards)."""

    def __init__(self, task_name: str, config_dir: str | None) -> None:
        from hydra._internal.hydra import Hydra
        from hydra._internal.utils import create_config_search_path
        from hydra.core.global_hydra import GlobalHydra

        from cdmbench.config import config_dir as package_config_dir
        from cdmbench.config import register_resolvers

        register_resolvers()
        search_path = create_config_search_path(f"file://{package_config_dir()}")
        if config_dir is not None:
            extra = Path(config_dir).expanduser().absolute()
            if not extra.is_dir():
                raise ConfigError(f"--config-dir {config_dir}: no such directory.")
            search_path.prepend(provider="command-line", path=f"file://{extra}")
        GlobalHydra.instance().clear()
        self.hydra = Hydra.create_main_hydra2(task_name=task_name, config_search_path=search_path)

    def compose(self, config_name: str, overrides: list[str], multirun: bool = False) -> DictConfig:
        from hydra.types import RunMode

        return self.hydra.compose_config(
            config_name=config_name,
            overrides=overrides,
            run_mode=RunMode.MULTIRUN if multirun else RunMode.RUN,
            with_log_configuration=False,
        )

    def run(self, config_name: str, overrides: list[str], task: TaskFunction) -> int:
        """One job in this process: Hydra's job context without Hydra creating directories or logging setup."""
        from hydra.core.hydra_config import HydraConfig
        from hydra.core.utils import env_override
        from hydra.types import RunMode

        cfg = self.compose(config_name, [*overrides, "hydra.mode=RUN"])
        cfg.hydra.mode = RunMode.RUN
        previous = HydraConfig.instance().cfg
        try:
            HydraConfig.instance().set_config(cfg)
            output_dir = os.path.abspath(str(OmegaConf.select(cfg, "hydra.run.dir")))
            with read_write(cfg.hydra.runtime), open_dict(cfg.hydra.runtime):
                cfg.hydra.runtime.output_dir = output_dir
            HydraConfig.instance().set_config(cfg)
            task_cfg = copy.deepcopy(cfg)
            with read_write(task_cfg), open_dict(task_cfg):
                del task_cfg["hydra"]
            with env_override(dict(cfg.hydra.job.env_set or {})):
                return task(task_cfg)
        finally:
            HydraConfig.instance().cfg = previous

    def multirun(self, config_name: str, overrides: list[str], task: TaskFunction) -> list[Any]:
        """The sweep's job returns, flattened (one per job, in launch order)."""
        batches = self.hydra.multirun(
            config_name=config_name,
            task_function=task,
            overrides=[*overrides, "hydra.mode=MULTIRUN"],
            with_log_configuration=False,
        )
        return [job for batch in batches or [] for job in batch]

    def show_cfg(self, config_name: str, overrides: list[str], args: HydraArgs) -> str:
        from cdmbench.config import redacted_yaml

        cfg = self.compose(config_name, overrides)
        if args.resolve:  # before a part is cut out: hydra.run.dir refers to output_dir
            with read_write(cfg), open_dict(cfg):
                OmegaConf.resolve(cfg)
        if args.cfg == "job":
            with read_write(cfg), open_dict(cfg):
                del cfg["hydra"]
        elif args.cfg == "hydra":
            cfg = OmegaConf.create({"hydra": cfg.hydra})
        if args.package:
            selected = OmegaConf.select(cfg, args.package.removeprefix("_global_").strip("."), default=None)
            if selected is None:
                raise ConfigError(f"--package {args.package}: no such key in the config.")
            cfg = selected if isinstance(selected, DictConfig) else OmegaConf.create({args.package: selected})
        return redacted_yaml(cfg, resolve=args.resolve)

    def show_info(self, config_name: str, overrides: list[str], info: str) -> str | None:
        """Hydra's --info; the composed config itself is printed by cdmbench, secrets redacted."""
        from cdmbench.config import redacted_yaml

        if info not in ("all", "config"):
            self.hydra.show_info(info, config_name=config_name, overrides=overrides)
            return None
        sections = ("searchpath", "defaults-tree", "defaults")
        sections = ("plugins", *sections) if info == "all" else sections
        for section in sections:
            self.hydra.show_info(section, config_name=config_name, overrides=overrides)
        cfg = self.compose(config_name, overrides)
        with read_write(cfg), open_dict(cfg):
            del cfg["hydra"]
        return "Config\n" + "*" * 6 + "\n" + redacted_yaml(cfg, resolve=False)


def hydra_app(task_name: str, args: HydraArgs) -> _App:
    """The Hydra application for one command line (``--config-dir`` searched before cdmbench's configs)."""
    return _App(task_name, args.config_dir)


def clear() -> None:
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
