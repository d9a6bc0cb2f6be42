"""The manifest records what a reviewer asks first: command line (redacted), commit and dirty flag, versions, host."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from cdmbench.config import compose
from cdmbench.runs import evaluate
from cdmbench.runs.provenance import provenance, redact_argv
from tests.runs.conftest import evaluate_overrides

ROOT = Path(__file__).resolve().parents[2]


def test_secrets_never_reach_the_recorded_command_line():
    argv = [
        "cdmbench",
        "evaluate",
        "lm.api_base=http://user:hunter2@gpu042:8000/v1",
        "db.password=hunter2",
        "lm.api_key=sk-hunter2",
        "program.max_iters=5",
    ]
    recorded = redact_argv(argv)
    assert "hunter2" not in " ".join(recorded)
    assert recorded[2] == "lm.api_base=http://***@gpu042:8000/v1"
    assert recorded[3:] == ["db.password=***", "lm.api_key=***", "program.max_iters=5"]


def test_provenance_names_the_commit_dirty_flag_and_versions():
    record = provenance(["/usr/bin/cdmbench", "evaluate", "limit=2"])
    assert record["command"] == ["cdmbench", "evaluate", "limit=2"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    if head.returncode == 0:  # a git checkout (CI's clone is one)
        assert record["git"]["commit"] == head.stdout.strip()
        assert isinstance(record["git"]["dirty"], bool)
    assert {"cdmbench", "dspy", "litellm", "pydantic"} <= set(record["versions"])
    assert record["host"] and record["python"]
    assert isinstance(record["gpus"], list)


def test_the_run_manifest_holds_the_provenance(tmp_path, cases_file, loopback):
    overrides = evaluate_overrides(cases_file, loopback.api_base, tmp_path, "prov", "limit=1", "program=diagnosis_only")
    assert evaluate.run(compose("evaluate", overrides)) == 0
    manifest = json.loads((tmp_path / "prov" / "manifest.json").read_text())
    assert set(manifest["provenance"]) >= {"command", "git", "versions", "host", "gpus"}
    assert "dspy" in manifest["provenance"]["versions"]


def test_the_sampling_seed_reaches_the_server_and_the_manifest(tmp_path, cases_file, loopback):
    overrides = evaluate_overrides(
        cases_file, loopback.api_base, tmp_path, "seeded", "limit=1", "program=diagnosis_only", "lm.seed=7"
    )
    assert evaluate.run(compose("evaluate", overrides)) == 0
    assert loopback.last_body["seed"] == 7
    manifest = json.loads((tmp_path / "seeded" / "manifest.json").read_text())
    assert manifest["lm"]["seed"] == 7
