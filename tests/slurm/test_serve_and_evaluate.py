"""serve_and_evaluate(.sbatch, _array.sbatch): health wait, the trap stopping vLLM on any exit, sharding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runs.conftest import read_jsonl, write_cases
from tests.slurm.conftest import alive, port_open, run_script

pytestmark = pytest.mark.slow


def _server_pid(tmp_path: Path) -> int:
    return int((tmp_path / "pid").read_text())


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> Path:
    return write_cases(tmp_path_factory.mktemp("cases"), 8)


def test_array_tasks_serve_evaluate_their_shard_and_stop_the_server(job_env, tmp_path, cases):
    job_env.update(DATA=str(cases), PROGRAM="diagnosis_only", RUN="sweep", SLURM_ARRAY_TASK_COUNT="2")
    outputs = Path(job_env["OUTPUT_DIR"])
    for task in (0, 1):
        env = {**job_env, "SLURM_ARRAY_TASK_ID": str(task), "SLURM_JOB_ID": f"77{task}"}
        done = run_script("serve_and_evaluate_array.sbatch", env, f"lm.cache_dir={tmp_path / 'cache'}", "plots=false")
        assert done.returncode == 0, done.stderr[-3000:]
        assert "vLLM is healthy" in done.stderr
        pid = _server_pid(tmp_path)
        assert not alive(pid) and not port_open(int(env["PORT"]))
        args = (tmp_path / "args").read_text().split()
        assert args[:3] == ["serve", "--config", "configs/vllm/qwen3_4b.yaml"]
        assert args[args.index("--port") + 1] == env["PORT"]
        assert (tmp_path / "logs" / f"vllm-qwen3_4b-77{task}.log").is_file()
    shards = [read_jsonl(outputs / f"sweep-shard-{i}-of-2" / "predictions.jsonl") for i in (0, 1)]
    ids = [{r["hadm_id"] for r in shard} for shard in shards]
    assert len(ids[0]) == len(ids[1]) == 4 and not ids[0] & ids[1]
    assert {c["hadm_id"] for c in json.loads(cases.read_text())["cases"]} == ids[0] | ids[1]
    manifest = json.loads((outputs / "sweep-shard-1-of-2" / "manifest.json").read_text())
    assert manifest["lm"]["api_base"] == f"http://127.0.0.1:{job_env['PORT']}/v1"
    assert manifest["lm"]["served_name"] == "qwen3-4b-instruct-2507"


def test_the_server_is_stopped_when_evaluate_fails(job_env, tmp_path):
    done = run_script("serve_and_evaluate.sbatch", job_env, "program=no_such_program")
    assert done.returncode != 0
    assert "cdmbench evaluate failed" in done.stderr
    assert "vLLM is healthy" in done.stderr
    pid = _server_pid(tmp_path)
    assert not alive(pid) and not port_open(int(job_env["PORT"]))


def test_a_health_timeout_fails_clearly_and_stops_the_server(job_env, tmp_path):
    job_env.update(FAKE_VLLM_ARGS="--unhealthy", HEALTH_TIMEOUT="2")
    done = run_script("serve_and_evaluate.sbatch", job_env)
    assert done.returncode == 1
    assert "did not answer" in done.stderr and "HEALTH_TIMEOUT=2s" in done.stderr
    pid = _server_pid(tmp_path)
    assert not alive(pid) and not port_open(int(job_env["PORT"]))


def test_a_server_that_dies_at_start_is_reported_with_its_log(job_env):
    job_env.update(FAKE_VLLM_FAIL="1")
    done = run_script("serve_and_evaluate.sbatch", job_env)
    assert done.returncode == 1
    assert "vLLM exited before it became healthy" in done.stderr and "CUDA out of memory" in done.stderr


def test_an_unknown_model_names_the_presets(job_env):
    job_env.update(MODEL="no_such_model")
    done = run_script("serve_and_evaluate.sbatch", job_env)
    assert done.returncode == 1
    assert "no vLLM preset configs/vllm/no_such_model.yaml" in done.stderr and "qwen3_4b" in done.stderr


def test_the_array_script_needs_array_variables(job_env):
    job_env.pop("SLURM_ARRAY_TASK_ID", None)
    done = run_script("serve_and_evaluate_array.sbatch", job_env)
    assert done.returncode == 1 and "not a SLURM array task" in done.stderr
