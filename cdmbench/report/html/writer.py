"""``write_html_report``: a run directory -> one self-contained ``report.html`` (written atomically).

The predictions and scores are read line by line; the page is written card by card into a temporary file
that replaces ``report.html`` only when complete. A later line for the same ``hadm_id`` replaces an earlier
one (a resumed or retried run), as in the summary.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml
from loguru import logger

from cdmbench.cases import load_cases_file
from cdmbench.io import atomic_open
from cdmbench.progress import progress
from cdmbench.protocols import run_protocol
from cdmbench.report.command import PLOTS_DIR
from cdmbench.report.files import iter_jsonl
from cdmbench.report.html.cards import render_card
from cdmbench.report.html.page import filter_bar, page_end, page_start
from cdmbench.report.html.summary_section import PLOT_CAPTIONS, render_plots, render_summary
from cdmbench.report.html.transcript import CaseInfo, CaseView
from cdmbench.report.plots import plot_summary
from cdmbench.report.records import Summary
from cdmbench.report.run_dir import PREDICTIONS_FILE, SCORES_FILE, read_run
from cdmbench.vocabulary.pathologies import PATHOLOGIES

__all__ = ["REPORT_FILE", "load_case_infos", "run_cases_file", "write_html_report"]

REPORT_FILE = "report.html"
"""The report's file name inside a run directory."""


