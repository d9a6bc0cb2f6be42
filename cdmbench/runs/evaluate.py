"""``cdmbench evaluate``: run a program over cases with an LM, streaming a resumable run directory.

Each finished case is appended to ``predictions.jsonl`` and scored at once into ``scores.jsonl``; at the
end ``summary.json``, ``summary.csv`` and ``plots/`` are written and the summary table is printed.
``shard=i/n`` evaluates one shard of the cases (``cdmbench merge`` joins the shard runs);
``retry_errors=true`` reruns only the cases recorded with ``error_kind: "lm_error"`` (the LM unreachable, HTTP
errors, timeouts); a ``format_error`` is the model's own answer and is kept (re-sampling it until it parses would
bias the result). Every case counts in the
summary (a failed one as 0); when more than ``max_error_rate`` of them failed the command exits non-zero, after
writing everything.
"""

from __future__ import annotations

import platform
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import dspy
from loguru import logger
from omegaconf import DictConfig

from cdmbench.cases import Case, CasesFile, load_cases_file
from cdmbench.config import bool_setting, int_setting, to_yaml
from cdmbench.errors import CdmbenchError, ConfigError
from cdmbench.io import max_input_bytes
from cdmbench.progress import progress
from cdmbench.protocols import Protocol, protocol_from_config, run_protocol
from cdmbench.runs.error_rate import error_rate_exit_code, error_rate_setting
from cdmbench.runs.executor import run_cases
from cdmbench.runs.identity import run_identity
from cdmbench.runs.naming import lm_label, run_directory
from cdmbench.runs.provenance import git_state, provenance
from cdmbench.runs.run_dir import RunDirectory
from cdmbench.runs.shard import parse_shard, shard_cases

__all__ = ["LMUnavailableError", "git_commit", "run"]


class LMUnavailableError(CdmbenchError):
    """Every case of the first batch failed: the LM (or the program set-up) is broken, not the cases."""


def git_commit() -> str | None:
    """The checkout's commit, when cdmbench runs from a git checkout."""
    return git_state()["commit"]


def _load_cases(cfg: DictConfig) -> tuple[CasesFile, str]:
    if cfg.data:
        path = Path(str(cfg.data))
        return load_cases_file(path, max_bytes=max_input_bytes(cfg.get("max_input_mb"))), path.stem
    from cdmbench.runs.demo import demo_cases

    logger.info(
        "no data= given: generating {} synthetic demo admissions (seed {})", cfg.demo.n_admissions, cfg.demo.seed
    )
    n_admissions = int_setting(cfg, "demo.n_admissions", minimum=1)
    return demo_cases(n_admissions, int_setting(cfg, "demo.seed")), "demo"


def _demo_cases_file(run_dir: RunDirectory, cases: list[Case]) -> Path:
    """Save a demo run's generated cases into its directory (the report shows their histories); return the file."""
    from cdmbench.cases import save_cases
    from cdmbench.report.html.writer import DEMO_CASES_FILE

    path = run_dir.root / DEMO_CASES_FILE
    save_cases(path, cases, source="synthetic")
    return path


def _demo_program(cfg: DictConfig) -> None:
    """The demo's agent takes at most ``demo.max_iters`` steps (a bare `cdmbench evaluate` stays short on a laptop)."""
    cap = int_setting(cfg, "demo.max_iters", minimum=1, optional=True)
    if cap is not None and "max_iters" in cfg.program:
        current = int_setting(cfg, "program.max_iters", minimum=1)
        cfg.program.max_iters = min(current, cap)


def _selected(cfg: DictConfig, cases: list[Case]) -> list[Case]:
    limit = int_setting(cfg, "limit", minimum=0, optional=True)
    if limit is None and not cfg.data:
        limit = int_setting(cfg, "demo.limit", minimum=0, optional=True)
    return cases if limit is None else cases[:limit]


