"""The HTML report: one escaped, self-contained page; one card per case (last line wins); histories joined in."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from cdmbench.cases import load_cases_file
from cdmbench.config import compose
from cdmbench.errors import ConfigError, DataSourceError
from cdmbench.report.command import summarize_run
from cdmbench.report.html import REPORT_FILE, write_html_report
from cdmbench.report.html.command import run
from cdmbench.report.html.transcript import outcome_of, transcript_steps
from tests.report.html_run import HOSTILE, make_html_run


@pytest.fixture(scope="module")
def html_run(tmp_path_factory) -> tuple[Path, Path, dict[int, dict]]:
    made = make_html_run(tmp_path_factory.mktemp("html"))
    summarize_run(made[0])  # plots/*.png as `evaluate` leaves them; the report reuses them
    return made


@pytest.fixture(scope="module")
def page(html_run) -> str:
    run_dir, _, _ = html_run
    return write_html_report(run_dir).read_text(encoding="utf-8")


def _cards(page: str) -> dict[int, str]:
    found = re.findall(r'<details class="case [^"]*" id="case-(\d+)".*?</details>', page, flags=re.S)
    bodies = re.split(r'(?=<details class="case )', page)[1:]
    return {int(hadm): body for hadm, body in zip(found, bodies, strict=True)}


def test_one_card_per_case_with_the_scored_outcome(html_run, page):
    run_dir, _, expected = html_run
    cards = _cards(page)
    assert sorted(cards) == sorted(expected)
    scores = {json.loads(line)["hadm_id"]: json.loads(line) for line in (run_dir / "scores.jsonl").open()}
    for hadm_id, card in cards.items():
        outcome = re.search(r'data-outcome="(\w+)"', card).group(1)
        pathology = re.search(r'data-pathology="(\w+)"', card).group(1)
        assert pathology == expected[hadm_id]["pathology"]
        assert outcome == expected[hadm_id]["outcome"], hadm_id
        if scores[hadm_id].get("status") == "error":  # a failed case is scored 0 but shown as an error
            assert outcome == "error" and scores[hadm_id]["scores"]["gracious_diagnosis"] == 0
            continue
        gracious = scores[hadm_id]["scores"]["gracious_diagnosis"]
        assert outcome == {1: "correct", 0: "incorrect"}[gracious]


def test_retried_case_shows_its_last_line(html_run, page):
    _, _, expected = html_run
    retried = list(expected)[2]
    card = _cards(page)[retried]
    assert "first try failed" not in card
    assert expected[retried]["outcome"] in ("correct", "incorrect")


def test_text_is_escaped_and_the_page_is_self_contained(page):
    assert page.count("<script") == 1, "only the page's own script may be in the page"
    assert "window.__pwned" in page  # the hostile text is shown ...
    assert HOSTILE not in page  # ... but never as markup
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "no external resources"
    assert "@import" not in page and "url(http" not in page
    images = re.findall(r'<img [^>]*src="([^"]{0,40})', page)
    assert len(images) == 4 and all(src.startswith("data:image/png;base64,") for src in images)


def test_transcript_sections(html_run, page):
    _, cases_path, expected = html_run
    ids = list(expected)
    cards = _cards(page)
    agent_card = cards[ids[0]]
    exam = next(c for c in load_cases_file(cases_path).cases if c.hadm_id == ids[0]).physical_exam_text
    exam_start = html.escape(exam.split("\n")[0][:40])  # the examination tool's answer is shown
    for text in (
        "Patient history",
        "physical_examination",
        "laboratory_tests",
        exam_start,
        "Synthesis",
        "Diagnosis",
        "Treatment plan",
        "IV antibiotics",
        "Scores",
        "The physical examination was the first tool call.",
    ):
        assert text in agent_card, text
    assert "invalid tool" in agent_card and "order_ct" in agent_card
    assert "end of gathering" in agent_card
    full_info_card = cards[ids[7]]
    assert "No tool calls" in full_info_card and "All information at once." in full_info_card
    error_card = cards[ids[5]]
    assert "LMServerError: timed out" in error_card
    assert "95% CI" in page and "[low-high]: 95% interval" in page


def test_history_comes_from_the_cases_file(html_run, tmp_path):
    run_dir, cases_path, _ = html_run
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    (copy / "config.yaml").write_text("program:\n  name: cdm_agent\ndata: null\n", encoding="utf-8")
    (copy / REPORT_FILE).unlink(missing_ok=True)
    without = write_html_report(copy).read_text(encoding="utf-8")
    assert "the run has no cases file" in without and "Patient history" in without
    history = json.loads(cases_path.read_text())["cases"][0]["patient_history"]
    first_words = history.split("\n")[0][:40]
    assert html.escape(first_words) not in without
    with_cases = write_html_report(copy, cases_path, out=tmp_path / "with.html").read_text(encoding="utf-8")
    assert "the run has no cases file" not in with_cases
    assert html.escape(first_words) in with_cases


def test_failed_write_leaves_the_old_report(html_run, tmp_path):
    run_dir, _, _ = html_run
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    (copy / REPORT_FILE).write_text("old report", encoding="utf-8")
    with (copy / "predictions.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    with pytest.raises(DataSourceError, match=r"predictions\.jsonl:\d+: not valid JSON"):
        write_html_report(copy)
    assert (copy / REPORT_FILE).read_text() == "old report"
    assert not [p for p in copy.iterdir() if p.name.startswith(".report.html")]


def test_transcript_steps_from_trajectory_or_tool_calls():
    trajectory = {
        "thought_0": "examine",
        "tool_name_0": "physical_examination",
        "tool_args_0": {},
        "observation_0": "T 38.4",
        "thought_1": "done",
        "tool_name_1": "finish",
        "tool_args_1": {},
        "observation_1": "Completed.",
    }
    steps = transcript_steps({"trajectory": trajectory, "tool_calls": [{"name": "x", "args": {}}]})
    assert [(s.tool, s.observation, s.thought) for s in steps] == [
        ("physical_examination", "T 38.4", "examine"),
        ("finish", None, "done"),
    ]
    calls = [{"name": "imaging", "args": {"region": "Abdomen"}}, {"name": "laboratory_tests", "args": {}}]
    steps = transcript_steps({"trajectory": {}, "tool_calls": calls, "observations": ["report"]})
    assert [(s.tool, s.args, s.observation) for s in steps] == [
        ("imaging", {"region": "Abdomen"}, "report"),
        ("laboratory_tests", {}, None),
    ]
    assert transcript_steps({"diagnosis": "x"}) == []


def test_outcome_of():
    assert outcome_of({"status": "error"}, {"scores": {"gracious_diagnosis": 1}}) == "error"
    assert outcome_of(None, {"status": "error"}) == "error"
    assert outcome_of({}, {"scores": {"gracious_diagnosis": 0, "diagnosis": 0}}) == "incorrect"
    assert outcome_of({}, {"scores": {"diagnosis": 1}}) == "correct"
    assert outcome_of({}, None) == "unscored"


def test_report_command(html_run, tmp_path):
    run_dir, _, _ = html_run
    out = tmp_path / "r.html"
    assert run(compose("report", [f"run={run_dir}", f"out={out}"])) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(ConfigError, match="pass run=DIR"):
        run(compose("report", []))
    with pytest.raises(DataSourceError, match="does not exist"):
        run(compose("report", [f"run={tmp_path / 'nope'}"]))


def test_plots_are_reused_only_when_newer_than_the_scores(html_run, tmp_path):
    run_dir, _, _ = html_run
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    marker = (copy / "plots" / "diagnosis.png").read_bytes() + b"cdmbench-test-marker"
    (copy / "plots" / "diagnosis.png").write_bytes(marker)
    encoded = base64.b64encode(marker).decode("ascii")
    assert encoded in write_html_report(copy).read_text(encoding="utf-8")
    later = (copy / "plots" / "diagnosis.png").stat().st_mtime + 10
    os.utime(copy / "scores.jsonl", (later, later))  # rescored after the plots were drawn
    page = write_html_report(copy).read_text(encoding="utf-8")
    assert encoded not in page and page.count("data:image/png;base64,") == 4
