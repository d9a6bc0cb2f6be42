"""summarize: per pathology and overall rows, treatment figures, errors, usage, first imaging."""

from __future__ import annotations

import pytest

from cdmbench.errors import DataSourceError
from cdmbench.report.summary import summarize
from tests.report.conftest import mixed_lines, prediction_line, score_line

APPENDICITIS = ("appendectomy", "antibiotics", "support")


def _treatment_set() -> list[dict]:
    yes = dict.fromkeys(APPENDICITIS, True)
    return [
        # gracious 1; appendectomy and support requested, antibiotics missing: recall 2/3
        score_line(1, required=yes, requested={"appendectomy": True, "antibiotics": False, "support": True}),
        # gracious 0; nothing requested: recall 0, and outside CDMv1's figure
        score_line(2, diagnosis=0, required=yes, requested=dict.fromkeys(APPENDICITIS, False)),
        # gracious 1; appendectomy not required: recall 1
        score_line(
            3,
            required={"appendectomy": False, "antibiotics": True, "support": True},
            requested={"appendectomy": False, "antibiotics": True, "support": True},
        ),
    ]


def test_cdmv1_treatment_figure_differs_from_plain_recall():
    summary = summarize(_treatment_set())
    appendectomy = summary.get("appendicitis", "treatment_cdmv1:appendectomy")
    assert (appendectomy.mean, appendectomy.n, appendectomy.method) == (1.0, 1, "wilson")
    antibiotics = summary.get("appendicitis", "treatment_cdmv1:antibiotics")
    assert (antibiotics.mean, antibiotics.n) == (0.5, 2)
    recall = summary.get("appendicitis", "treatment_recall")
    assert recall.mean == pytest.approx((2 / 3 + 0 + 1) / 3)
    assert (recall.n, recall.method) == (3, "bootstrap")
    assert recall.ci_low <= recall.mean <= recall.ci_high
    assert summary.get("appendicitis", "treatment_required:appendectomy").mean == pytest.approx(2 / 3)
    assert summary.get("appendicitis", "treatment_requested:support").mean == pytest.approx(2 / 3)


def test_rows_per_pathology_and_overall():
    lines = mixed_lines(12)
    summary = summarize(lines)
    assert summary.pathologies == ["appendicitis", "cholecystitis", "diverticulitis", "pancreatitis", "overall"]
    assert summary.n_cases == 48
    for pathology in summary.pathologies[:-1]:
        row = summary.get(pathology, "diagnosis")
        assert (row.n, row.mean, row.method) == (12, 8 / 12, "wilson")
        assert row.ci_low < row.mean < row.ci_high
    overall = summary.get("overall", "diagnosis")
    assert (overall.n, overall.mean) == (48, 32 / 48)
    rounds = summary.get("overall", "rounds")
    assert rounds.mean == pytest.approx(sum(line["scores"]["rounds"] for line in lines) / 48)
    assert rounds.method == "bootstrap"


def test_laboratory_fraction_uses_the_pathology_maximum():
    lines = [score_line(1, "cholecystitis", labs=1), score_line(2, "cholecystitis", labs=3), score_line(3, labs=1)]
    summary = summarize(lines)
    assert summary.get("cholecystitis", "laboratory_tests").mean == 2.0
    assert summary.get("cholecystitis", "laboratory_tests_fraction").mean == pytest.approx((1 / 3 + 1) / 2)
    assert summary.get("appendicitis", "laboratory_tests_fraction").mean == 1.0
    assert summary.get("cholecystitis", "lab_category:liver").mean == 0.5
    assert summary.get("appendicitis", "lab_category:liver") is None
    assert summary.get("overall", "lab_category:inflammation").n == 3


def test_unnecessary_requests_are_counted_per_case():
    summary = summarize([score_line(1, unnecessary_labs=3, unnecessary_imaging=1), score_line(2)])
    assert summary.get("appendicitis", "unnecessary_laboratory_tests").mean == 1.5
    assert summary.get("appendicitis", "unnecessary_imaging").mean == 0.5


def test_errors_are_counted_from_scores_and_predictions():
    scores = [
        score_line(1),
        score_line(2),
        {
            "hadm_id": 3,
            "pathology": "appendicitis",
            "status": "error",
            "error": "LM down",
            "scores": None,
            "answers": None,
        },
        score_line(4, "pancreatitis"),
    ]
    predictions = [prediction_line(1), prediction_line(2, status="error"), prediction_line(4)]
    summary = summarize(scores, predictions)
    assert summary.errors == 2
    errors = summary.get("appendicitis", "errors")
    assert (errors.mean, errors.n, errors.method) == (2.0, 3, "count")
    assert summary.get("pancreatitis", "errors").mean == 0.0
    assert summary.get("overall", "error_rate").mean == pytest.approx(2 / 4)
    # every metric is over all cases: the error line without scores counts as a miss
    diagnosis = summary.get("appendicitis", "diagnosis")
    assert diagnosis.n == 3
    assert diagnosis.mean == pytest.approx(2 / 3)
    assert summary.get("appendicitis", "imaging").n == 3


