"""``cdmbench compare runs=[A,B] out=DIR``: paired differences B - A with CIs and McNemar's test."""

from __future__ import annotations

from pathlib import Path

from loguru import logger
from omegaconf import DictConfig, ListConfig

from cdmbench.errors import ConfigError
from cdmbench.protocols.mixing import check_same_protocol
from cdmbench.report.compare import run_labels
from cdmbench.report.paired import compare_runs
from cdmbench.report.paired_output import format_comparison, write_comparison

__all__ = ["run"]

_USAGE = "pass exactly two run directories as runs=[outputs/run_a,outputs/run_b] (differences are B - A)."


def _two_runs(value) -> tuple[Path, Path]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list | tuple | ListConfig):
        raise ConfigError(f"runs must be a list of two run directories, got {value!r}; {_USAGE}")
    if len(value) != 2:
        raise ConfigError(f"compare takes two runs, got {len(value)}; {_USAGE}")
    return Path(str(value[0]).strip()), Path(str(value[1]).strip())


def run(cfg: DictConfig) -> int:
    """Compare ``cfg.runs[1]`` (B) with ``cfg.runs[0]`` (A) and write the outputs into ``cfg.out``."""
    run_a, run_b = _two_runs(cfg.get("runs"))
    out = cfg.get("out")
    if not out:
        raise ConfigError("no output directory; pass out=DIR (e.g. out=outputs/compare).")
    check_same_protocol([run_a, run_b], bool(cfg.get("allow_mixed_protocols", False)), what="runs to compare")
    comparison = compare_runs(run_a, run_b, n_resamples=int(cfg.n_resamples), seed=int(cfg.seed))
    label_a, label_b = run_labels([run_a, run_b])
    written = write_comparison(comparison, Path(str(out)), label_a, label_b)
    logger.info("paired comparison:\n{}", format_comparison(comparison, label_a, label_b))
    logger.info("wrote {}", ", ".join(str(p) for p in written))
    return 0
