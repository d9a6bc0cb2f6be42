"""`cdmbench report` and `cdmbench compare` through the real command line, registered as the lead will."""

from __future__ import annotations

import pytest

from cdmbench import cli
from cdmbench.cli import Command
from tests.report.conftest import mixed_lines, prediction_line

REPORT = Command("report", "write a run's self-contained report.html", "cdmbench.report.html.command:run")
COMPARE = Command(
    "compare", "compare two runs on their shared cases (paired CIs, McNemar)", "cdmbench.report.paired_command:run"
)


@pytest.fixture(autouse=True)
def _registered(monkeypatch):
    monkeypatch.setitem(cli.COMMANDS, "report", REPORT)
    monkeypatch.setitem(cli.COMMANDS, "compare", COMPARE)


def test_report_from_the_command_line(make_run):
    lines = mixed_lines(3)
    run_dir = make_run("run", lines, [prediction_line(line["hadm_id"]) for line in lines])
    assert cli.main(["report", f"run={run_dir}"]) == 0
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert page.count('<details class="case ') == len(lines)
    assert "the run has no cases file" in page


def test_command_line_errors_are_one_line_and_non_zero(make_run, tmp_path, capsys):
    assert cli.main(["report", f"run={tmp_path / 'nope'}"]) == 2
    a = make_run("a", mixed_lines(2))
    assert cli.main(["report", f"run={a}", f"cases={tmp_path / 'missing.json'}"]) == 2
    assert not (a / "report.html").exists()
    b = make_run("b", [dict(line, hadm_id=line["hadm_id"] + 10_000) for line in mixed_lines(2)])
    assert cli.main(["compare", f"runs=[{a},{b}]", f"out={tmp_path / 'cmp'}"]) == 2
    assert not (tmp_path / "cmp" / "compare.csv").exists()
    assert cli.main(["compare", f"runs=[{a},{a}]", f"out={tmp_path / 'same'}"]) == 0
    assert (tmp_path / "same" / "compare.png").is_file()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "missing.json" in err and "share no case" in err