def test_error_kinds_and_parsing_metrics_are_reported_beside_the_scores():
    scores = [
        score_line(1),
        {"hadm_id": 2, "pathology": "appendicitis", "status": "error", "error_kind": "format_error"},
        {"hadm_id": 3, "pathology": "appendicitis", "status": "error", "error_kind": "lm_error"},
    ]
    predictions = [
        {**prediction_line(1), "parsing": {"action": 2, "diagnosis": 0, "treatment": 1}},
        {**prediction_line(2, status="error"), "error_kind": "format_error", "parsing": {"action": 1, "diagnosis": 1}},
        {**prediction_line(3, status="error"), "error_kind": "lm_error"},
    ]
    summary = summarize(scores, predictions)
    assert summary.errors == 2
    assert summary.error_kinds == {"lm_error": 1, "format_error": 1}
    assert summary.get("overall", "lm_error").mean == 1.0
    assert summary.get("overall", "format_error").mean == 1.0
    assert summary.get("overall", "diagnosis").n == 3
    assert summary.get("overall", "action_parsing").mean == pytest.approx(1.0)
    assert summary.get("overall", "diagnosis_parsing").mean == pytest.approx(1 / 3)
    assert summary.get("overall", "treatment_parsing").n == 3


def test_tokens_and_latency_per_case_mean_and_median():
    scores = [score_line(i) for i in (1, 2, 3)]
    predictions = [
        prediction_line(1, prompt_tokens=100, completion_tokens=10, latency_s=1.0),
        prediction_line(2, prompt_tokens=200, completion_tokens=20, latency_s=2.0),
        prediction_line(3, prompt_tokens=600, completion_tokens=60, latency_s=9.0),
    ]
    summary = summarize(scores, predictions)
    assert summary.get("appendicitis", "prompt_tokens").mean == 300.0
    assert summary.get("appendicitis", "prompt_tokens_median").mean == 200.0
    assert summary.get("overall", "completion_tokens").mean == 30.0
    assert summary.get("overall", "latency_s").mean == 4.0
    assert summary.get("overall", "latency_s_median").method == "median"


def test_first_imaging_from_answers_and_from_tool_calls():
    scores = [score_line(1, first_imaging="CT"), score_line(2, imaging=0), score_line(3, first_imaging="CT")]
    summary = summarize(scores)
    assert summary.get("appendicitis", "first_imaging:CT").mean == pytest.approx(2 / 3)
    assert summary.get("appendicitis", "first_imaging:none").mean == pytest.approx(1 / 3)
    calls = [
        {"name": "laboratory_tests", "args": {"tests": ["CBC"]}},
        {"name": "imaging", "args": {"region": "RUQ", "modality": "sonogram"}},
        {"name": "imaging", "args": {"region": "Abdomen", "modality": "CT"}},
    ]
    summary = summarize(scores, [prediction_line(1, tool_calls=calls)])
    assert summary.get("appendicitis", "first_imaging:Ultrasound").mean == pytest.approx(1 / 3)
    assert summary.get("appendicitis", "first_imaging:CT").mean == pytest.approx(1 / 3)


def test_a_later_line_replaces_an_earlier_one_for_the_same_case():
    summary = summarize([score_line(1, diagnosis=0), score_line(1, diagnosis=1)])
    assert summary.n_cases == 1
    assert summary.get("appendicitis", "diagnosis").mean == 1.0


def test_methods_are_stated_and_reproducible():
    lines = mixed_lines(6)
    first, second = summarize(lines, seed=3), summarize(iter(lines), seed=3)
    assert first == second
    assert {"wilson", "bootstrap", "count"} <= {row.method for row in first.rows}
    assert set(first.ci_methods) >= {"wilson", "bootstrap"}
    assert "Wilson" in first.ci_methods["wilson"] and "bootstrap" in first.ci_methods["bootstrap"]


@pytest.mark.parametrize(
    ("line", "fragment"),
    [({"pathology": "appendicitis"}, "'hadm_id'"), ({"hadm_id": "abc"}, "'hadm_id'"), ([1, 2], "JSON object")],
)
def test_malformed_lines_name_the_line(line, fragment):
    with pytest.raises(DataSourceError, match=r"line 2") as info:
        summarize([score_line(1), line], scores_source="run/scores.jsonl")
    assert fragment in str(info.value)
    assert "run/scores.jsonl" in str(info.value)
