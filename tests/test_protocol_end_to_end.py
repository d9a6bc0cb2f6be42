"""End to end with the real embedded CPU model: `cdmbench evaluate protocol=cdmv1` runs the agent in CDMv1's
environment (free-text tool names, CDMv1's answers) and records the protocol."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdmbench.cli import main

pytestmark = [pytest.mark.embedded_lm, pytest.mark.slow, pytest.mark.usefixtures("shared_embedded_server")]


def test_evaluate_cdmv1_with_the_embedded_model(tmp_path: Path) -> None:
    overrides = [
        "protocol=cdmv1",
        "program=cdm_agent",
        "program.max_iters=3",  # keeps it short on 2 cores; 3 steps without finish are a miss under cdmv1
        "limit=1",
        f"output_dir={tmp_path}",
        f"lm.cache_dir={tmp_path / 'cache'}",
        "lm.max_text_chars=80",  # shorter free text and lists: fewer tokens of the tiny model per call
        "lm.max_list_items=3",
        "run=e2e-cdmv1",
        "plots=false",
        "html_report=false",
    ]
    assert main(["evaluate", *overrides]) == 0
    run_dir = tmp_path / "e2e-cdmv1"
    predictions = [json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines()]
    assert [p["status"] for p in predictions] == ["ok"], [p.get("error") for p in predictions]
    assert json.loads((run_dir / "manifest.json").read_text())["protocol"] == "cdmv1"
    assert json.loads((run_dir / "summary.json").read_text())["protocol"] == "cdmv1"
    for call, observation in zip(predictions[0]["tool_calls"], predictions[0]["observations"], strict=False):
        assert "| RR:" not in observation  # CDMv1's lab lines have no reference ranges
        if call["name"] == "laboratory_tests":
            assert observation.startswith("Laboratory Tests:")
