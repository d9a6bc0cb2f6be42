"""Reading run files (JSON lines) and writing ``summary.json`` / ``summary.csv`` atomically."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cdmbench.errors import DataSourceError
from cdmbench.io import atomic_write_text
from cdmbench.report.records import Summary

__all__ = ["SUMMARY_CSV", "SUMMARY_JSON", "iter_jsonl", "read_summary", "write_summary"]

SUMMARY_JSON = "summary.json"
SUMMARY_CSV = "summary.csv"


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the objects of a JSON-lines file one at a time; blank lines are skipped.

    Raises:
        DataSourceError: the file cannot be read, or a line is not a JSON object (the message names the line).
    """
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise DataSourceError(f"cannot read {str(path)!r}: {exc.strerror or exc}.") from None
    with handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise DataSourceError(
                    f"{path}:{number}: not valid JSON ({exc.msg}). Each line must be one JSON object; fix or remove it."
                ) from None
            if not isinstance(value, dict):
                raise DataSourceError(f"{path}:{number}: expected a JSON object, got {type(value).__name__}.")
            yield value


def write_summary(summary: Summary, run_dir: Path) -> tuple[Path, Path]:
    """Write ``summary.json`` (the whole ``Summary``) and ``summary.csv`` (long format) into ``run_dir``.

    The CSV has one row per pathology and metric: pathology, metric, mean, n, ci_low, ci_high, method.
    Both files are written atomically.

    Returns:
        The paths of summary.json and summary.csv.
    """
    run_dir = Path(run_dir)
    json_path, csv_path = run_dir / SUMMARY_JSON, run_dir / SUMMARY_CSV
    atomic_write_text(json_path, summary.model_dump_json(indent=2) + "\n")
    atomic_write_text(csv_path, summary.to_frame().to_csv(index=False, lineterminator="\n"))
    return json_path, csv_path


def read_summary(path: Path) -> Summary:
    """Load a ``summary.json`` written by ``write_summary``."""
    path = Path(path)
    try:
        return Summary.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataSourceError(f"cannot read {str(path)!r}: {exc.strerror or exc}.") from None
    except ValueError as exc:
        raise DataSourceError(
            f"{path} is not a cdmbench summary.json ({exc}); rewrite it with summarize_run."
        ) from None
