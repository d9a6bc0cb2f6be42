"""`cdmbench leaderboard runs=outputs/*`: real runs (loopback LM), one row each, grouped by data set, sortable."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cdmbench.cli import main
from cdmbench.config import compose
from cdmbench.runs import evaluate
from tests.report.cdp import find_chromium, open_page
from tests.runs.conftest import evaluate_overrides, write_cases
from tests.runs.loopback_lm import LoopbackLM

CHROMIUM = find_chromium()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """Three runs: two programs on one data set, one on another; plus a folder that is not a run."""
    root = tmp_path_factory.mktemp("lb")
    first = write_cases(root / "cases_a", 8)
    second = write_cases(root / "cases_b", 4, seed=5)
    out = root / "outputs"
    with LoopbackLM() as server:
        for cases, program, run in (
            (first, "diagnosis_only", "a-diagnosis"),
            (first, "full_info", "a-full"),
            (second, "diagnosis_only", "b-diagnosis"),
        ):
            overrides = evaluate_overrides(cases, server.api_base, out, run, f"program={program}")
            assert evaluate.run(compose("evaluate", [*overrides, "html_report=true"])) == 0
    (out / "compare").mkdir()  # not a run: skipped by the glob
    return out


def test_leaderboard_of_a_glob(outputs: Path, tmp_path: Path, capsys) -> None:
    board = tmp_path / "board"
    assert main(["leaderboard", f"runs={outputs}/*", f"out={board}"]) == 0
    rows = list(csv.DictReader((board / "leaderboard.csv").open()))
    assert sorted(r["run"] for r in rows) == ["a-diagnosis", "a-full", "b-diagnosis"]
    assert {r["model"] for r in rows} == {"loopback-model"}
    assert {r["program"] for r in rows} == {"diagnosis_only", "full_info"}
    assert {r["protocol"] for r in rows} == {"cdmbench"}
    by_run = {r["run"]: r for r in rows}
    assert by_run["a-full"]["n"] == "8" and by_run["b-diagnosis"]["n"] == "4"
    assert by_run["a-full"]["data_set"] == by_run["a-diagnosis"]["data_set"] != by_run["b-diagnosis"]["data_set"]
    for row in rows:
        assert float(row["error_rate"]) == 0.0
        low, mean, high = (float(row[k]) for k in ("diagnosis_ci_low", "diagnosis", "diagnosis_ci_high"))
        assert 0.0 <= low <= mean <= high <= 1.0
    page = (board / "leaderboard.html").read_text()
    assert page.count('<table class="board">') == 2  # two data sets, never mixed
    assert all(f"{run}/report.html" in page for run in by_run)


def test_leaderboard_needs_runs(tmp_path: Path, capsys) -> None:
    assert main(["leaderboard", f"runs={tmp_path}/nothing-*", f"out={tmp_path / 'b'}"]) == 2
    assert "matches no run directory" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium); CI installs it")
def test_leaderboard_sorts_in_a_browser(outputs: Path, tmp_path: Path) -> None:
    board = tmp_path / "board"
    assert main(["leaderboard", f"runs=[{outputs}/a-full,{outputs}/a-diagnosis]", f"out={board}"]) == 0
    runs_in_order = "Array.from(document.querySelectorAll('table.board tbody tr')).map(r => r.cells[0].textContent)"
    with open_page(CHROMIUM) as page:
        page.navigate((board / "leaderboard.html").as_uri())
        assert [m for m in page.console if m["level"] in ("error", "exception")] == []
        page.evaluate("document.querySelectorAll('table.board th')[0].click()")  # Run, descending
        assert page.evaluate(runs_in_order) == ["a-full", "a-diagnosis"]
        page.evaluate("document.querySelectorAll('table.board th')[0].click()")  # ascending
        assert page.evaluate(runs_in_order) == ["a-diagnosis", "a-full"]
