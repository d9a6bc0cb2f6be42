"""``cdmbench merge runs=[A,B,...] out=DIR``: combine shard runs (or resumed pieces) into one run directory.

Each case appears once in the merged ``predictions.jsonl`` and ``scores.jsonl``: an ``ok`` prediction wins
over an ``error`` one, else the first run listed wins, and the score line comes from the same run as the
prediction. Runs of another program, LM or data set (``identity`` in ``manifest.json``) are refused. Cases of
the data set that no run holds are reported (and listed in the merged manifest). Files are streamed, never
held whole in memory, and written atomically; the summary is then written with ``summarize_run``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loguru import logger
from omegaconf import DictConfig

from cdmbench.errors import ConfigError, DataSourceError
from cdmbench.io import atomic_open, atomic_write_text, ensure_dir
from cdmbench.protocols.mixing import check_same_protocol
from cdmbench.runs.paths import run_dirs
from cdmbench.runs.run_dir import JsonlStream, lm_identity

__all__ = ["MergeResult", "merge_runs", "run"]

_USAGE = "Pass the shard runs as runs=[outputs/NAME-shard-0-of-2,...] or runs=outputs/NAME-shard-*."


@dataclass
class MergeResult:
    """What ``merge_runs`` wrote."""

    out: Path
    """The merged run directory."""
    n_cases: int
    """Cases in the merged predictions.jsonl."""
    n_errors: int
    """Of those, cases whose prediction has status 'error'."""
    duplicates: int
    """Prediction lines left out because another line of the same case was kept."""
    missing: list[int] = field(default_factory=list)
    """hadm_ids of the data set that no run holds."""
    unscored: list[int] = field(default_factory=list)
    """hadm_ids whose chosen run has a prediction but no score line."""


def _manifest(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "manifest.json"
    if not (run_dir / "predictions.jsonl").is_file() or not path.is_file():
        raise DataSourceError(
            f"{str(run_dir)!r} is not a run directory (needs manifest.json and predictions.jsonl); "
            "pass the directories `cdmbench evaluate` wrote, e.g. runs=[outputs/NAME-shard-0-of-2,...]."
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataSourceError(f"{str(path)!r} is unreadable ({exc}); rerun that shard to rewrite it.") from None


def _identity(manifest: dict[str, Any]) -> dict[str, Any]:
    identity = dict(manifest.get("identity") or {})
    if isinstance(identity.get("lm"), dict):
        identity["lm"] = lm_identity(identity["lm"])
    return identity


def _check_identity(runs: Sequence[Path], manifests: Sequence[dict[str, Any]]) -> dict[str, Any]:
    first = _identity(manifests[0])
    for run_dir, manifest in zip(runs[1:], manifests[1:], strict=True):
        identity = _identity(manifest)
        differs = sorted(k for k in set(first) | set(identity) if first.get(k) != identity.get(k))
        if differs:
            raise ConfigError(
                f"cannot merge {str(run_dir)!r} with {str(runs[0])!r}: different {', '.join(differs)} "
                "(program/lm/data in manifest.json); merge only shards of one evaluation."
            )
    return first


def _expected_ids(manifests: Sequence[dict[str, Any]], data: str | None) -> list[int]:
    """The data set's selected hadm_ids: from ``data`` (a cases file) when given, else the runs' case lists."""
    if data:
        from cdmbench.cases import load_cases_file

        cases = load_cases_file(Path(data)).cases
        limit = manifests[0].get("selection", {}).get("limit")
        cases = cases if limit is None else cases[: int(limit)]
        return [c.hadm_id for c in cases]
    ids: list[int] = []
    for manifest in manifests:
        ids += [int(i) for i in manifest.get("case_ids", [])]
    shards = {m.get("selection", {}).get("shard") for m in manifests} - {None}
    counts = {int(str(s).split("/")[1]) for s in shards}
    if counts and len(shards) < max(counts):
        logger.warning(
            "only shards {} of {} are given and the data set is unknown; pass data=CASES_FILE to list "
            "the missing cases",
            sorted(shards),
            max(counts),
        )
    return ids


def _choose(runs: Sequence[Path]) -> tuple[dict[int, int], int]:
    """Pass 1: for each hadm_id, the index of the run whose prediction is kept (ok beats error; first wins)."""
    chosen: dict[int, tuple[int, bool]] = {}
    lines = 0
    for index, run_dir in enumerate(runs):
        for record in JsonlStream(run_dir / "predictions.jsonl"):
            lines += 1
            hadm_id, ok = int(record["hadm_id"]), record.get("status") == "ok"
            if hadm_id not in chosen or (ok and not chosen[hadm_id][1]):
                chosen[hadm_id] = (index, ok)
    return {k: v[0] for k, v in chosen.items()}, lines - len(chosen)


def _write_stream(runs: Sequence[Path], name: str, chosen: dict[int, int], target: Path) -> set[int]:
    """Pass 2: copy each case's line from its chosen run, once; return the hadm_ids written."""
    written: set[int] = set()
    with atomic_open(target, "w") as out:
        for index, run_dir in enumerate(runs):
            for record in JsonlStream(run_dir / name):
                hadm_id = int(record["hadm_id"])
                if chosen.get(hadm_id) == index and hadm_id not in written:
                    out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                    written.add(hadm_id)
    return written


