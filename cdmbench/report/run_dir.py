"""Summarize the files of a run directory (``scores.jsonl`` and, when present, ``predictions.jsonl``)."""

from __future__ import annotations

from pathlib import Path

from cdmbench.errors import DataSourceError
from cdmbench.protocols import PROTOCOLS
from cdmbench.protocols.mixing import run_protocol
from cdmbench.report.files import iter_jsonl
from cdmbench.report.records import Summary
from cdmbench.report.summary import summarize

__all__ = ["PREDICTIONS_FILE", "SCORES_FILE", "read_run"]

SCORES_FILE = "scores.jsonl"
PREDICTIONS_FILE = "predictions.jsonl"


def read_run(run_dir: Path, n_resamples: int | None = None, seed: int | None = None) -> Summary:
    """Summarize ``<run_dir>/scores.jsonl`` (with ``predictions.jsonl`` when it exists); writes nothing.

    The summary records the run's protocol (from ``manifest.json``), which also reads its imaging requests.

    Raises:
        DataSourceError: the directory or its scores file is missing, or a line is malformed.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise DataSourceError(f"run directory {str(run_dir)!r} does not exist; pass the directory of a run.")
    scores = run_dir / SCORES_FILE
    if not scores.is_file():
        raise DataSourceError(
            f"{str(run_dir)!r} has no {SCORES_FILE}; score the run first "
            f"(cdmbench score cases=... predictions={run_dir / PREDICTIONS_FILE} output={scores})."
        )
    predictions = run_dir / PREDICTIONS_FILE
    protocol = run_protocol(run_dir)
    options = {k: v for k, v in (("n_resamples", n_resamples), ("seed", seed)) if v is not None}
    summary = summarize(
        iter_jsonl(scores),
        iter_jsonl(predictions) if predictions.is_file() else None,
        scores_source=str(scores),
        predictions_source=str(predictions),
        protocol=protocol if protocol in PROTOCOLS else None,  # a mixed merge reads them as cdmbench does
        **options,
    )
    return summary.model_copy(update={"protocol": protocol})
