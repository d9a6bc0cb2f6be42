"""``cdmbench evaluate``: run a program over cases with an LM, streaming a resumable run directory."""

from __future__ import annotations

import json
import platform
import subprocess
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from loguru import logger
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from cdmbench.cases import CasesFile, cases_hash, load_cases_file
from cdmbench.config import redact, to_yaml
from cdmbench.errors import CdmbenchError
from cdmbench.runs.executor import run_cases
from cdmbench.runs.run_dir import RunDirectory
from cdmbench.runs.summary import summary_table

__all__ = ["LMUnavailableError", "git_commit", "run"]


class LMUnavailableError(CdmbenchError):
    """Every case of the first batch failed: the LM (or the program set-up) is broken, not the cases."""


def git_commit() -> str | None:
    """The checkout's commit, when cdmbench runs from a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _load_cases(cfg: DictConfig) -> tuple[CasesFile, str]:
    if cfg.data:
        path = Path(str(cfg.data))
        return load_cases_file(path), path.stem
    from cdmbench.runs.demo import demo_cases

    logger.info(
        "no data= given: generating {} synthetic demo admissions (seed {})", cfg.demo.n_admissions, cfg.demo.seed
    )
    return demo_cases(int(cfg.demo.n_admissions), int(cfg.demo.seed)), "demo"


def _limit(cfg: DictConfig) -> int | None:
    if cfg.limit is not None:
        return int(cfg.limit)
    return None if cfg.data else int(cfg.demo.limit)


def run(cfg: DictConfig) -> int:
    """Evaluate ``cfg.program`` with ``cfg.lm`` on ``cfg.data`` and write ``outputs/<run>/``."""
    from cdmbench.lm import lm_session
    from cdmbench.programs import build_program, program_input

    cases_file, data_name = _load_cases(cfg)
    cases = cases_file.cases
    limit = _limit(cfg)
    if limit is not None:
        cases = cases[:limit]
    program_name = str(cfg.program.name)
    lm_name = str(cfg.lm.get("preset") or cfg.lm.name)
    run_name = str(cfg.run) if cfg.run else f"{data_name}-{program_name}-{lm_name}".replace("/", "_")
    run_dir = RunDirectory(Path(str(cfg.output_dir)) / run_name)

    identity = {
        "program": OmegaConf.to_container(cfg.program, resolve=True),
        "lm": redact(cfg.lm),
        "data_hash": cases_hash(cases_file.cases),
    }
    resumed = run_dir.check_resumable(identity)
    finished = run_dir.finished_ids() if resumed else set()
    todo = [c for c in cases if c.hadm_id not in finished]
    logger.info(
        "run {}: {} cases ({} already finished{}), program {}, LM {}",
        run_dir.root,
        len(cases),
        len(cases) - len(todo),
        ", resuming" if resumed else "",
        program_name,
        lm_name,
    )
    run_dir.write_config(to_yaml(cfg))
    started = datetime.now(UTC).isoformat(timespec="seconds")
    manifest: dict[str, Any] = {
        "identity": identity,
        "run": run_name,
        "started_at": started,
        "cdmbench": version("cdmbench"),
        "dspy": version("dspy"),
        "python": platform.python_version(),
        "git_commit": git_commit(),
        "data": {"path": str(cfg.data) if cfg.data else None, "source": cases_file.source, "n_cases": len(cases)},
    }

    t0 = time.perf_counter()
    counts = {"ok": 0, "error": 0}
    with lm_session(cfg.lm, data_is_synthetic=cases_file.is_synthetic) as session:
        manifest["lm"] = session.describe()
        run_dir.write_manifest(manifest)
        program = build_program(cfg.program, cases=cases_file.cases)
        bar = tqdm(total=len(todo), desc=f"evaluate {program_name}", unit="case", disable=not todo)
        for record in run_cases(program, todo, program_input, num_threads=int(cfg.num_threads)):
            run_dir.predictions.append(record)
            counts[record["status"]] += 1
            bar.update(1)
            bar.set_postfix(ok=counts["ok"], errors=counts["error"])
            if counts["ok"] == 0 and counts["error"] >= int(cfg.abort_after_errors):
                bar.close()
                raise LMUnavailableError(
                    f"the first {counts['error']} cases all failed (last: {record.get('error')}); "
                    "check that the LM answers (lm=..., api_base) and rerun: finished cases are kept."
                )
        bar.close()

    manifest["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    manifest["seconds_this_session"] = round(time.perf_counter() - t0, 1)
    run_dir.write_manifest(manifest)
    pathologies = {c.hadm_id: c.pathology for c in cases_file.cases}
    wanted = {c.hadm_id for c in cases}
    records = [r for r in run_dir.predictions if int(r["hadm_id"]) in wanted]
    table = summary_table(records, pathologies)
    logger.info("results ({}):\n{}", run_dir.root, table.to_string(index=False))
    (run_dir.root / "summary_table.json").write_text(
        json.dumps(table.to_dict(orient="records"), indent=2) + "\n", encoding="utf-8"
    )
    return 0
