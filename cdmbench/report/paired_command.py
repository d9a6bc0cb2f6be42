"""``cdmbench compare runs=[A,B,...] out=DIR``: paired differences of each run against the first (B - A), with
CIs and McNemar's test, on the cases both runs scored.

Two runs write ``compare.csv``, ``compare.json`` and ``compare.png`` into ``out``; more runs write those files for
each later run into ``out/vs-<run>/`` and every row of every comparison, with a ``run`` column, into
``out/compare_all.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from loguru import logger
from omegaconf import DictConfig

from cdmbench.errors import ConfigError
from cdmbench.io import atomic_write_text
from cdmbench.protocols.mixing import check_same_protocol
from cdmbench.report.compare import run_labels
from cdmbench.report.paired import compare_runs
from cdmbench.report.paired_output import format_comparison, write_comparison

__all__ = ["run"]

_USAGE = (
    "pass two or more run directories as runs=[outputs/run_a,outputs/run_b,...] "
    "(each run is compared with the first: differences are B - A)."
)


def _runs(value) -> list[Path]:
    from cdmbench.runs.paths import run_dirs

    runs = run_dirs(value, "scores.jsonl", minimum=0, usage=_USAGE, check_named=False, unique=False)
    if len(runs) < 2:
        raise ConfigError(f"compare takes at least two runs, got {len(runs)}; {_USAGE}")
    return runs


def run(cfg: DictConfig) -> int:
    """Compare each later run of ``cfg.runs`` (B) with the first (A) and write the outputs into ``cfg.out``."""
    runs = _runs(cfg.get("runs"))
    out = cfg.get("out")
    if not out:
        raise ConfigError("no output directory; pass out=DIR (e.g. out=outputs/compare).")
    check_same_protocol(runs, bool(cfg.get("allow_mixed_protocols", False)), what="runs to compare")
    labels = run_labels(runs)
    # every comparison is computed (and every run read) before anything is written
    comparisons = [compare_runs(runs[0], b, n_resamples=int(cfg.n_resamples), seed=int(cfg.seed)) for b in runs[1:]]
    out_dir = Path(str(out))
    frames = []
    for comparison, label_b in zip(comparisons, labels[1:], strict=True):
        target = out_dir if len(runs) == 2 else out_dir / f"vs-{label_b.replace('/', '_')}"
        written = write_comparison(comparison, target, labels[0], label_b)
        logger.info("paired comparison:\n{}", format_comparison(comparison, labels[0], label_b))
        logger.info("wrote {}", ", ".join(str(p) for p in written))
        frames.append(comparison.to_frame().assign(run=label_b, baseline=labels[0]))
    if len(runs) > 2:
        table = pd.concat(frames, ignore_index=True)
        atomic_write_text(out_dir / "compare_all.csv", table.to_csv(index=False, lineterminator="\n"))
        logger.info("wrote {} ({} runs against {})", out_dir / "compare_all.csv", len(runs) - 1, labels[0])
    return 0
