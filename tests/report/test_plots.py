"""Plots render for one run and for several; summarize_run and `cdmbench plot` write their files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdmbench.config import compose
from cdmbench.errors import ConfigError, DataSourceError
from cdmbench.report.command import run, summarize_run
from cdmbench.report.compare import plot_runs, run_labels
from cdmbench.report.plots import plot_summary
from cdmbench.report.summary import summarize
from tests.report.conftest import mixed_lines, prediction_line

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _assert_pngs(paths: list[Path], names: set[str]) -> None:
    assert {p.name for p in paths} == names
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC)
        assert len(data) > 10_000, f"{path.name} looks empty ({len(data)} bytes)"


def test_single_run_plots_render(tmp_path):
    drawn = plot_summary(summarize(mixed_lines(8)), tmp_path / "plots")
    _assert_pngs(drawn, {"diagnosis.png", "treatment.png", "lab_categories.png", "first_imaging.png"})
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == sorted(p.name for p in drawn)


def test_summarize_run_writes_summary_and_plots(make_run):
    lines = mixed_lines(6)
    run_dir = make_run("run_a", lines, [prediction_line(line["hadm_id"]) for line in lines])
    summary = summarize_run(run_dir)
    assert summary.get("overall", "prompt_tokens").mean == 100.0
    assert (run_dir / "summary.json").is_file() and (run_dir / "summary.csv").is_file()
    assert len(list((run_dir / "plots").glob("*.png"))) == 4


def test_plot_runs_draws_runs_side_by_side(make_run, tmp_path):
    first = make_run("model_a", mixed_lines(6))
    second = make_run("model_b", mixed_lines(4))
    drawn = plot_runs([first, second], tmp_path / "compare")
    names = {"diagnosis", "gracious_diagnosis", "laboratory_tests_fraction", "imaging", "treatment_recall"}
    _assert_pngs(drawn, {f"compare_{n}.png" for n in names})
    comparison = (tmp_path / "compare" / "comparison.csv").read_text().splitlines()
    assert comparison[0].startswith("run,pathology,metric")
    assert {line.split(",")[0] for line in comparison[1:]} == {"model_a", "model_b"}


def test_run_labels_stay_distinct():
    assert run_labels([Path("/x/a/run"), Path("/x/b/run")]) == ["a/run", "b/run"]
    assert run_labels([Path("/x/a"), Path("/x/b")]) == ["a", "b"]


def test_missing_scores_file_is_one_clear_error(tmp_path, make_run):
    empty = tmp_path / "not_scored"
    empty.mkdir()
    with pytest.raises(DataSourceError, match=r"not_scored.*has no scores\.jsonl"):
        summarize_run(empty)
    with pytest.raises(DataSourceError, match=r"does not exist"):
        plot_runs([make_run("ok", mixed_lines(2)), tmp_path / "missing"], tmp_path / "out")


def test_plot_command_from_the_config(make_run, tmp_path):
    first, second = make_run("a", mixed_lines(3)), make_run("b", mixed_lines(3))
    out = tmp_path / "cmp"
    cfg = compose("plot", [f"runs=[{first},{second}]", f"out={out}"])
    assert run(cfg) == 0
    assert len(list(out.glob("compare_*.png"))) == 5
    with pytest.raises(ConfigError, match="no runs"):
        run(compose("plot", [f"out={out}"]))