class _Scorer:
    """Scores finished predictions into the run's scores.jsonl (CDMv1 rules, one shared lab dictionary)."""

    def __init__(self, cases: list[Case], run_dir: RunDirectory, protocol: Protocol) -> None:
        self.by_id = {c.hadm_id: c for c in cases}
        self.run_dir = run_dir
        self.protocol = protocol
        self.dictionary = protocol.lab_dictionary(cases)  # all loaded cases, never only the selected ones
        self.scored = {int(r["hadm_id"]) for r in run_dir.scores}

    def line(self, record: dict[str, Any]) -> dict[str, Any]:
        """The scores.jsonl line of a prediction."""
        from cdmbench.metrics import score_case, score_error

        case = self.by_id[int(record["hadm_id"])]
        if record.get("status") == "ok":
            return score_case(case, record, self.dictionary, self.protocol).to_record()
        return score_error(case, record.get("error"), record.get("error_kind"), self.dictionary).to_record()

    def __call__(self, record: dict[str, Any]) -> None:
        hadm_id = int(record["hadm_id"])
        if hadm_id in self.scored or hadm_id not in self.by_id:
            return
        self.run_dir.scores.append(self.line(record))
        self.scored.add(hadm_id)

    def replace(self, record: dict[str, Any]) -> None:
        """Put a retried case's new prediction and score in place of the old ones (atomic rewrites)."""
        self.run_dir.replace_case(record, self.line(record))
        self.scored.add(int(record["hadm_id"]))

    def catch_up(self) -> None:
        """Score predictions recorded by an interrupted earlier session but not yet scored."""
        for record in self.run_dir.predictions:
            self(record)


def _data_source(cfg: DictConfig, cases_file: CasesFile) -> str | None:
    """What the data-use guard sees: the cases' source, or a compiled bundle's when its demos are credentialed."""
    compiled = cfg.program.get("compiled")
    if not compiled or cases_file.source != "synthetic":
        return cases_file.source
    from cdmbench.optimize.provenance import bundle_data_source

    return bundle_data_source(str(compiled))


def _retry_ids(run_dir: RunDirectory, selected: set[int]) -> set[int]:
    """The cases ``retry_errors=true`` reruns: the ``lm_error`` ones (the model's ``format_error`` answers stay)."""
    kinds = {h: k for h, k in run_dir.error_kinds().items() if h in selected}
    retry = {h for h, k in kinds.items() if k == "lm_error"}
    kept_format = sum(k == "format_error" for k in kinds.values())
    kept_other = len(kinds) - len(retry) - kept_format
    logger.info(
        "retry_errors: rerunning {} lm_error case(s); keeping {} format_error case(s) (the model's own answers){}",
        len(retry),
        kept_format,
        f" and {kept_other} error case(s) without an error_kind" if kept_other else "",
    )
    return retry


def _error_kind(record: dict[str, Any]) -> str:
    """An error record's kind (its failure kind, else the exception's type name): never model output."""
    kind = record.get("error_kind") or str(record.get("error") or "").split(":", 1)[0]
    return str(kind).strip()[:80] or "error"


def _fresh_answers(session: Any, retry: set[int]) -> dict[str, Any]:
    """For a retry, an LM whose cache key has a fresh rollout id: retried cases never get a cached answer."""
    if not retry:
        return {}
    import warnings

    warnings.filterwarnings("ignore", message="rollout_id has no effect")  # it changes the cache key all the same
    return {"lm": session.lm.copy(rollout_id=time.time_ns() % (1 << 62))}


def _server_log(settings: Any, run_dir: RunDirectory) -> str | None:
    """Where a server cdmbench starts logs: ``<run>/lm.log`` (embedded), ``<run>/vllm.log`` (``lm.launch``)."""
    name = "lm.log" if settings.kind == "embedded" else "vllm.log" if settings.launch else None
    if name is None:
        return None
    run_dir.create()  # the server logs into it
    return str(run_dir.root / name)


