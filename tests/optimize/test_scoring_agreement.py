"""``optimize`` scores failed cases as ``evaluate`` does: 0, counted in the mean; a failure is logged by hadm_id."""

from __future__ import annotations

import dspy
from dspy.utils.dummies import DummyLM
from loguru import logger

from cdmbench.optimize import score_program, to_examples
from cdmbench.optimize.metrics import build_metric
from cdmbench.programs import DiagnosisOnly


def test_a_failed_case_scores_zero_and_is_logged_by_hadm_id_only(synthetic_cases):
    case = synthetic_cases[0]
    examples = to_examples([case])
    metric = build_metric({"name": "gracious_diagnosis"}).metric
    lines: list[str] = []
    sink = logger.add(lines.append, format="{message}")
    try:
        # the diagnosis answer cannot be read: a format_error case
        with dspy.context(lm=DummyLM([{"reasoning": "r"}] * 3)):
            score, values = score_program(DiagnosisOnly(), examples, metric, display_progress=False)
    finally:
        logger.remove(sink)
    assert values == [0.0] and score.n == 1
    text = "".join(lines)
    assert f"dev case {case.hadm_id} failed: format_error" in text
    assert case.patient_history[:40] not in text
