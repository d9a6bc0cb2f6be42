"""Paired comparison: McNemar's exact p-values, the paired bootstrap's coverage, shared-case handling, outputs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cdmbench.config import compose
from cdmbench.errors import ConfigError, DataSourceError
from cdmbench.report.paired import (
    Comparison,
    compare_runs,
    mcnemar_exact,
    paired_bootstrap_interval,
)
from cdmbench.report.paired_command import run
from cdmbench.report.paired_output import format_comparison
from tests.report.conftest import score_line

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("a_only", "b_only", "expected"),
    [
        (1, 9, 22 / 1024),  # 2 * (C(10,0) + C(10,1)) / 2**10
        (9, 1, 22 / 1024),
        (0, 5, 2 / 32),
        (2, 10, 2 * (1 + 12 + 66) / 4096),
        (4, 8, 2 * (1 + 12 + 66 + 220 + 495) / 4096),
        (3, 3, 1.0),  # capped at 1
        (0, 0, 1.0),  # no discordant pairs: no evidence
        (0, 1, 1.0),
    ],
)
def test_mcnemar_exact_known_values(a_only, b_only, expected):
    assert mcnemar_exact(a_only, b_only) == pytest.approx(expected, abs=1e-12)


def test_mcnemar_exact_large_and_invalid():
    p = mcnemar_exact(100, 150)  # normal approximation with continuity: z = 49/sqrt(250) = 3.099 -> p ~ 0.0019
    assert 0.0012 < p < 0.0030
    with pytest.raises(ValueError):
        mcnemar_exact(-1, 2)


def test_paired_bootstrap_covers_the_true_difference():
    rng = np.random.default_rng(7)
    covered = 0
    trials = 200
    for trial in range(trials):
        latent = rng.random(150)
        a = (latent < 0.55).astype(float)  # P(A) = 0.55
        b = (latent < 0.70).astype(float)  # P(B) = 0.70, correlated with A: true difference 0.15
        low, high = paired_bootstrap_interval(a, b, n_resamples=1000, seed=trial)
        covered += low <= 0.15 <= high
    assert 0.89 <= covered / trials <= 0.99


def test_paired_bootstrap_is_seeded_and_checks_lengths():
    a, b = [0, 1, 2, 1, 0, 2, 1], [1, 1, 2, 2, 0, 2, 2]
    assert paired_bootstrap_interval(a, b, seed=3) == paired_bootstrap_interval(a, b, seed=3)
    assert paired_bootstrap_interval([1, 2], [1, 2]) == (0.0, 0.0)
    with pytest.raises(ValueError):
        paired_bootstrap_interval([1, 2], [1])


def _runs(make_run, a_correct, b_correct, ids=range(1, 21), pathology="appendicitis", b_ids=None):
    a = [score_line(h, pathology, diagnosis=int(h in a_correct)) for h in ids]
    b = [score_line(h, pathology, diagnosis=int(h in b_correct)) for h in (b_ids or ids)]
    return make_run("A", a), make_run("B", b)


def test_compare_runs_counts_discordant_pairs(make_run):
    run_a, run_b = _runs(make_run, a_correct=set(range(1, 13)), b_correct=set(range(1, 9)) | set(range(13, 21)))
    comparison = compare_runs(run_a, run_b, seed=1)
    row = comparison.get("overall", "diagnosis")
    assert (row.n, row.mean_a, row.mean_b) == (20, 0.6, 0.8)
    assert row.difference == pytest.approx(0.2)
    assert (row.a_only, row.b_only) == (4, 8)
    assert row.mcnemar_p == pytest.approx(1588 / 4096)
    assert row.ci_low < 0.2 < row.ci_high and row.ci_low >= -1 and row.ci_high <= 1
    assert comparison.get("appendicitis", "diagnosis").difference == pytest.approx(0.2)
    same = comparison.get("overall", "imaging")
    assert (same.difference, same.ci_low, same.ci_high, same.mcnemar_p) == (0.0, 0.0, 0.0, None)
    assert comparison.get("overall", "treatment_required:appendectomy") is None  # ground truth: not compared
    assert compare_runs(run_a, run_b, seed=1) == comparison  # seeded


def test_compare_runs_uses_only_shared_cases(make_run):
    run_a, run_b = _runs(make_run, set(range(1, 21)), set(), ids=range(1, 21), b_ids=range(11, 31))
    comparison = compare_runs(run_a, run_b)
    assert (comparison.shared, comparison.only_a, comparison.only_b) == (10, 10, 10)
    row = comparison.get("overall", "diagnosis")
    assert (row.n, row.a_only, row.b_only, row.difference) == (10, 10, 0, -1.0)


def test_compare_runs_refuses_disjoint_or_mismatched_runs(make_run):
    run_a, run_b = _runs(make_run, set(), set(), ids=range(1, 5), b_ids=range(5, 9))
    with pytest.raises(DataSourceError, match="share no case"):
        compare_runs(run_a, run_b)
    a = make_run("C", [score_line(1, "appendicitis")])
    b = make_run("D", [score_line(1, "pancreatitis")])
    with pytest.raises(DataSourceError, match="pathology of hadm_id 1"):
        compare_runs(a, b)
    with pytest.raises(DataSourceError, match="does not exist"):
        compare_runs(a, a.parent / "missing")


def test_error_lines_enter_only_the_error_metric(make_run):
    a = make_run("A", [score_line(h, "cholecystitis") for h in (1, 2, 3)])
    b_lines = [score_line(h, "cholecystitis") for h in (1, 2)]
    b_lines.append({"hadm_id": 3, "pathology": "cholecystitis", "status": "error", "scores": None, "answers": None})
    comparison = compare_runs(a, make_run("B", b_lines))
    assert comparison.get("overall", "diagnosis").n == 2
    error = comparison.get("overall", "error")
    assert (error.n, error.a_only, error.b_only, error.difference) == (3, 0, 1, pytest.approx(1 / 3))


def test_compare_command_writes_table_and_plot(make_run, tmp_path):
    run_a, run_b = _runs(make_run, set(range(1, 13)), set(range(5, 21)))
    out = tmp_path / "cmp"
    assert run(compose("compare", [f"runs=[{run_a},{run_b}]", f"out={out}", "n_resamples=500"])) == 0
    header = (out / "compare.csv").read_text().splitlines()[0]
    assert header.startswith("pathology,metric,n,mean_a,mean_b,difference,ci_low,ci_high,binary")
    comparison = Comparison.model_validate(json.loads((out / "compare.json").read_text()))
    assert comparison.bootstrap_resamples == 500 and comparison.shared == 20
    png = (out / "compare.png").read_bytes()
    assert png.startswith(PNG_MAGIC) and len(png) > 10_000
    table = format_comparison(comparison, "A", "B")
    assert "McNemar p" in table and "diagnosis" in table and "+0.200" in table
    with pytest.raises(ConfigError, match="at least two runs, got 1"):
        run(compose("compare", [f"runs=[{run_a}]", f"out={out}"]))


def test_compare_takes_more_runs_each_against_the_first(make_run, tmp_path):
    run_a, run_b = _runs(make_run, set(range(1, 13)), set(range(5, 21)))
    run_c = make_run("C", [score_line(h, "appendicitis", diagnosis=1) for h in range(11, 31)])  # 10 shared with A
    out = tmp_path / "cmp3"
    assert run(compose("compare", [f"runs=[{run_a},{run_b},{run_c}]", f"out={out}", "n_resamples=200"])) == 0
    for label, shared in (("B", 20), ("C", 10)):
        comparison = Comparison.model_validate(json.loads((out / f"vs-{label}" / "compare.json").read_text()))
        assert comparison.shared == shared
        assert (out / f"vs-{label}" / "compare.png").is_file()
    rows = (out / "compare_all.csv").read_text().splitlines()
    header = rows[0].split(",")
    assert header[-2:] == ["run", "baseline"]
    assert {line.split(",")[-2] for line in rows[1:]} == {"B", "C"}
    assert {line.split(",")[-1] for line in rows[1:]} == {"A"}
    c_diagnosis = next(line.split(",") for line in rows[1:] if line.startswith("overall,diagnosis,") and ",C," in line)
    assert int(c_diagnosis[2]) == 10  # paired on the shared cases only
