"""`cdmbench evaluate protocol=...` against the loopback LM: the protocol is recorded, runs of two protocols are
never mixed silently (compare, plot, merge), and a run keeps its protocol when it resumes."""

from __future__ import annotations

import json

import pytest

from cdmbench.config import compose
from cdmbench.errors import ConfigError
from cdmbench.report.compare import plot_runs
from cdmbench.report.paired_command import run as compare_command
from cdmbench.runs import evaluate
from cdmbench.runs.merge import merge_runs
from tests.runs.conftest import evaluate_overrides, read_jsonl


def _evaluate(cases_file, server, out, run, *extra) -> None:
    overrides = evaluate_overrides(cases_file, server.api_base, out, run, "html_report=false", *extra)
    assert evaluate.run(compose("evaluate", overrides)) == 0


@pytest.fixture(scope="module")
def runs(tmp_path_factory, cases_file):
    """The agent under each protocol (2 cases each), plus diagnosis_only under each protocol (4 cases)."""
    from tests.runs.loopback_lm import LoopbackLM

    out = tmp_path_factory.mktemp("protocol_runs")
    with LoopbackLM() as server:
        for protocol in ("cdmv1", "cdmbench"):
            _evaluate(cases_file, server, out, f"agent-{protocol}", "limit=2", f"protocol={protocol}")
            _evaluate(cases_file, server, out, f"dx-{protocol}", "limit=4", "program=diagnosis_only",
                      f"protocol={protocol}")  # fmt: skip
    return out


def test_cdmv1_agent_runs_in_cdmv1s_environment(runs) -> None:
    run_dir = runs / "agent-cdmv1"
    assert json.loads((run_dir / "manifest.json").read_text())["protocol"] == "cdmv1"
    assert json.loads((run_dir / "summary.json").read_text())["protocol"] == "cdmv1"
    records = read_jsonl(run_dir / "predictions.jsonl")
    assert len(records) == 2 and all(r["status"] == "ok" for r in records)
    for record in records:
        names = [call["name"] for call in record["tool_calls"]]
        assert names == ["physical_examination", "laboratory_tests", "imaging"]
        labs, imaging = record["observations"][1], record["observations"][2]
        assert labs.startswith("Laboratory Tests:\n") and "| RR:" not in labs
        assert imaging.startswith("Imaging:\nAbdomen Ultrasound: ")
    scores = read_jsonl(run_dir / "scores.jsonl")
    assert all(s["scores"]["invalid_tools"] == 0 and s["scores"]["physical_examination"] == 1 for s in scores)


def test_cdmbench_is_the_default_and_recorded(runs, cases_file, tmp_path) -> None:
    manifest = json.loads((runs / "agent-cdmbench" / "manifest.json").read_text())
    assert manifest["protocol"] == "cdmbench"
    record = read_jsonl(runs / "agent-cdmbench" / "predictions.jsonl")[0]
    assert "| RR:" in record["observations"][1] and not record["observations"][2].startswith("Imaging:")
    assert compose("evaluate", []).protocol.name == "cdmbench"


def test_plot_refuses_mixed_protocols_unless_allowed(runs, tmp_path) -> None:
    mixed = [runs / "dx-cdmv1", runs / "dx-cdmbench"]
    with pytest.raises(ConfigError, match=r"different protocols.*allow_mixed_protocols=true"):
        plot_runs(mixed, tmp_path / "refused")
    assert not (tmp_path / "refused").exists()
    assert plot_runs(mixed, tmp_path / "mixed", allow_mixed_protocols=True)
    assert plot_runs([runs / "dx-cdmv1", runs / "agent-cdmv1"], tmp_path / "same")


def test_compare_refuses_mixed_protocols_unless_allowed(runs, tmp_path) -> None:
    overrides = [f"runs=[{runs / 'dx-cdmv1'},{runs / 'dx-cdmbench'}]", f"out={tmp_path / 'cmp'}", "n_resamples=50"]
    with pytest.raises(ConfigError, match="different protocols"):
        compare_command(compose("compare", overrides))
    assert compare_command(compose("compare", [*overrides, "allow_mixed_protocols=true"])) == 0


def test_merge_refuses_mixed_protocols_unless_allowed(runs, tmp_path) -> None:
    pieces = [runs / "dx-cdmv1", runs / "dx-cdmbench"]
    with pytest.raises(ConfigError, match="different protocols"):
        merge_runs(pieces, tmp_path / "merged")
    # the same evaluation under two protocols: allowed only when asked for, and then recorded as mixed
    result = merge_runs(pieces, tmp_path / "merged", allow_mixed_protocols=True)
    assert json.loads((result.out / "manifest.json").read_text())["protocol"] == "mixed"


def test_a_run_keeps_its_protocol_when_resumed(runs, cases_file) -> None:
    overrides = evaluate_overrides(cases_file, "http://127.0.0.1:9/v1", runs, "dx-cdmv1", "limit=4")
    with pytest.raises(ConfigError, match="protocol=cdmv1, not protocol=cdmbench"):
        evaluate.run(compose("evaluate", [*overrides, "program=diagnosis_only", "protocol=cdmbench"]))
