"""`cdmbench optimize protocol=...`: the program runs in that protocol's environment, the metric and the feedback
score under it, the bundle records it, and a bundle is refused under another protocol (unless mixing is allowed).

The request "RUQ ultrasound" tells the protocols apart: cdmbench reads it as an abdominal ultrasound (the preferred
cholecystitis study, 2 points); CDMv1 has no region word for RUQ, so its environment and scorer call it invalid.
"""

from __future__ import annotations

import json
from pathlib import Path

import dspy
import pytest

from cdmbench.cases import Case
from cdmbench.config import compose
from cdmbench.errors import ConfigError
from cdmbench.optimize import BundleError, load_bundle, read_bundle, to_example
from cdmbench.optimize.bundle import apply_bundle
from cdmbench.optimize.metrics import build_metric
from cdmbench.programs import build_program
from tests.optimize.test_command import _overrides

RUQ = {"region": "RUQ", "modality": "ultrasound"}


def _cholecystitis(cases: list[Case]) -> Case:
    return next(c for c in cases if c.pathology == "cholecystitis")


def test_the_metric_and_its_feedback_score_under_the_chosen_protocol(synthetic_cases) -> None:
    case = _cholecystitis(synthetic_cases)
    calls = [{"name": "physical_examination", "args": {}}, {"name": "imaging", "args": RUQ}]
    pred = dspy.Prediction(diagnosis="Acute cholecystitis", treatments=["Cholecystectomy"], tool_calls=calls)
    ours = build_metric({"name": "cdm_score"}, "cdmbench", synthetic_cases)
    theirs = build_metric({"name": "cdm_score"}, "cdmv1", synthetic_cases)
    assert (ours.protocol, theirs.protocol) == ("cdmbench", "cdmv1")
    assert theirs.metric(to_example(case), pred) < ours.metric(to_example(case), pred)
    ours_text = ours.feedback_metric(to_example(case), pred, None, "gather.react", None).feedback
    theirs_text = theirs.feedback_metric(to_example(case), pred, None, "gather.react", None).feedback
    assert "Ultrasound of the Abdomen: 2 point(s)" in ours_text and "not understood" not in ours_text
    assert "not understood" in theirs_text and "no body region in CDMv1's dictionaries" in theirs_text
    assert build_metric({"name": "cdm_score"}).protocol == "cdmbench"  # the default


@pytest.fixture
def ruq_agent(monkeypatch) -> list[str]:
    """The schema LM's agent examines, then orders a RUQ ultrasound, then finishes; returns the prompts it read."""
    from tests.optimize.schema_lm import SchemaLM

    monkeypatch.setattr(
        "tests.optimize.schema_lm._TOOLS", (("physical_examination", {}), ("imaging", RUQ), ("finish", {}))
    )
    prompts: list[str] = []
    answer = SchemaLM.answer

    def recorded(self, prompt: str, system: str = ""):
        prompts.append(prompt)
        return answer(self, prompt, system)

    monkeypatch.setattr(SchemaLM, "answer", recorded)
    return prompts


def _optimize(splits: Path, out: Path, protocol: str) -> Path:
    from cdmbench.optimize.command import run

    overrides = _overrides(
        splits,
        out,
        "program=cdm_agent",
        "program.max_iters=4",
        "optimizer.max_bootstrapped_demos=1",
        f"protocol={protocol}",
        f"run={protocol}",
    )
    assert run(compose("optimize", overrides)) == 0
    return out / protocol


def test_optimize_runs_and_scores_under_cdmv1_and_records_it(tmp_path, splits_dir, dummy_sessions, ruq_agent):
    runs, seen = {}, {}
    for protocol in ("cdmv1", "cdmbench"):
        runs[protocol] = _optimize(splits_dir, tmp_path, protocol)
        seen[protocol] = "\n".join(ruq_agent)
        ruq_agent.clear()
    manifests = {p: read_bundle(d).manifest for p, d in runs.items()}
    assert {p: m.protocol for p, m in manifests.items()} == {"cdmv1": "cdmv1", "cdmbench": "cdmbench"}
    rows = {p: json.loads((d / "optimize_scores.json").read_text()) for p, d in runs.items()}
    assert {r["protocol"] for r in rows["cdmv1"]} == {"cdmv1"}
    # the same trajectories score lower under CDMv1's rules (the RUQ request is invalid there), on every set
    before = {p: {(r["set"], r["hadm_id"]): r["before"] for r in rs} for p, rs in rows.items()}
    assert before["cdmv1"].keys() == before["cdmbench"].keys()
    assert all(before["cdmv1"][k] <= before["cdmbench"][k] for k in before["cdmv1"])
    assert sum(before["cdmv1"].values()) < sum(before["cdmbench"].values())
    assert manifests["cdmv1"].dev_score_before.mean < manifests["cdmbench"].dev_score_before.mean
    # the threshold scores under the protocol too: a trace with an invalid request never becomes a demo
    demos = {p: sum(i.n_demos for i in m.predictors.values()) for p, m in manifests.items()}
    assert demos["cdmv1"] == 0 < demos["cdmbench"]
    # the program ran in each protocol's environment: CDMv1's environment refused the RUQ request
    assert "That is not a valid tool" in seen["cdmv1"] and "That is not a valid tool" not in seen["cdmbench"]


