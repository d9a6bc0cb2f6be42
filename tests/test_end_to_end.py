"""End to end with the real embedded CPU model: `cdmbench evaluate limit=2` for full_info and cdm_agent.

This is the command a new user runs first; it must finish with every case `status: "ok"` and a complete run
directory. It takes a few minutes on 2 cores (the model is tiny; its answers are clinically meaningless).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdmbench.cli import main

pytestmark = [pytest.mark.embedded_lm, pytest.mark.slow, pytest.mark.usefixtures("shared_embedded_server")]


@pytest.mark.parametrize(("program", "n_cases"), [("full_info", 1), ("cdm_agent", 2)])
def test_evaluate_demo_with_the_embedded_model(program: str, n_cases: int, tmp_path: Path) -> None:
    overrides = [
        f"program={program}",
        f"limit={n_cases}",  # the agent, the demo's program, on both demo cases; full_info on one (2 cores)
        *(["program.max_iters=3"] if program == "cdm_agent" else []),  # keeps the suite short on 2 cores
        f"output_dir={tmp_path}",
        f"lm.cache_dir={tmp_path / 'cache'}",
        "lm.max_text_chars=80",  # shorter free text and lists: fewer tokens of the tiny model per call
        "lm.max_list_items=3",
        "run=e2e",
    ]
    assert main(["evaluate", *overrides]) == 0
    run_dir = tmp_path / "e2e"
    predictions = [json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines()]
    scores = [json.loads(line) for line in (run_dir / "scores.jsonl").read_text().splitlines()]
    assert len(predictions) == n_cases and len(scores) == n_cases
    assert [p["status"] for p in predictions] == ["ok"] * n_cases, [p.get("error") for p in predictions]
    assert {p["hadm_id"] for p in predictions} == {s["hadm_id"] for s in scores}
    for prediction in predictions:
        assert isinstance(prediction["diagnosis"], str)
        assert isinstance(prediction["treatments"], list)
        assert prediction["usage"], "token usage is recorded per case"
    if program == "cdm_agent":
        # whether a 135M model calls a tool or finishes at once is its own choice; that the agent loop ran through
        # the real decoder is not: every case records its steps and the ReAct calls in its transcript
        for prediction in predictions:
            assert prediction["steps"], "the agent recorded its steps"
            assert all(s["tool"] for s in prediction["steps"])
            assert any("next_tool_name" in str(call.get("completion")) for call in prediction["transcript"])
    for name in ("config.yaml", "manifest.json", "summary.json", "summary.csv", "report.html"):
        assert (run_dir / name).is_file(), name
    assert list((run_dir / "plots").glob("*.png"))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["lm"]["kind"] == "embedded" and manifest["data"]["source"] == "synthetic"

    # rerunning the same run resumes: nothing left to do, every case still once
    assert main(["evaluate", *overrides]) == 0
    assert len((run_dir / "predictions.jsonl").read_text().splitlines()) == n_cases
