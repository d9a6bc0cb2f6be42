"""What ``cdmbench optimize`` reads from its config: the cases of train / dev / val, the metric, the extra LMs.

Every check that can fail on bad input runs here, before any LM starts or any file is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loguru import logger
from omegaconf import DictConfig, OmegaConf

from cdmbench.cases import Case, CasesFile, cases_hash, load_cases_file
from cdmbench.config import SECRET_KEYS
from cdmbench.errors import ConfigError
from cdmbench.optimize.holdout import check_disjoint, slice_val
from cdmbench.optimize.manifest import DataInfo
from cdmbench.optimize.split_guard import check_not_test, find_split_manifest

__all__ = ["DataSets", "Role", "env_secrets", "extra_lm_settings", "load_data", "metric_settings", "plain"]


def plain(node: Any) -> dict[str, Any]:
    """A config node as a plain dict (resolved)."""
    return dict(OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else node or {})


@dataclass
class Role:
    """One data set of the optimization."""

    name: str
    path: Path
    file: CasesFile
    cases: list[Case]

    def info(self) -> DataInfo:
        """The manifest's record: file name, source, size, cases hash."""
        return DataInfo(
            file=self.path.name, source=self.file.source, n=len(self.cases), cases_hash=cases_hash(self.cases)
        )


@dataclass
class DataSets:
    """train (demos), dev (selection) and val (held out), disjoint."""

    train: Role
    dev: Role
    val: Role | None
    data_source: str

    @property
    def all_cases(self) -> list[Case]:
        roles = [r for r in (self.train, self.dev, self.val) if r is not None]
        return [c for r in roles for c in r.file.cases]


def _cases(role: str, value: Any, limit: Any) -> Role:
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
    return Role(role, path, cases_file, cases)


def load_data(cfg: DictConfig) -> DataSets:
    """Read train, dev and val; refuse the test split and any overlap between the three.

    Without ``val=``, a seeded ``val_fraction`` of dev (per pathology) is held out as val and dev keeps the rest.
    """
    train = _cases("train", cfg.get("train"), cfg.get("train_limit"))
    dev = _cases("dev", cfg.get("dev"), cfg.get("dev_limit"))
    val = _cases("val", cfg.get("val"), cfg.get("val_limit")) if cfg.get("val") else None
    given = [r for r in (train, dev, val) if r is not None]
    found = find_split_manifest(cfg.get("splits"), [r.path for r in given])
    for role in given:
        check_not_test(role.name, role.path, role.cases, found)
    check_disjoint({r.name: r.cases for r in given})
    if val is None and cfg.get("val_fraction"):
        selection, held_out = slice_val(dev.cases, float(cfg.val_fraction), int(cfg.seed))
        val = Role("val", dev.path, dev.file, held_out)
        dev = Role("dev", dev.path, dev.file, selection)
        logger.info(
            "val: {} of the dev cases held out (seed {}); dev keeps {}", len(held_out), cfg.seed, len(selection)
        )
    elif val is None:
        logger.warning("no val set (val=null, val_fraction=null): the lift is measured on dev only (selection-biased)")
    sources = {r.file.source for r in given}
    data_source = "synthetic" if sources == {"synthetic"} else next(s for s in sources if s != "synthetic")
    return DataSets(train, dev, val, str(data_source))


def metric_settings(cfg: DictConfig, program_metric: Any) -> dict[str, Any]:
    """The metric's settings: ``metric=<name>`` if given, else the program's ``metric`` with its defaults."""
    chosen = plain(cfg.get("metric")) if cfg.get("metric") is not None else {}
    if chosen:
        return chosen
    if not program_metric:
        raise ConfigError("the program config names no metric; set program.metric=<name> or metric=<name>.")
    return {"name": str(program_metric)}


def extra_lm_settings(node: Any) -> Any:
    """``LMSettings`` of an extra LM config (prompt_lm, reflection_lm, teacher_lm); None: the task LM."""
    from cdmbench.lm import LMSettings

    data = plain(node)
    if not data or data.pop("same_as_task", False):
        return None
    return LMSettings.from_config(data)


def env_secrets() -> list[str]:
    """Values of secret-looking environment variables: none may end up in a bundle."""
    return [
        value
        for name, value in os.environ.items()
        if any(key in name.lower() for key in SECRET_KEYS) and len(value) >= 8
    ]
