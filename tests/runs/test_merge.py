"""`evaluate shard=i/n` then `merge`: each case once, same scores as one unsharded run, mismatches refused."""

from __future__ import annotations

import json
import shutil

import pytest

from cdmbench.config import compose
from cdmbench.errors import ConfigError, DataSourceError
from cdmbench.runs import evaluate, merge
from tests.runs.conftest import evaluate_overrides, read_jsonl


def _evaluate(cases_file, loopback, out, run, *extra):
    cfg = compose("evaluate", evaluate_overrides(cases_file, loopback.api_base, out, run, *extra))
    assert evaluate.run(cfg) == 0


def _scores(run_dir):
    return {r["hadm_id"]: r["scores"] for r in read_jsonl(run_dir / "scores.jsonl")}


@pytest.fixture(scope="module")
def shard_runs(tmp_path_factory, cases_file):
    """One unsharded run and its two shards (diagnosis_only: one LM call per case)."""
    from tests.runs.loopback_lm import LoopbackLM

    out = tmp_path_factory.mktemp("runs")
    with LoopbackLM() as server:
        _evaluate(cases_file, server, out, "whole", "program=diagnosis_only")
        for i in range(2):
            _evaluate(cases_file, server, out, "piece", "program=diagnosis_only", f"shard={i}/2")
    return out


def test_shards_are_disjoint_and_named(shard_runs):
    ids = [
        {r["hadm_id"] for r in read_jsonl(shard_runs / f"piece-shard-{i}-of-2" / "predictions.jsonl")} for i in (0, 1)
    ]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    assert len(ids[0]) + len(ids[1]) == 12
    manifest = json.loads((shard_runs / "piece-shard-1-of-2" / "manifest.json").read_text())
    assert manifest["selection"]["shard"] == "1/2"
    assert sorted(manifest["case_ids"]) == sorted(ids[1])


def test_merge_equals_the_unsharded_run(shard_runs, tmp_path):
    runs = [str(shard_runs / f"piece-shard-{i}-of-2") for i in (1, 0)]
    cfg = compose("merge", [f"runs=[{','.join(runs)}]", f"out={tmp_path / 'merged'}", "plots=false"])
    assert merge.run(cfg) == 0
    merged = tmp_path / "merged"
    predictions = read_jsonl(merged / "predictions.jsonl")
    assert len(predictions) == len({r["hadm_id"] for r in predictions}) == 12
    assert _scores(merged) == _scores(shard_runs / "whole")
    manifest = json.loads((merged / "manifest.json").read_text())
    assert manifest["missing_case_ids"] == [] and len(manifest["merged_from"]) == 2
    assert (merged / "summary.json").is_file()


def test_merge_takes_a_glob_of_shard_runs(shard_runs, tmp_path):
    """``runs=outputs/NAME-shard-*`` finds both shards (and not ``whole``, nor a folder that is no run)."""
    (shard_runs / "piece-shard-notes").mkdir(exist_ok=True)  # matches the glob, holds no predictions
    cfg = compose("merge", [f"runs={shard_runs}/piece-shard-*", f"out={tmp_path / 'merged'}", "plots=false"])
    assert merge.run(cfg) == 0
    manifest = json.loads((tmp_path / "merged" / "manifest.json").read_text())
    assert manifest["merged_from"] == [str(shard_runs / f"piece-shard-{i}-of-2") for i in (0, 1)]
    assert _scores(tmp_path / "merged") == _scores(shard_runs / "whole")
    with pytest.raises(ConfigError, match="matches no run directory"):
        merge.run(compose("merge", [f"runs={shard_runs}/nothing-*", f"out={tmp_path / 'none'}", "plots=false"]))
    assert not (tmp_path / "none").exists()


def test_merge_prefers_ok_over_error_and_drops_duplicates(shard_runs, tmp_path):
    shard0 = shard_runs / "piece-shard-0-of-2"
    broken = tmp_path / "broken"
    shutil.copytree(shard0, broken)
    first = read_jsonl(shard0 / "predictions.jsonl")[0]["hadm_id"]
    for name in ("predictions.jsonl", "scores.jsonl"):
        lines = read_jsonl(broken / name)
        for line in lines:
            if line["hadm_id"] == first:
                line.update(status="error", error="RuntimeError: injected")
        (broken / name).write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = merge.merge_runs([broken, shard0], tmp_path / "merged")
    assert result.n_cases == len(read_jsonl(shard0 / "predictions.jsonl"))
    assert result.duplicates == result.n_cases and result.n_errors == 0
    kept = {r["hadm_id"]: r for r in read_jsonl(tmp_path / "merged" / "scores.jsonl")}
    assert kept[first]["status"] == "ok"


def test_merge_reports_missing_cases(shard_runs, tmp_path, cases_file):
    shard0 = shard_runs / "piece-shard-0-of-2"
    result = merge.merge_runs([shard0], tmp_path / "merged", data=str(cases_file))
    shard1 = {r["hadm_id"] for r in read_jsonl(shard_runs / "piece-shard-1-of-2" / "predictions.jsonl")}
    assert set(result.missing) == shard1
    manifest = json.loads((tmp_path / "merged" / "manifest.json").read_text())
    assert set(manifest["missing_case_ids"]) == shard1


def test_merge_refuses_runs_of_another_program(shard_runs, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(shard_runs / "piece-shard-1-of-2", other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["identity"]["program"]["name"] = "full_info"
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ConfigError, match="different program"):
        merge.merge_runs([shard_runs / "piece-shard-0-of-2", other], tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_merge_refuses_non_runs_and_out_among_runs(shard_runs, tmp_path):
    with pytest.raises(DataSourceError, match="not a run directory"):
        merge.merge_runs([tmp_path], tmp_path / "merged")
    run0 = shard_runs / "piece-shard-0-of-2"
    with pytest.raises(ConfigError, match="is one of the runs"):
        merge.merge_runs([run0], run0)
    with pytest.raises(ConfigError, match="out=DIR"):
        merge.run(compose("merge", [f"runs=[{run0}]"]))
