"""serve_and_evaluate(.sbatch, _array.sbatch): cdmbench starts vLLM (lm.launch), waits for it, stops it, shards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runs.conftest import read_jsonl, write_cases
from tests.slurm.conftest import ROOT, alive, port_open, run_script

pytestmark = pytest.mark.slow


def _server_pid(tmp_path: Path) -> int:
    return int((tmp_path / "pid").read_text())


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> Path:
    return write_cases(tmp_path_factory.mktemp("cases"), 8)


def test_array_tasks_serve_evaluate_their_shard_and_stop_the_server(job_env, tmp_path, cases):
    job_env.update(DATA=str(cases), PROGRAM="diagnosis_only", RUN="sweep", SLURM_ARRAY_TASK_COUNT="2")
    job_env.update(VLLM_ARGS="--max-num-seqs 64")
    outputs = Path(job_env["OUTPUT_DIR"])
    for task in (0, 1):
        env = {**job_env, "SLURM_ARRAY_TASK_ID": str(task), "SLURM_JOB_ID": f"77{task}"}
        done = run_script("serve_and_evaluate_array.sbatch", env, f"lm.cache_dir={tmp_path / 'cache'}", "plots=false")
        assert done.returncode == 0, done.stderr[-3000:]
        assert "lm.launch: vLLM serves qwen3-4b-instruct-2507" in done.stderr
        assert not alive(_server_pid(tmp_path))
        args = (tmp_path / "args").read_text().split()
        assert args[:3] == ["serve", "--config", str(ROOT / "configs" / "vllm" / "qwen3_4b.yaml")]
        assert args[args.index("--host") + 1] == "127.0.0.1" and args[-2:] == ["--max-num-seqs", "64"]
        assert not port_open(int(args[args.index("--port") + 1]))
        assert "loopback LM serving" in (outputs / f"sweep-shard-{task}-of-2" / "vllm.log").read_text()
    shards = [read_jsonl(outputs / f"sweep-shard-{i}-of-2" / "predictions.jsonl") for i in (0, 1)]
    ids = [{r["hadm_id"] for r in shard} for shard in shards]
    assert len(ids[0]) == len(ids[1]) == 4 and not ids[0] & ids[1]
    assert {c["hadm_id"] for c in json.loads(cases.read_text())["cases"]} == ids[0] | ids[1]
    manifest = json.loads((outputs / "sweep-shard-1-of-2" / "manifest.json").read_text())
    assert manifest["lm"]["launched"] is True and manifest["lm"]["api_base"].startswith("http://127.0.0.1:")
    assert manifest["lm"]["served_name"] == "qwen3-4b-instruct-2507"


def test_the_server_is_stopped_when_evaluate_fails(job_env, tmp_path, cases):
    # the server is up, then the run fails: 3 cases, each answer 1 s late, a client timeout of 0.2 s (lm_error)
    job_env.update(DATA=str(cases), PROGRAM="diagnosis_only", FAKE_VLLM_ARGS="--delay 1")
    done = run_script("serve_and_evaluate.sbatch", job_env, "limit=3", "lm.timeout_s=0.2", "lm.num_retries=0")
    assert done.returncode != 0
    assert "lm.launch: vLLM serves" in done.stderr and "cdmbench evaluate failed" in done.stderr
    assert not alive(_server_pid(tmp_path))


# A server that never gets healthy, or dies at start, fails the job with its log: the same cdmbench code
# (lm.launch), tested in process in tests/lm/test_vllm_launch.py.


def test_an_unknown_model_names_the_presets(job_env):
    job_env.update(MODEL="no_such_model")
    done = run_script("serve_and_evaluate.sbatch", job_env)
    assert done.returncode == 1
    assert "no vLLM preset configs/vllm/no_such_model.yaml" in done.stderr and "qwen3_4b" in done.stderr


def test_the_array_script_needs_array_variables(job_env):
    job_env.pop("SLURM_ARRAY_TASK_ID", None)
    done = run_script("serve_and_evaluate_array.sbatch", job_env)
    assert done.returncode == 1 and "not a SLURM array task" in done.stderr
