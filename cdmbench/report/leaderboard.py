"""``cdmbench leaderboard runs=outputs/*``: one row per run, headline metrics with 95% intervals, grouped by data set
and protocol.

Each run directory is summarized from its own ``scores.jsonl`` (and ``predictions.jsonl``), exactly as ``evaluate``
summarizes it, so failed cases count as misses and ``n`` is every case of the run. Runs are grouped by the data they
were evaluated on (the manifest's data hash, else the data path) and by their protocol (``cdmv1`` or ``cdmbench``,
shown in the Protocol column): runs on different data sets, or of different protocols, never share a table, so no
ranking mixes protocols (a table per group takes the place of ``allow_mixed_protocols``).
The page (``leaderboard.html``) is self-contained and sortable; ``leaderboard.csv`` holds the same rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from loguru import logger
from omegaconf import DictConfig
from pydantic import BaseModel, Field

from cdmbench.errors import ConfigError, DataSourceError, OutputError
from cdmbench.protocols import DEFAULT_PROTOCOL
from cdmbench.report.records import OVERALL
from cdmbench.report.run_dir import SCORES_FILE, read_run

__all__ = ["HEADLINE_METRICS", "LeaderboardRow", "collect_rows", "expand_runs", "run"]

HEADLINE_METRICS: dict[str, str] = {
    "diagnosis": "Diagnosis",
    "gracious_diagnosis": "Gracious diagnosis",
    "physical_examination": "Physical exam first",
    "laboratory_tests_fraction": "Lab categories",
    "imaging": "Imaging (0-2)",
    "treatment_recall": "Treatment recall",
}
"""Summary metric -> column title, in column order."""


class Cell(BaseModel):
    """One metric of one run: the overall mean and its 95% interval."""

    mean: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int = 0


class LeaderboardRow(BaseModel):
    """One run on the leaderboard."""

    run: str
    path: str
    model: str
    program: str
    protocol: str
    data_set: str
    """The group key: data hash (or path) and number of cases."""
    data_label: str
    n: int
    errors: int
    error_rate: float | None
    metrics: dict[str, Cell] = Field(default_factory=dict)


def expand_runs(value: Any) -> list[Path]:
    """Run directories from ``runs=`` (``cdmbench.runs.paths.run_dirs``: lists, globs; each holds ``scores.jsonl``).

    Raises:
        ConfigError: nothing given, or a glob names no run directory.
        DataSourceError: a directory named outright is not a run directory.
    """
    from cdmbench.runs.paths import run_dirs

    return run_dirs(value, SCORES_FILE, usage="Pass them as runs=outputs/* or runs=[outputs/a,outputs/b].")


def _manifest(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "manifest.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataSourceError(f"{path} is not readable JSON ({exc}); fix or remove it.") from None
    return data if isinstance(data, dict) else {}


def _model(manifest: dict[str, Any]) -> str:
    lm = manifest.get("lm") or manifest.get("identity", {}).get("lm") or {}
    for key in ("served_name", "model", "preset", "kind"):
        if lm.get(key):
            return str(lm[key])
    return "?"


def _row(run_dir: Path) -> LeaderboardRow:
    manifest = _manifest(run_dir)
    summary = read_run(run_dir)
    identity = manifest.get("identity") or {}
    program = identity.get("program") or {}
    data = manifest.get("data") or {}
    data_key = identity.get("data_hash") or data.get("path") or "unknown data"
    data_label = Path(str(data.get("path"))).name if data.get("path") else "demo cases"
    if identity.get("data_hash"):
        data_label += f" (data {str(identity['data_hash'])[:10]})"
    protocol = summary.protocol or DEFAULT_PROTOCOL  # the manifest's, else summary.json's (``run_protocol``)
    metrics = {}
    for metric in HEADLINE_METRICS:
        row = summary.get(OVERALL, metric)
        if row is not None:
            metrics[metric] = Cell(mean=row.mean, ci_low=row.ci_low, ci_high=row.ci_high, n=row.n)
    return LeaderboardRow(
        run=manifest.get("run") or run_dir.name,
        path=str(run_dir),
        model=_model(manifest),
        program=str(program.get("name") or "?"),
        protocol=str(protocol),
        data_set=f"{data_key} ({summary.n_cases} cases)",
        data_label=f"{data_label}, {summary.n_cases} cases",
        n=summary.n_cases,
        errors=summary.errors,
        error_rate=summary.errors / summary.n_cases if summary.n_cases else None,
        metrics=metrics,
    )


def collect_rows(run_dirs: list[Path]) -> list[LeaderboardRow]:
    """One row per run directory, ordered by data set, then protocol, then gracious diagnosis (best first)."""
    rows = [_row(d) for d in run_dirs]

    def key(row: LeaderboardRow) -> tuple[str, str, float]:
        cell = row.metrics.get("gracious_diagnosis")
        return row.data_set, row.protocol, -(cell.mean if cell and cell.mean is not None else -1.0)

    return sorted(rows, key=key)


def to_frame(rows: list[LeaderboardRow]) -> pd.DataFrame:
    """The rows as a wide table: one column per metric mean, low and high."""
    records = []
    for row in rows:
        record: dict[str, Any] = {
            "data_set": row.data_set,
            "run": row.run,
            "model": row.model,
            "program": row.program,
            "protocol": row.protocol,
            "n": row.n,
            "errors": row.errors,
            "error_rate": row.error_rate,
        }
        for metric in HEADLINE_METRICS:
            cell = row.metrics.get(metric, Cell())
            record.update({metric: cell.mean, f"{metric}_ci_low": cell.ci_low, f"{metric}_ci_high": cell.ci_high})
        record["path"] = row.path
        records.append(record)
    return pd.DataFrame.from_records(records)


def run(cfg: DictConfig) -> int:
    """Write ``leaderboard.html`` and ``leaderboard.csv`` for ``cfg.runs`` into ``cfg.out``."""
    from cdmbench.report.leaderboard_html import render_leaderboard

    run_dirs = expand_runs(cfg.get("runs"))
    out = Path(str(cfg.get("out") or ""))
    if not str(cfg.get("out") or ""):
        raise ConfigError("no output directory; pass out=DIR (e.g. out=outputs/leaderboard).")
    rows = collect_rows(run_dirs)  # every run is read before anything is written
    try:
        out.mkdir(parents=True, exist_ok=True)
        to_frame(rows).to_csv(out / "leaderboard.csv", index=False)
        (out / "leaderboard.html").write_text(render_leaderboard(rows, out), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the leaderboard into {out}: {exc.strerror or exc}.") from None
    groups = len({r.data_set for r in rows})
    protocols = ", ".join(sorted({r.protocol for r in rows}))
    logger.info(
        "leaderboard of {} runs ({} data set(s), protocol {}): {}",
        len(rows),
        groups,
        protocols,
        out / "leaderboard.html",
    )
    return 0
