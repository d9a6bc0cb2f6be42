"""Plots render for one run and for several; summarize_run and `cdmbench plot` write their files."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.container import ErrorbarContainer

from cdmbench.config import compose
from cdmbench.errors import ConfigError, DataSourceError
from cdmbench.report.command import run, summarize_run
from cdmbench.report.compare import comparison_figure, plot_runs, run_labels
from cdmbench.report.plots import (
    diagnosis_figure,
    first_imaging_figure,
    lab_categories_figure,
    plot_summary,
    treatment_figure,
)
from cdmbench.report.summary import summarize
from tests.report.conftest import mixed_lines, prediction_line, score_line

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


# What the figures draw: no interval from fewer than 2 cases, "n=0" where a pathology has no case, legible sizes.

REPORT_PLOT_PX = 560
"""About the width a plot gets in the report's grid (two columns of a 1180 px page)."""


def _small_run():
    """One appendicitis case, two cholecystitis cases (one missed), nothing else."""
    return summarize(
        [
            score_line(1, "appendicitis"),
            score_line(2, "cholecystitis"),
            score_line(3, "cholecystitis", diagnosis=0, requested={"cholecystectomy": True}),
        ]
    )


def _whisker_positions(ax, horizontal=False):
    """The bar position of every drawn interval (x for vertical bars, y for horizontal)."""
    positions = []
    for container in ax.containers:
        if isinstance(container, ErrorbarContainer):
            (segment,) = container.lines[2][0].get_segments()
            positions.append(float(segment[0][1 if horizontal else 0]))
    return positions


def _notes(ax, text="n=0"):
    return [t for t in ax.texts if t.get_text() == text]


def _near(positions, center, half_width=0.45):
    return [p for p in positions if abs(p - center) <= half_width]


def test_diagnosis_draws_intervals_only_from_two_cases_and_says_n0():
    figure = diagnosis_figure(_small_run())
    (ax,) = figure.axes
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == [
        "appendicitis\nn=1",
        "cholecystitis\nn=2",
        "diverticulitis",
        "pancreatitis",
        "overall\nn=3",
    ]
    whiskers = _whisker_positions(ax)
    assert not _near(whiskers, 0), "appendicitis has one case: no interval"
    assert len(_near(whiskers, 1)) == 2 and len(_near(whiskers, 4)) == 2
    assert len(whiskers) == 4
    empty = _notes(ax)
    assert sorted(round(t.xy[0]) for t in empty) == [2, 3]  # diverticulitis and pancreatitis
    # the bar of the n=1 cell is still drawn, with its value
    assert any(t.get_text() == "1.00" and abs(t.xy[0]) < 0.45 for t in ax.texts)


def test_a_one_case_run_has_no_interval_anywhere():
    summary = summarize([score_line(1, "diverticulitis")])
    for figure in (diagnosis_figure(summary), treatment_figure(summary), lab_categories_figure(summary)):
        for ax in figure.axes:
            assert not [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(diagnosis_figure(summary).axes[0].patches) == 2 * 2  # diverticulitis and overall, two metrics


def test_treatment_panels_name_their_cases_and_empty_cells_say_n0():
    figure = treatment_figure(_small_run())
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    assert titles == ["appendicitis (n=1)", "cholecystitis (n=2)", "diverticulitis (n=0)", "pancreatitis (n=0)"]
    appendicitis, cholecystitis, diverticulitis, pancreatitis = figure.axes
    assert not _whisker_positions(appendicitis, horizontal=True)
    assert _whisker_positions(cholecystitis, horizontal=True)
    for ax in (diverticulitis, pancreatitis):
        assert [t.get_text() for t in ax.get_yticklabels()] == ["(no case)"]
        assert len(_notes(ax)) == 1 and not ax.patches
    # CDMv1's figure of antibiotics needs a gracious-diagnosis case requiring it: one case, no interval
    row = _small_run().get("cholecystitis", "treatment_cdmv1:antibiotics")
    assert row.n == 1
    whiskers = _whisker_positions(cholecystitis, horizontal=True)
    labels = [t.get_text() for t in cholecystitis.get_yticklabels()]
    cdmv1_antibiotics = labels.index("antibiotics") + 0.8 / 3  # third series, below the group's centre
    assert not _near(whiskers, cdmv1_antibiotics, 0.05)


def test_treatment_figure_is_legible_in_the_report_grid():
    figure = treatment_figure(summarize(mixed_lines(4)))
    width_in = figure.get_size_inches()[0]
    scale = REPORT_PLOT_PX / (width_in * figure.dpi)
    points_to_px = figure.dpi / 72 * scale
    for ax in figure.axes:
        assert ax.get_xlim()[1] > ax.get_xlim()[0] and ax.get_ylim()[0] > ax.get_ylim()[1]  # horizontal bars
        for label in ax.get_yticklabels():
            assert label.get_fontsize() * points_to_px >= 10, label.get_text()
        assert ax.title.get_fontsize() * points_to_px >= 10
    assert width_in <= 7.0
    assert len(figure.axes) == 4 and sum(len(ax.get_yticks()) for ax in figure.axes) == 3 + 3 + 5 + 4


def test_lab_and_imaging_plots_say_n0_for_a_pathology_without_cases():
    summary = _small_run()
    lab = lab_categories_figure(summary)
    assert [ax.get_title() for ax in lab.axes] == [
        "appendicitis\nn=1",
        "cholecystitis\nn=2",
        "diverticulitis\nn=0",
        "pancreatitis\nn=0",
    ]
    assert [len(_notes(ax)) for ax in lab.axes] == [0, 0, 1, 3]  # one per required category of pancreatitis
    (imaging,) = first_imaging_figure(summary).axes
    assert sorted(round(t.xy[0]) for t in _notes(imaging)) == [2, 3]
    assert [t.get_text() for t in imaging.get_xticklabels()][:2] == ["appendicitis\nn=1", "cholecystitis\nn=2"]


def test_comparison_says_n0_where_one_run_lacks_a_pathology():
    full = summarize(mixed_lines(3))
    partial = summarize([line for line in mixed_lines(3) if line["pathology"] != "pancreatitis"][:7])
    figure = comparison_figure([full, partial], ["a", "b"], "diagnosis", "Diagnosis", 1.0)
    (ax,) = figure.axes
    (empty,) = _notes(ax)
    assert abs(empty.xy[0] - (3 + 0.2)) < 1e-9  # pancreatitis, second run's bar
    # the second run has one diverticulitis case: its bar says n=1 and has no interval
    assert partial.get("diverticulitis", "diagnosis").n == 1
    assert not _near(_whisker_positions(ax), 2 + 0.2, 0.05)
    assert any(t.get_text().endswith("n=1") and abs(t.xy[0] - 2.2) < 1e-9 for t in ax.texts)
    assert comparison_figure([full], ["a"], "no_such_metric", "x", 1.0) is None