def merge_runs(
    runs: Sequence[Path], out: Path, data: str | None = None, allow_mixed_protocols: bool = False
) -> MergeResult:
    """Merge run directories into ``out`` (predictions, scores, config, manifest; no summary).

    Args:
        runs: run directories of one evaluation (shards or pieces), all with the same identity.
        out: the merged run directory (created; must not be one of ``runs``).
        data: the cases file to check completeness against (default: the runs' own case lists).
        allow_mixed_protocols: merge runs made under different protocols (refused by default); the merged
            manifest then records ``protocol: "mixed"``.

    Raises:
        ConfigError: no runs, ``out`` among them, runs of another program, LM or data set, or of another protocol.
        DataSourceError: a path is not a run directory.
    """
    runs = [Path(r) for r in runs]
    out = Path(out)
    if not runs:
        raise ConfigError("merge needs runs=[DIR,...]: the run directories to combine.")
    if any(out.resolve() == r.resolve() for r in runs):
        raise ConfigError(f"out={str(out)!r} is one of the runs; choose a new directory for the merged run.")
    manifests = [_manifest(r) for r in runs]
    identity = _check_identity(runs, manifests)
    protocol = check_same_protocol(runs, allow_mixed_protocols, what="runs to merge") or "mixed"
    ensure_dir(out)
    chosen, duplicates = _choose(runs)
    written = _write_stream(runs, "predictions.jsonl", chosen, out / "predictions.jsonl")
    scored = _write_stream(runs, "scores.jsonl", chosen, out / "scores.jsonl")
    errors = sum(1 for r in JsonlStream(out / "predictions.jsonl") if r.get("status") != "ok")
    recorded = (manifests[0].get("data") or {}).get("path")
    if not data and recorded and not Path(recorded).is_file():
        logger.warning(
            "the runs' data file {} is not here; checking completeness against the runs' case lists", recorded
        )
        recorded = None
    expected = _expected_ids(manifests, data or recorded)
    missing = sorted(set(expected) - written)
    unscored = sorted(written - scored)
    if (runs[0] / "config.yaml").is_file():
        shutil.copyfile(runs[0] / "config.yaml", out / "config.yaml")
    manifest = {
        **{k: v for k, v in manifests[0].items() if k not in ("case_ids", "selection", "finished_at")},
        "identity": identity,
        "protocol": protocol,
        "run": out.name,
        "merged_from": [str(r) for r in runs],
        "merged_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "selection": {**manifests[0].get("selection", {}), "shard": None},
        "case_ids": sorted(written),
        "missing_case_ids": missing,
    }
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n")
    return MergeResult(out, len(written), errors, duplicates, missing, unscored)


def run(cfg: DictConfig) -> int:
    """Runner of ``cdmbench merge``: merge ``cfg.runs`` into ``cfg.out`` and write its summary."""
    from cdmbench.report import format_summary, summarize_run

    if not cfg.get("out"):
        raise ConfigError("merge needs out=DIR: where the merged run directory goes.")
    runs = run_dirs(cfg.get("runs"), "predictions.jsonl", minimum=0, usage=_USAGE, check_named=False)
    result = merge_runs(
        runs,
        Path(str(cfg.out)),
        cfg.get("data"),
        allow_mixed_protocols=bool(cfg.get("allow_mixed_protocols", False)),
    )
    logger.info(
        "merged {} runs into {}: {} cases ({} errors), {} duplicate lines left out",
        len(runs),
        result.out,
        result.n_cases,
        result.n_errors,
        result.duplicates,
    )
    if result.unscored:
        logger.warning(
            "{} merged predictions have no score line (first: {}); score them with "
            "`cdmbench score` or rerun their shard to resume",
            len(result.unscored),
            result.unscored[:5],
        )
    if result.missing:
        logger.warning(
            "{} cases of the data set are in no run (first: {}; all listed in {}); rerun the shards that "
            "hold them (rerunning a shard resumes it), then merge again",
            len(result.missing),
            result.missing[:10],
            result.out / "manifest.json",
        )
    summary = summarize_run(result.out, plots=bool(cfg.get("plots", True)))
    logger.info("results of {} ({} cases):\n{}", result.out, result.n_cases, format_summary(summary))
    return 0