def test_a_bundle_is_refused_under_another_protocol(tmp_path, splits_dir, dummy_sessions) -> None:
    from cdmbench.optimize.command import run

    overrides = _overrides(splits_dir, tmp_path, "program=full_info", "protocol=cdmv1", "run=v1")
    assert run(compose("optimize", overrides)) == 0
    bundle = tmp_path / "v1"
    assert read_bundle(bundle).manifest.protocol == "cdmv1"
    assert load_bundle(bundle, "full_info") is not None  # under its own protocol (the default of load_bundle)
    with pytest.raises(BundleError, match=r"protocol=cdmv1, not protocol=cdmbench.*Evaluate it with protocol=cdmv1"):
        load_bundle(bundle, "full_info", protocol="cdmbench")
    program = build_program({"name": "full_info"})
    assert apply_bundle(program, bundle, "full_info", protocol="cdmbench", allow_mixed_protocols=True) is program


def test_evaluate_refuses_a_bundle_of_another_protocol(tmp_path, splits_dir, dummy_sessions) -> None:
    """``evaluate`` builds the agent for its protocol; the agent's bundle must be of the same protocol."""
    from cdmbench.optimize.command import run

    overrides = _overrides(
        splits_dir, tmp_path, "program=cdm_agent", "program.max_iters=4", "optimizer.max_bootstrapped_demos=1"
    )
    assert run(compose("optimize", [*overrides, "protocol=cdmv1", "run=agent"])) == 0
    bundle = str(tmp_path / "agent")
    compiled = {"name": "cdm_agent", "max_iters": 4, "compiled": bundle}
    assert len(build_program(compiled, protocol="cdmv1").gather.react.demos) == 1
    with pytest.raises(BundleError, match="optimized under protocol=cdmv1, not protocol=cdmbench"):
        build_program(compiled, protocol="cdmbench")
    with pytest.raises(BundleError, match="not protocol=cdmbench"):
        build_program(compiled)  # no protocol: cdmbench, the default

    from cdmbench.runs import evaluate
    from tests.runs.conftest import evaluate_overrides

    out = tmp_path / "evaluated"
    cases = splits_dir / "dev.json"
    given = evaluate_overrides(
        cases, "http://127.0.0.1:9/v1", out, "ev", "program=cdm_agent", f"program.compiled={bundle}"
    )
    with pytest.raises(BundleError, match="optimized under protocol=cdmv1, not protocol=cdmbench"):
        evaluate.run(compose("evaluate", [*given, "protocol=cdmbench"]))
    assert not (out / "ev").exists()  # refused before anything is written


def test_evaluate_loads_a_bundle_of_another_protocol_when_allowed(tmp_path, splits_dir, dummy_sessions) -> None:
    """``allow_mixed_protocols=true`` on ``evaluate`` loads a full_info bundle of cdmv1 under cdmbench (a warning)."""
    from cdmbench.optimize.command import run

    assert (
        run(compose("optimize", _overrides(splits_dir, tmp_path, "program=full_info", "protocol=cdmv1", "run=v1"))) == 0
    )
    bundle = str(tmp_path / "v1")
    compiled = {"name": "full_info", "compiled": bundle}
    with pytest.raises(BundleError, match="allow_mixed_protocols=true"):
        build_program(compiled, protocol="cdmbench")
    assert build_program(compiled, protocol="cdmbench", allow_mixed_protocols=True) is not None

    from cdmbench.runs.evaluate import run as evaluate_run
    from tests.runs.conftest import evaluate_overrides

    given = evaluate_overrides(
        splits_dir / "dev.json", "http://127.0.0.1:9/v1", tmp_path / "evaluated", "ev", "program=full_info"
    )
    given += [f"program.compiled={bundle}", "protocol=cdmbench"]
    with pytest.raises(BundleError, match="not protocol=cdmbench"):
        evaluate_run(compose("evaluate", given))
    with pytest.raises(ConfigError, match="allow_mixed_protocols"):
        evaluate_run(compose("evaluate", [*given, "allow_mixed_protocols=maybe"]))
