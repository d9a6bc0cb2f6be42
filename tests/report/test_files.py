"""summary.json / summary.csv contents, the terminal table, and reading JSON lines."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cdmbench.errors import DataSourceError
from cdmbench.report.files import iter_jsonl, read_summary, write_summary
from cdmbench.report.summary import summarize
from cdmbench.report.table import format_summary
from tests.report.conftest import mixed_lines, prediction_line, score_line


def test_summary_json_and_csv_contents(tmp_path):
    summary = summarize(mixed_lines(5), [prediction_line(1001, status="error")])
    json_path, csv_path = write_summary(summary, tmp_path)
    data = json.loads(json_path.read_text())
    assert data["errors"] == 1 and data["n_cases"] == 20
    assert data["bootstrap_resamples"] == 2000 and "wilson" in data["ci_methods"]
    assert read_summary(json_path) == summary
    table = pd.read_csv(csv_path)
    assert list(table.columns) == ["pathology", "metric", "mean", "n", "ci_low", "ci_high", "method"]
    assert len(table) == len(summary.rows)
    row = table[(table.pathology == "overall") & (table.metric == "diagnosis")].iloc[0]
    expected = summary.get("overall", "diagnosis")
    assert (row["n"], row["method"]) == (20, "wilson")
    assert row["mean"] == pytest.approx(expected.mean)
    assert row["ci_low"] == pytest.approx(expected.ci_low)
    assert set(table.pathology) == {"appendicitis", "cholecystitis", "diverticulitis", "pancreatitis", "overall"}
    assert not list(tmp_path.glob(".*.tmp"))


def test_format_summary_has_pathology_columns_and_metric_rows():
    summary = summarize([score_line(i, diagnosis=int(i <= 8)) for i in range(1, 11)])
    lines = format_summary(summary).splitlines()
    assert lines[0].split() == ["metric", "appendicitis", "overall"]
    assert lines[1].split() == ["cases", "10", "10"]
    diagnosis = next(line for line in lines if line.startswith("diagnosis "))
    assert "0.80 [0.49-0.94]" in diagnosis
    assert "Wilson" in lines[-1] and "bootstrap" in lines[-1]
    assert not any(line.startswith("first_imaging:") for line in lines)
    assert any(line.startswith("first_imaging:") for line in format_summary(summary, detail=True).splitlines())


def test_format_summary_marks_metrics_that_do_not_apply():
    summary = summarize([score_line(1), score_line(2, "cholecystitis")])
    liver = next(line for line in format_summary(summary).splitlines() if line.startswith("lab_category:liver"))
    assert liver.split()[1] == "-"


def test_iter_jsonl_names_the_bad_line(tmp_path):
    path = tmp_path / "scores.jsonl"
    path.write_text('{"hadm_id": 1}\n\n{"hadm_id": 2\n', encoding="utf-8")
    rows = iter_jsonl(path)
    assert next(rows) == {"hadm_id": 1}
    with pytest.raises(DataSourceError, match=r"scores\.jsonl:3: not valid JSON"):
        next(rows)