def _read_mapping(path: Path, loader) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        value = loader(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        logger.warning("{}: unreadable ({}); the report header leaves it out", path, type(exc).__name__)
        return {}
    return value if isinstance(value, dict) else {}


DEMO_CASES_FILE = "cases.json"
"""A demo run (no ``data=``) keeps the cases it generated here, inside the run directory."""


def run_cases_file(run_dir: Path) -> Path | None:
    """The cases file of a run: ``data`` of its ``config.yaml``, else a demo run's own ``cases.json`` (else None)."""
    data = _read_mapping(Path(run_dir) / "config.yaml", yaml.safe_load).get("data")
    if data:
        return Path(str(data))
    demo = Path(run_dir) / DEMO_CASES_FILE
    return demo if demo.is_file() else None


def load_case_infos(path: Path) -> dict[int, CaseInfo]:
    """Read a cases file and keep what the report shows of each case (history, demographics, reference dx).

    Raises:
        CaseFormatError: the file is not a valid cases file (the message names the problem).
    """
    infos = {}
    for case in load_cases_file(path, allow_empty=True).cases:
        demographics = case.demographics
        infos[case.hadm_id] = CaseInfo(
            history=case.patient_history,
            age=demographics.age if demographics else None,
            gender=demographics.gender if demographics else None,
            pathology=case.pathology,
            reference_diagnosis=list(case.ground_truth.primary_diagnosis) if case.ground_truth else [],
        )
    return infos


def _case_infos(run_dir: Path, cases_file: Path | None) -> dict[int, CaseInfo] | None:
    if cases_file is None:
        cases_file = run_cases_file(run_dir)
        if cases_file is None:
            logger.info("{}: no cases file (a demo run); the report shows what the predictions hold", run_dir)
            return None
        if not cases_file.is_file():
            logger.warning(
                "{}: the run's cases file {} is not there; the report leaves out the histories "
                "(pass cases=FILE to include them)",
                run_dir,
                cases_file,
            )
            return None
    return load_case_infos(cases_file)


EMBEDDED_NOTE = (
    "a pipeline demo: the embedded model (SmolLM2-135M) shows the pipeline runs; its answers are clinically meaningless"
)


def _meta(run_dir: Path) -> list[tuple[str, str]]:
    config = _read_mapping(run_dir / "config.yaml", yaml.safe_load)
    manifest = _read_mapping(run_dir / "manifest.json", json.loads)
    program = config.get("program")
    lm = manifest.get("lm") or config.get("lm")
    if isinstance(lm, dict):
        lm = lm.get("model") or lm.get("preset") or lm.get("name") or lm.get("kind")
    lm_kind = (manifest.get("lm") or {}).get("kind") if isinstance(manifest.get("lm"), dict) else None
    pairs = [
        *([("note", EMBEDDED_NOTE)] if lm_kind == "embedded" else []),
        ("program", program.get("name") if isinstance(program, dict) else program),
        ("LM", lm),
        ("protocol", run_protocol(run_dir)),  # cdmv1 or cdmbench: the environment and the scoring rules
        ("data", config.get("data") or ("synthetic demo" if config else None)),
        ("started", manifest.get("started_at")),
        ("finished", manifest.get("finished_at")),
        ("cdmbench", manifest.get("cdmbench")),
        ("commit", (manifest.get("git_commit") or "")[:10] or None),
    ]
    return [(k, str(v)) for k, v in pairs if v]


def _plots(summary: Summary, run_dir: Path, scratch: Path) -> list[Path]:
    """The run's own ``plots/*.png`` when all are newer than its scores; otherwise drawn afresh into ``scratch``."""
    scores_time = (run_dir / SCORES_FILE).stat().st_mtime
    existing = list((run_dir / PLOTS_DIR).glob("*.png"))
    if existing and all(p.stat().st_mtime >= scores_time for p in existing):
        order = list(PLOT_CAPTIONS)
        return sorted(existing, key=lambda p: (order.index(p.stem) if p.stem in order else len(order), p.name))
    return plot_summary(summary, scratch)


def _last_lines(path: Path) -> dict[int, int]:
    last: dict[int, int] = {}
    if path.is_file():
        for index, line in enumerate(iter_jsonl(path)):
            last[int(line["hadm_id"])] = index
    return last


def _pathology_order(values: set[str]) -> list[str]:
    return [p for p in PATHOLOGIES if p in values] + sorted(values - set(PATHOLOGIES))


def write_html_report(run_dir: Path, cases_file: Path | None = None, *, out: Path | None = None) -> Path:
    """Write the run's self-contained ``report.html``: summary with CIs, plots, one transcript per case.

    Args:
        run_dir: a run directory with ``scores.jsonl`` (and usually ``predictions.jsonl``, ``config.yaml``).
        cases_file: the cases the run was made on, for the patient histories; None: the file named by
            ``data`` in the run's ``config.yaml`` when it exists, else none (a demo run).
        out: where to write (default ``<run_dir>/report.html``).

    Returns:
        The path written.

    Raises:
        DataSourceError: the run directory or its scores are missing, or a line is malformed.
        CaseFormatError: ``cases_file`` is not a valid cases file.
        OutputError: the report cannot be written.
    """
    run_dir = Path(run_dir)
    summary = read_run(run_dir)
    out = Path(out) if out is not None else run_dir / REPORT_FILE
    infos = _case_infos(run_dir, Path(cases_file) if cases_file is not None else None)
    scores: dict[int, dict[str, Any]] = {int(line["hadm_id"]): line for line in iter_jsonl(run_dir / SCORES_FILE)}
    predictions_path = run_dir / PREDICTIONS_FILE
    last = _last_lines(predictions_path)
    scored_only = [h for h in scores if h not in last]
    total = len(last) + len(scored_only)

    def view(hadm_id: int, prediction: dict[str, Any] | None) -> CaseView:
        info = infos.get(hadm_id) if infos is not None else None
        return CaseView(hadm_id=hadm_id, prediction=prediction, score=scores.get(hadm_id), info=info)

    pathologies = {view(h, None).pathology for h in [*last, *scored_only]}
    missing = sum(1 for h in [*last, *scored_only] if infos is not None and h not in infos)
    if missing:
        logger.warning("{} cases of the run are not in the cases file; their cards have no history", missing)
    with tempfile.TemporaryDirectory(prefix="cdmbench-report-") as tmp:
        plots = render_plots(_plots(summary, run_dir, Path(tmp)))
    with atomic_open(out, "w") as fh:
        fh.write(page_start(f"cdmbench report: {run_dir.resolve().name}", _meta(run_dir)))
        fh.write(render_summary(summary) + plots)
        fh.write(f'<h2 id="cases">Cases ({total})</h2>')
        fh.write(filter_bar(_pathology_order(pathologies), total))
        with progress(total=total, desc="report", unit="case", leave=False) as bar:
            if last:
                for index, line in enumerate(iter_jsonl(predictions_path)):
                    hadm_id = int(line["hadm_id"])
                    if last[hadm_id] == index:
                        fh.write(render_card(view(hadm_id, line)))
                        bar.update(1)
            for hadm_id in scored_only:
                fh.write(render_card(view(hadm_id, None)))
                bar.update(1)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        fh.write(page_end(f"Written by cdmbench {version('cdmbench')} at {stamp}; self-contained, works offline."))
    logger.info("wrote {} ({} cases)", out, total)
    return out
