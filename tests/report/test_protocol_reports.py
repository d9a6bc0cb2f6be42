"""Reports read a run under its own protocol: the first-imaging figure reads requests with the run's vocabulary,
and the leaderboard never ranks runs of two protocols in one table.

"RUQ ultrasound" tells the protocols apart: cdmbench reads it as an abdominal ultrasound; CDMv1 has no region word
for RUQ, so under ``cdmv1`` the request is not understood (invalid).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdmbench.cases import Case
from cdmbench.metrics import score_case
from cdmbench.report import read_run
from cdmbench.report.first_imaging import first_imaging_from_tool_calls
from cdmbench.report.leaderboard import collect_rows, to_frame
from cdmbench.report.leaderboard_html import render_leaderboard
from cdmbench.report.plots import first_imaging_figure
from cdmbench.report.records import OVERALL
from tests.report.conftest import prediction_line

RUQ_FIRST = [
    {"name": "physical_examination", "args": {}},
    {"name": "imaging", "args": {"region": "RUQ", "modality": "ultrasound"}},
]


@pytest.fixture(scope="module")
def cholecystitis() -> Case:
    from cdmbench.runs.demo import demo_cases

    return next(c for c in demo_cases(4, 0).cases if c.pathology == "cholecystitis")


def _run(root: Path, protocol: str, case: Case, tool_calls: list[dict]) -> Path:
    """A run directory of one case, scored under ``protocol`` as ``evaluate`` scores it."""
    run_dir = root / f"run-{protocol}"
    run_dir.mkdir(parents=True)
    record = {**prediction_line(case.hadm_id, tool_calls=tool_calls), "diagnosis": "Acute cholecystitis"}
    scored = score_case(case, record, protocol=protocol if protocol != "mixed" else None).to_record()
    (run_dir / "manifest.json").write_text(json.dumps({"protocol": protocol, "run": run_dir.name}))
    (run_dir / "predictions.jsonl").write_text(json.dumps(record) + "\n")
    (run_dir / "scores.jsonl").write_text(json.dumps(scored, default=str) + "\n")
    return run_dir


def _first_imaging(summary) -> dict[str, float]:
    prefix = "first_imaging:"
    rows = [r for r in summary.rows if r.pathology == OVERALL and r.metric.startswith(prefix)]
    return {r.metric.removeprefix(prefix): r.mean for r in rows if r.mean}


def test_first_imaging_reads_the_request_with_the_runs_protocol(tmp_path, cholecystitis) -> None:
    ours = read_run(_run(tmp_path, "cdmbench", cholecystitis, RUQ_FIRST))
    theirs = read_run(_run(tmp_path, "cdmv1", cholecystitis, RUQ_FIRST))
    assert ours.protocol == "cdmbench" and _first_imaging(ours) == {"Ultrasound": 1.0}
    assert theirs.protocol == "cdmv1" and _first_imaging(theirs) == {"other": 1.0}  # not understood under CDMv1

    figure = first_imaging_figure(theirs)
    assert figure.axes[0].get_title() == "First imaging modality per pathology (protocol cdmv1)"
    assert "request not understood" in [t.get_text() for t in figure.legends[0].get_texts()]


def test_a_request_both_protocols_understand_counts_alike(tmp_path, cholecystitis) -> None:
    calls = [{"name": "imaging", "args": {"region": "Abdomen", "modality": "Ultrasound"}}]
    for protocol in ("cdmbench", "cdmv1"):
        assert _first_imaging(read_run(_run(tmp_path / protocol, protocol, cholecystitis, calls))) == {
            "Ultrasound": 1.0
        }
    # a merge of shards of both protocols reads requests as cdmbench does (it cannot tell them apart)
    assert _first_imaging(read_run(_run(tmp_path, "mixed", cholecystitis, RUQ_FIRST))) == {"Ultrasound": 1.0}


def test_tool_names_are_read_as_the_protocol_reads_them() -> None:
    calls = [{"name": "Imaging", "args": {"region": "Abdomen", "modality": "CT"}}]  # CDMv1's free-text name
    assert first_imaging_from_tool_calls(calls, "cdmv1") == "CT"
    assert first_imaging_from_tool_calls(calls, "cdmbench") == "none"  # cdmbench compares names exactly


def test_the_leaderboard_puts_each_protocol_in_its_own_table(tmp_path, cholecystitis) -> None:
    runs = [_run(tmp_path / "outputs", p, cholecystitis, RUQ_FIRST) for p in ("cdmv1", "cdmbench")]
    rows = collect_rows(runs)
    assert [r.protocol for r in rows] == ["cdmbench", "cdmv1"] and len({r.data_set for r in rows}) == 1
    page = render_leaderboard(rows, tmp_path)
    assert page.count('<table class="board">') == 2  # one data set, two protocols: never ranked together
    assert "protocol cdmbench</h2>" in page and "protocol cdmv1</h2>" in page
    assert "are in separate tables" in page
    assert list(to_frame(rows)["protocol"]) == ["cdmbench", "cdmv1"]  # the CSV's protocol column


def test_the_html_report_names_the_runs_protocol(tmp_path, cholecystitis) -> None:
    from cdmbench.report.html.writer import _meta

    assert ("protocol", "cdmv1") in _meta(_run(tmp_path, "cdmv1", cholecystitis, RUQ_FIRST))
    assert ("protocol", "cdmbench") in _meta(_run(tmp_path, "cdmbench", cholecystitis, RUQ_FIRST))