def run(cfg: DictConfig) -> int:
    """Evaluate ``cfg.program`` with ``cfg.lm`` on ``cfg.data`` and write ``outputs/<run>/``."""
    from cdmbench.lm import LMSettings, lm_session, resolve_endpoint
    from cdmbench.programs import build_program, program_input
    from cdmbench.report import format_summary, summarize_run

    lm_settings = LMSettings.from_config(cfg.lm)
    resolve_endpoint(lm_settings)  # an unknown preset or incomplete LM settings fail before anything is written
    num_threads = int_setting(cfg, "num_threads", minimum=1)
    retry_errors = bool_setting(cfg, "retry_errors")
    plots, html_report = bool_setting(cfg, "plots"), bool_setting(cfg, "html_report")
    abort_after_errors = int_setting(cfg, "abort_after_errors", minimum=1)
    transcript = bool_setting(cfg, "transcript")
    max_error_rate = error_rate_setting(cfg)
    shard = parse_shard(cfg.get("shard"))
    cases_file, _ = _load_cases(cfg)
    selected = _selected(cfg, cases_file.cases)
    cases = shard_cases(selected, shard)
    program_name = str(cfg.program.name)
    if not cfg.data:
        _demo_program(cfg)
    protocol = protocol_from_config(cfg)  # chosen once: the environment, the agent and the scorer consult it
    # bad options or bundle: fail before any output
    allow_mixed = bool_setting(cfg, "allow_mixed_protocols")
    program = build_program(cfg.program, cases=cases_file.cases, protocol=protocol, allow_mixed_protocols=allow_mixed)
    run_dir = RunDirectory(run_directory(cfg, "evaluate"))  # hydra.run.dir, or output_dir/<run name>

    identity = run_identity(cfg, cases_file.cases)
    resumed = run_dir.check_resumable(identity)
    if resumed and run_protocol(run_dir.root) != protocol.name:
        raise ConfigError(
            f"{run_dir.root} was run under protocol={run_protocol(run_dir.root)}, not protocol={protocol.name}; "
            "choose another run= name (a run keeps one protocol)."
        )
    retry = _retry_ids(run_dir, {c.hadm_id for c in cases}) if resumed and retry_errors else set()
    finished = run_dir.finished_ids() - retry if resumed else set()
    todo = [c for c in cases if c.hadm_id not in finished]
    logger.info(
        "run {}: {} cases ({} already finished{}), program {}, LM {}",
        run_dir.root,
        len(cases),
        len(cases) - len(todo),
        ", resuming" if resumed else "",
        program_name,
        lm_label(cfg.lm),
    )
    manifest: dict[str, Any] = {
        "identity": identity,
        "protocol": protocol.name,
        "run": run_dir.root.name,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cdmbench": version("cdmbench"),
        "dspy": version("dspy"),
        "python": platform.python_version(),
        "git_commit": git_commit(),
        "data": {"path": str(cfg.data) if cfg.data else None, "source": cases_file.source, "n_cases": len(cases)},
        "selection": {"limit": cfg.limit, "n_selected": len(selected), "shard": shard.spec if shard else None},
        "case_ids": [c.hadm_id for c in cases],
        "provenance": provenance(),  # command line, git dirty flag, library versions, host, GPUs
    }
    if not todo:  # nothing to run: no LM session to fail, the directory is written now
        run_dir.create()
        run_dir.write_config(to_yaml(cfg))
    scorer = _Scorer(cases_file.cases, run_dir, protocol)
    scorer.catch_up()

    t0 = time.perf_counter()
    counts = {"ok": 0, "error": 0, "lm_error": 0}
    if todo:
        log_file = _server_log(lm_settings, run_dir)
        session_cm = lm_session(lm_settings, data_source=_data_source(cfg, cases_file), log_file=log_file)
        # the run directory is the record: DSPy's per-call LM history would only grow with the run
        with (
            session_cm as session,
            dspy.context(disable_history=True, track_usage=True, **_fresh_answers(session, retry)),
        ):
            run_dir.create()  # the data guard and the LM probe passed: from here on the run writes
            run_dir.write_config(to_yaml(cfg))
            manifest["lm"] = session.description
            run_dir.write_manifest(manifest)
            bar = progress(total=len(todo), desc=f"evaluate {program_name}", unit="case")
            for record in run_cases(program, todo, program_input, num_threads=num_threads, transcript=transcript):
                if int(record["hadm_id"]) in retry:
                    scorer.replace(record)
                else:
                    run_dir.predictions.append(record)
                    scorer(record)
                counts[record["status"]] += 1
                counts["lm_error"] += record.get("error_kind") == "lm_error"
                bar.update(1)
                bar.set_postfix(ok=counts["ok"], errors=counts["error"])
                # the LM is down: every case so far failed without an answer (unreadable answers are the model's)
                if counts["ok"] == 0 and counts["error"] == counts["lm_error"] >= abort_after_errors:
                    bar.close()
                    raise LMUnavailableError(
                        f"the first {counts['error']} cases all failed (last: hadm_id {record['hadm_id']}, "
                        f"{_error_kind(record)}); check the LM (lm=..., its api_base) and rerun: finished cases "
                        "are kept (predictions.jsonl has each error's reason)."
                    )
            bar.close()
    manifest["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    manifest["seconds_this_session"] = round(time.perf_counter() - t0, 1)
    run_dir.write_manifest(manifest)
    summary = summarize_run(run_dir.root, plots=plots)
    logger.info("results of {} ({} cases):\n{}", run_dir.root, len(cases), format_summary(summary))
    if html_report:
        from cdmbench.report.html import write_html_report

        report = write_html_report(run_dir.root, Path(str(cfg.data)) if cfg.data else _demo_cases_file(run_dir, cases))
        logger.info("report: {}", report)
    return error_rate_exit_code(summary, max_error_rate)
