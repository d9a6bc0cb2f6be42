"""``cdmbench score cases=FILE predictions=FILE output=FILE``: re-score any predictions file with CDMv1's rules.

Predictions are read one line at a time and each scores.jsonl line is written as soon as it is scored, into a
temporary file that replaces ``output`` only when every line succeeded: a malformed line or an hadm_id that is
not in the cases file stops the command with an error naming the file and line, and nothing is written.

A prediction with ``status: "error"`` is written as a line with ``status: "error"``, its ``error`` and null
scores, so the summary can count errors per pathology; it is never scored as zeros. Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loguru import logger
from omegaconf import DictConfig
from pydantic import ValidationError
from tqdm import tqdm

from cdmbench.cases import Case, load_cases
from cdmbench.errors import CaseFormatError, ConfigError, DataSourceError
from cdmbench.io import atomic_open, check_input_file, find_lone_surrogate, json_loads, max_input_bytes
from cdmbench.metrics.core import CaseScore
from cdmbench.metrics.scorer import score_case
from cdmbench.protocols import Protocol, get_protocol, protocol_from_config
from cdmbench.vocabulary.lab_dictionary import LabDictionary

__all__ = ["ScoreSummary", "run", "score_file"]


class ScoreSummary:
    """Counts of a ``score_file`` run."""

    def __init__(self) -> None:
        self.scored: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.correct: Counter[str] = Counter()

    @property
    def total(self) -> int:
        """Lines written."""
        return sum(self.scored.values()) + sum(self.errors.values())

    def add(self, score: CaseScore) -> None:
        """Count one written line."""
        pathology = score.pathology or "unknown"
        if score.status == "error" or score.scores is None:
            self.errors[pathology] += 1
            return
        self.scored[pathology] += 1
        self.correct[pathology] += score.scores.gracious_diagnosis


def _prediction_lines(path: Path, max_bytes: int | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, JSON object) for each non-blank line of a predictions file."""
    if path.exists():
        check_input_file(path, "predictions file", max_bytes)  # devices, FIFOs, oversized files
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise DataSourceError(f"predictions file {str(path)!r} does not exist; check predictions=...") from None
    except OSError as exc:
        raise DataSourceError(f"cannot read predictions file {str(path)!r}: {exc.strerror or exc}.") from None
    with handle:
        try:
            for lineno, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json_loads(line, f"{path}: line {lineno}")
                except json.JSONDecodeError as exc:
                    raise CaseFormatError(
                        f"{path}: line {lineno}: broken JSON at column {exc.colno}: {exc.msg}. "
                        "Each line must be one JSON object (predictions.jsonl)."
                    ) from None
                if not isinstance(record, dict):
                    raise CaseFormatError(
                        f"{path}: line {lineno}: expected a JSON object, got {type(record).__name__}."
                    )
                field = find_lone_surrogate(line, record)
                if field is not None:
                    raise CaseFormatError(
                        f"{path}: line {lineno}: field {field!r} holds a lone surrogate escape (such as \\ud800), "
                        "which is not text; fix the line."
                    )
                yield lineno, record
        except UnicodeDecodeError:
            raise CaseFormatError(f"{path}: not valid UTF-8; predictions files must be UTF-8 JSONL.") from None


def _hadm_id(path: Path, lineno: int, record: dict[str, Any]) -> int:
    value = record.get("hadm_id")
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise CaseFormatError(f"{path}: line {lineno}: 'hadm_id' must be an integer admission id, got {value!r}.")
    return int(value)


def _score_line(
    path: Path, lineno: int, record: dict[str, Any], case: Case, dictionary: LabDictionary, protocol: Protocol
) -> CaseScore:
    status = record.get("status", "ok")
    if status not in ("ok", "error"):
        raise CaseFormatError(f"{path}: line {lineno}: 'status' must be 'ok' or 'error', got {status!r}.")
    try:
        return score_case(case, record, dictionary, protocol)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(line)"
        raise CaseFormatError(
            f"{path}: line {lineno} (hadm_id={case.hadm_id}): field {field!r}: {err['msg']}. "
            "See docs/formats.md 'Predictions file' for the format."
        ) from None


def score_file(
    cases_path: Path,
    predictions_path: Path,
    output_path: Path,
    protocol: Protocol | str | None = None,
    *,
    max_bytes: int | None = None,
) -> ScoreSummary:
    """Score every line of ``predictions_path`` against the cases of ``cases_path`` into ``output_path``.

    ``protocol`` (``cdmv1`` or ``cdmbench``, the default) says how the answers are read (``cdmbench.protocols``).

    Returns:
        The counts of scored and failed predictions per pathology.

    Raises:
        CaseFormatError: a malformed predictions line, two lines for one case (names both), or a case without
            pathology (names file and line).
        DataSourceError: a file is missing, or a prediction's hadm_id is not in the cases file.
    """
    cases = {case.hadm_id: case for case in load_cases(cases_path, max_bytes=max_bytes)}
    protocol = get_protocol(protocol)
    dictionary = protocol.lab_dictionary(cases.values())
    summary = ScoreSummary()
    seen: dict[int, int] = {}
    with (
        atomic_open(output_path) as out,
        tqdm(_prediction_lines(predictions_path, max_bytes), desc="scoring", unit="case", leave=False) as lines,
    ):  # the bar is cleared before an error is reported
        for lineno, record in lines:
            hadm_id = _hadm_id(predictions_path, lineno, record)
            if hadm_id in seen:
                raise CaseFormatError(
                    f"{predictions_path}: lines {seen[hadm_id]} and {lineno} are both predictions for hadm_id "
                    f"{hadm_id}; keep one line per case."
                )
            seen[hadm_id] = lineno
            case = cases.get(hadm_id)
            if case is None:
                raise DataSourceError(
                    f"{predictions_path}: line {lineno}: hadm_id {hadm_id} is not in the cases file {cases_path}; "
                    "score with the cases file the predictions were made on."
                )
            score = _score_line(predictions_path, lineno, record, case, dictionary, protocol)
            out.write(score.to_line() + "\n")
            summary.add(score)
    return summary


def run(cfg: DictConfig) -> int:
    """Run ``cdmbench score`` with ``cfg.cases``, ``cfg.predictions`` and ``cfg.output``."""
    cases, predictions, output = cfg.get("cases"), cfg.get("predictions"), cfg.get("output")
    if not cases or not predictions or not output:
        raise ConfigError(
            "score needs cases=FILE (the cases file), predictions=FILE (predictions.jsonl) and output=FILE "
            "(the scores.jsonl to write)."
        )
    max_bytes = max_input_bytes(cfg.get("max_input_mb"))
    protocol = protocol_from_config(cfg)
    logger.info("scoring with protocol {}", protocol.name)
    summary = score_file(Path(str(cases)), Path(str(predictions)), Path(str(output)), protocol, max_bytes=max_bytes)
    for pathology in sorted(set(summary.scored) | set(summary.errors)):
        n = summary.scored[pathology]
        logger.info(
            "{}: {} scored ({} gracious diagnosis correct), {} errors",
            pathology,
            n,
            summary.correct[pathology],
            summary.errors[pathology],
        )
    logger.info("wrote {} score lines to {} ({} errors)", summary.total, output, sum(summary.errors.values()))
    return 0
