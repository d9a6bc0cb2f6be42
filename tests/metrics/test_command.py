"""``cdmbench score``: streaming, atomic output, error lines, and clear errors for bad predictions files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from cdmbench.cases import save_cases
from cdmbench.config import compose
from cdmbench.errors import CaseFormatError, ConfigError, DataSourceError
from cdmbench.metrics.command import run, score_file
from tests.metrics.helpers import imaging, labs, make_case, pe, prediction


@pytest.fixture
def cases_file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.json"
    cases = [make_case("appendicitis", hadm_id=1), make_case("pancreatitis", hadm_id=2)]
    save_cases(path, [*cases, make_case("pancreatitis", hadm_id=3)], source="synthetic")
    return path


def write_jsonl(path: Path, lines: list) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def test_scores_every_line(cases_file: Path, tmp_path: Path) -> None:
    predictions = write_jsonl(
        tmp_path / "predictions.jsonl",
        [
            {"hadm_id": 1, "status": "ok", **prediction("Appendicitis", "IV antibiotics", [pe(), labs("CRP", 50889)])},
            "",
            {"hadm_id": 2, "status": "error", "error": "ValueError: LM down"},
            {"hadm_id": 3, **prediction("Pancreatitis", ["fluids"], [imaging("Abdomen", "US")]), "latency_s": 3.2},
        ],
    )
    out = tmp_path / "run" / "scores.jsonl"
    summary = score_file(cases_file, predictions, out)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(x["hadm_id"], x["status"]) for x in lines] == [(1, "ok"), (2, "error"), (3, "ok")]
    assert lines[0]["scores"]["laboratory_tests"] == 1
    assert lines[1]["error"] == "ValueError: LM down"
    assert set(lines[1]["scores"].values()) == {0}  # a failed case is a miss: every score 0, counted in n
    assert lines[2]["scores"]["imaging"] == 2
    assert summary.total == 3 and summary.errors["pancreatitis"] == 1 and summary.scored["appendicitis"] == 1


def test_run_with_config(cases_file: Path, tmp_path: Path) -> None:
    predictions = write_jsonl(tmp_path / "p.jsonl", [{"hadm_id": "1", **prediction("Appendicitis")}])
    cfg = compose("score", [f"cases={cases_file}", f"predictions={predictions}", f"output={tmp_path / 's.jsonl'}"])
    assert run(cfg) == 0
    assert json.loads((tmp_path / "s.jsonl").read_text())["scores"]["diagnosis"] == 1


def test_missing_arguments() -> None:
    with pytest.raises(ConfigError, match="predictions=FILE"):
        run(OmegaConf.create({"cases": "x", "predictions": None, "output": "y"}))


@pytest.mark.parametrize(
    ("bad_line", "error", "message"),
    [
        ('{"hadm_id": 1, "diagnosis": ', CaseFormatError, r"p\.jsonl: line 3: broken JSON"),
        ("[1, 2]", CaseFormatError, "line 3: expected a JSON object"),
        ({"hadm_id": "abc"}, CaseFormatError, "line 3: 'hadm_id' must be an integer"),
        ({"hadm_id": 999}, DataSourceError, "line 3: hadm_id 999 is not in the cases file"),
        ({"hadm_id": 1, "status": "maybe"}, CaseFormatError, "line 3: 'status' must be"),
        ({"hadm_id": 1, "tool_calls": "imaging"}, CaseFormatError, r"line 3 \(hadm_id=1\): field 'tool_calls'"),
        ({"hadm_id": 1, "tool_calls": [{"args": {}}]}, CaseFormatError, "line 3 .*tool_calls.0.name"),
    ],
)
def test_bad_lines_name_the_line_and_write_nothing(
    cases_file: Path, tmp_path: Path, bad_line, error: type[Exception], message: str
) -> None:
    predictions = write_jsonl(tmp_path / "p.jsonl", [{"hadm_id": 2, **prediction("x")}, "", bad_line])
    out = tmp_path / "scores.jsonl"
    out.write_text("old\n")
    with pytest.raises(error, match=message) as caught:
        score_file(cases_file, predictions, out)
    assert caught.value.exit_code == 2
    assert out.read_text() == "old\n"  # untouched
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".scores")] == []  # no temp file left


def test_two_predictions_for_one_case_name_both_lines(cases_file: Path, tmp_path: Path) -> None:
    predictions = write_jsonl(tmp_path / "p.jsonl", [{"hadm_id": 1, **prediction("x")}, "", {"hadm_id": "1"}])
    with pytest.raises(CaseFormatError, match="lines 1 and 3 are both predictions for hadm_id 1"):
        score_file(cases_file, predictions, tmp_path / "s.jsonl")
    assert not (tmp_path / "s.jsonl").exists()


def test_missing_predictions_file(cases_file: Path, tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="does not exist"):
        score_file(cases_file, tmp_path / "nope.jsonl", tmp_path / "s.jsonl")
    assert not (tmp_path / "s.jsonl").exists()
