"""Paired comparison of two runs on the cases they share: per metric B - A with a paired bootstrap 95% CI,
and McNemar's exact test for the 0/1 metrics (``cdmbench compare runs=[A,B]``).

Pairing removes the variation between cases: each case contributes the difference of its two values, and
the interval is the seeded percentile bootstrap of the mean difference (cases resampled with replacement).
For a 0/1 metric, McNemar's exact test is the two-sided binomial test of the discordant pairs (A right and
B wrong vs A wrong and B right) at one half. A case whose line is an error has no scores: it enters only
the ``error`` metric. The ground-truth shares (``treatment_required:``) and CDMv1's treatment figure
(conditioned on each run's own diagnosis, so not paired) are left out.

Example:
    >>> mcnemar_exact(1, 9)
    0.021484375
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from loguru import logger
from pydantic import ValidationError

from cdmbench.errors import DataSourceError
from cdmbench.report._case_values import BINARY_METRICS, score_values
from cdmbench.report._reference import LAB_CATEGORIES, TREATMENT_KEYS
from cdmbench.report.files import iter_jsonl
from cdmbench.report.intervals import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE, bootstrap_interval
from cdmbench.report.paired_records import Comparison, PairedRow
from cdmbench.report.records import OVERALL, ScoreRecord
from cdmbench.report.run_dir import SCORES_FILE
from cdmbench.vocabulary.pathologies import PATHOLOGIES

__all__ = [
    "ERROR_METRIC",
    "Comparison",
    "PairedRow",
    "compare_runs",
    "mcnemar_exact",
    "paired_bootstrap_interval",
    "paired_metrics",
    "read_case_values",
]

ERROR_METRIC = "error"
"""The 0/1 metric "the case failed" (status error in scores.jsonl)."""


def mcnemar_exact(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar p-value: ``min(1, 2 P(X <= min(a_only, b_only)))``, X ~ Binomial(a_only + b_only, 1/2).

    Args:
        a_only: discordant pairs where only A is 1.
        b_only: discordant pairs where only B is 1.

    Returns:
        The p-value; 1.0 when there are no discordant pairs.
    """
    if a_only < 0 or b_only < 0:
        raise ValueError(f"discordant counts must be non-negative, got {a_only} and {b_only}")
    n = a_only + b_only
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(a_only, b_only) + 1))
    return min(1.0, 2 * tail / 2**n)


