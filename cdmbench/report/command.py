"""``cdmbench plot runs=[A,B,...] out=DIR`` and ``summarize_run``, the end of ``cdmbench evaluate``."""

from __future__ import annotations

from pathlib import Path

from loguru import logger
from omegaconf import DictConfig

from cdmbench.errors import ConfigError
from cdmbench.report.compare import plot_runs
from cdmbench.report.files import write_summary
from cdmbench.report.plots import plot_summary
from cdmbench.report.records import Summary
from cdmbench.report.run_dir import read_run

__all__ = ["PLOTS_DIR", "run", "summarize_run"]

PLOTS_DIR = "plots"
"""The plots folder inside a run directory."""


def summarize_run(run_dir: Path, plots: bool = True) -> Summary:
    """Summarize a run directory: write ``summary.json``, ``summary.csv`` and ``plots/*.png`` into it.

    Args:
        run_dir: a run directory holding ``scores.jsonl`` (and usually ``predictions.jsonl``).
        plots: also draw the single-run plots into ``<run_dir>/plots/``.

    Returns:
        The ``Summary`` (print it with ``format_summary``).

    Raises:
        DataSourceError: ``run_dir`` or its ``scores.jsonl`` is missing, or a line is malformed.
    """
    run_dir = Path(run_dir)
    summary = read_run(run_dir)
    json_path, csv_path = write_summary(summary, run_dir)
    logger.info("wrote {} and {} ({} cases, {} errors)", json_path, csv_path, summary.n_cases, summary.errors)
    if plots:
        drawn = plot_summary(summary, run_dir / PLOTS_DIR)
        logger.info("wrote {} plots into {}", len(drawn), run_dir / PLOTS_DIR)
    return summary


def _run_dirs(value) -> list[Path]:
    from cdmbench.runs.paths import run_dirs

    return run_dirs(
        value, "scores.jsonl", minimum=0, usage="Write runs=[outputs/a,outputs/b] or runs=outputs/*.", check_named=False
    )


def run(cfg: DictConfig) -> int:
    """Draw the comparison plots of ``cfg.runs`` into ``cfg.out`` (see ``configs/plot.yaml``)."""
    run_dirs = _run_dirs(cfg.get("runs"))
    if not run_dirs:
        raise ConfigError("no runs to plot; pass them as runs=[outputs/run_a,outputs/run_b].")
    out = cfg.get("out")
    if not out:
        raise ConfigError("no output directory; pass out=DIR (e.g. out=outputs/compare).")
    drawn = plot_runs(run_dirs, Path(str(out)), allow_mixed_protocols=bool(cfg.get("allow_mixed_protocols", False)))
    for path in drawn:
        logger.info("wrote {}", path)
    logger.info("compared {} runs: {} plots and comparison.csv in {}", len(run_dirs), len(drawn), out)
    return 0
