"""The summary reads the lines the real scorer writes (contract between cdmbench.metrics and cdmbench.report)."""

from __future__ import annotations

import json

import pytest

from cdmbench.metrics import score_case
from cdmbench.report.summary import summarize
from cdmbench.runs.demo import demo_cases


@pytest.fixture(scope="module")
def cases():
    return demo_cases(n_admissions=8, seed=0).cases


def _prediction(case, status: str = "ok") -> dict:
    return {
        "hadm_id": case.hadm_id,
        "status": status,
        "error": None if status == "ok" else "LM timed out",
        "diagnosis": f"Acute {case.pathology}",
        "treatments": ["IV antibiotics", "IV fluids, analgesia and monitoring"],
        "tool_calls": [
            {"name": "physical_examination", "args": {}},
            {"name": "laboratory_tests", "args": {"tests": ["CBC", "CRP", "lipase"]}},
            {"name": "imaging", "args": {"region": "abdomen and pelvis", "modality": "CAT scan"}},
        ],
        "latency_s": 1.5,
        "usage": {"main": {"prompt_tokens": 120, "completion_tokens": 30}},
    }


def test_summary_of_real_score_lines(cases):
    predictions = [_prediction(c, "error" if i == 0 else "ok") for i, c in enumerate(cases)]
    lines = [json.loads(score_case(c, p).to_line()) for c, p in zip(cases, predictions, strict=True)]
    summary = summarize(lines, predictions)
    assert summary.n_cases == len(cases) and summary.errors == 1
    assert summary.get("overall", "diagnosis").n == len(cases)  # the failed case counts, as a miss
    n = len(cases)
    assert summary.get("overall", "diagnosis").mean == pytest.approx((n - 1) / n)
    assert summary.get("overall", "first_imaging:CT").mean == 1.0  # from the tool calls, kept on the failed line
    assert summary.get("overall", "rounds").mean == pytest.approx(3.0 * (n - 1) / n)
    assert summary.get("overall", "prompt_tokens").mean == 120.0
    assert summary.get("overall", "treatment_recall") is not None
    assert summary.get(cases[0].pathology, "errors").mean == 1.0