def paired_bootstrap_interval(
    a: Iterable[float],
    b: Iterable[float],
    confidence: float = CONFIDENCE,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``mean(b - a)`` with the pairs resampled together (seeded).

    Raises:
        ValueError: ``a`` and ``b`` differ in length or are empty.
    """
    first, second = np.asarray(list(a), dtype=float), np.asarray(list(b), dtype=float)
    if first.shape != second.shape or first.size == 0:
        raise ValueError(f"need two equally long, non-empty sequences, got {first.size} and {second.size} values")
    return bootstrap_interval(second - first, confidence=confidence, n_resamples=n_resamples, seed=seed)


def paired_metrics() -> list[tuple[str, bool]]:
    """The compared metrics in display order, each with whether it is 0/1."""
    metrics = [(m, True) for m in BINARY_METRICS]
    metrics += [("laboratory_tests_fraction", False), ("laboratory_tests", False)]
    metrics += [(f"lab_category:{c}", True) for c in LAB_CATEGORIES]
    metrics += [("unnecessary_laboratory_tests", False), ("imaging", False), ("unnecessary_imaging", False)]
    metrics += [("treatment_recall", False)]
    metrics += [(f"treatment_requested:{k}", True) for k in TREATMENT_KEYS]
    metrics += [("invalid_tools", False), ("rounds", False), (ERROR_METRIC, True)]
    return metrics


def read_case_values(run_dir: Path) -> dict[int, tuple[str, dict[str, float]]]:
    """Per hadm_id of ``<run_dir>/scores.jsonl``: the pathology and the per-case metric values (last line wins).

    Raises:
        DataSourceError: the run or its scores file is missing, or a line is malformed (the message names it).
    """
    path = Path(run_dir) / SCORES_FILE
    if not Path(run_dir).is_dir():
        raise DataSourceError(f"run directory {str(run_dir)!r} does not exist; pass the directory of a run.")
    if not path.is_file():
        raise DataSourceError(f"{str(run_dir)!r} has no {SCORES_FILE}; score the run first (cdmbench score ...).")
    wanted = {m for m, _ in paired_metrics()}
    cases: dict[int, tuple[str, dict[str, float]]] = {}
    for index, line in enumerate(iter_jsonl(path), start=1):
        try:
            record = ScoreRecord.model_validate(line)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(line)"
            raise DataSourceError(f"{path} line {index}: field {field!r}: {first['msg']}. Fix or remove it.") from None
        values = score_values(record) if record.scores is not None else {}
        values = {k: v for k, v in values.items() if k in wanted}
        values[ERROR_METRIC] = 1.0 if record.status == "error" else 0.0
        cases[record.hadm_id] = (record.pathology or "unknown", values)
    return cases


def _row(pathology: str, metric: str, binary: bool, pairs: list[tuple[float, float]], options: dict) -> PairedRow:
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    low, high = paired_bootstrap_interval(a, b, **options)
    mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
    row = PairedRow(
        pathology=pathology,
        metric=metric,
        n=len(pairs),
        mean_a=mean_a,
        mean_b=mean_b,
        difference=mean_b - mean_a,
        ci_low=low,
        ci_high=high,
        binary=binary,
    )
    if binary:
        row.a_only = sum(1 for x, y in pairs if x and not y)
        row.b_only = sum(1 for x, y in pairs if y and not x)
        row.mcnemar_p = mcnemar_exact(row.a_only, row.b_only)
    return row


def compare_runs(
    run_a: Path,
    run_b: Path,
    *,
    confidence: float = CONFIDENCE,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Comparison:
    """Compare run B with run A on the cases both scored, per pathology and overall.

    Args:
        run_a: the baseline run directory (with ``scores.jsonl``).
        run_b: the other run directory; differences are B - A.
        confidence: confidence level of the intervals.
        n_resamples: bootstrap resamples per interval.
        seed: bootstrap seed.

    Returns:
        The ``Comparison``.

    Raises:
        DataSourceError: a run or its scores are missing or malformed, the runs share no case, or they
            disagree on a shared case's pathology (different cases files).
    """
    first, second = read_case_values(run_a), read_case_values(run_b)
    shared = [h for h in first if h in second]
    if not shared:
        raise DataSourceError(
            f"runs {str(run_a)!r} ({len(first)} cases) and {str(run_b)!r} ({len(second)} cases) share no case; "
            "compare two runs made on the same cases file."
        )
    clash = next((h for h in shared if first[h][0] != second[h][0]), None)
    if clash is not None:
        raise DataSourceError(
            f"the runs disagree on the pathology of hadm_id {clash} ({first[clash][0]} in {run_a}, "
            f"{second[clash][0]} in {run_b}): they were made on different cases files; compare runs on the same one."
        )
    only_a, only_b = len(first) - len(shared), len(second) - len(shared)
    if only_a or only_b:
        logger.warning(
            "comparing the {} shared cases; left out {} only in {} and {} only in {}",
            len(shared),
            only_a,
            run_a,
            only_b,
            run_b,
        )
    seen = {first[h][0] for h in shared}
    groups = [p for p in PATHOLOGIES if p in seen] + sorted(seen - set(PATHOLOGIES)) + [OVERALL]
    options = {"confidence": confidence, "n_resamples": n_resamples, "seed": seed}
    rows = []
    for pathology in groups:
        members = [h for h in shared if pathology in (OVERALL, first[h][0])]
        for metric, binary in paired_metrics():
            pairs = [
                (first[h][1][metric], second[h][1][metric])
                for h in members
                if metric in first[h][1] and metric in second[h][1]
            ]
            if pairs:
                rows.append(_row(pathology, metric, binary, pairs, options))
    return Comparison(
        run_a=str(run_a),
        run_b=str(run_b),
        shared=len(shared),
        only_a=only_a,
        only_b=only_b,
        confidence=confidence,
        bootstrap_resamples=n_resamples,
        bootstrap_seed=seed,
        rows=rows,
    )
