"""slurm/sweep.sh: one job (or array) per model x program, settings passed by --export; optimize.sbatch's checks."""

from __future__ import annotations

import stat

from tests.slurm.conftest import run_script


def _fake_sbatch(tmp_path):
    fake = tmp_path / "bin" / "sbatch"
    fake.write_text('#!/usr/bin/env bash\necho "$@" >> "$FAKE_VLLM_DIR/sbatch.log"\necho "Submitted batch job 1"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return tmp_path / "sbatch.log"


def test_sweep_submits_one_array_per_model_and_program(job_env, tmp_path):
    log = _fake_sbatch(tmp_path)
    job_env.update(
        MODELS="qwen3_4b gemma3_12b",
        PROGRAMS="cdm_agent full_info",
        SHARDS="4",
        SBATCH_ARGS="--partition=gpu --time=2:00:00",
    )
    done = run_script("sweep.sh", job_env, "limit=100")
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert len(calls) == 4
    pairs = set()
    for call in calls:
        words = call.split()
        assert words[:2] == ["--partition=gpu", "--time=2:00:00"] and "--array=0-3" in words
        assert words[-2].endswith("slurm/serve_and_evaluate_array.sbatch") and words[-1] == "limit=100"
        export = next(w for w in words if w.startswith("--export="))
        fields = dict(item.split("=", 1) for item in export.removeprefix("--export=").split(",")[1:])
        pairs.add((fields["MODEL"], fields["PROGRAM"]))
    assert pairs == {(m, p) for m in ("qwen3_4b", "gemma3_12b") for p in ("cdm_agent", "full_info")}


def test_sweep_dry_run_and_single_jobs(job_env, tmp_path):
    log = _fake_sbatch(tmp_path)
    job_env.update(MODELS="qwen3_4b", DRY_RUN="1")
    done = run_script("sweep.sh", job_env)
    assert done.returncode == 0 and not log.exists()
    assert "serve_and_evaluate.sbatch" in done.stdout and "--array" not in done.stdout


def test_sweep_refuses_unknown_models_before_submitting(job_env, tmp_path):
    log = _fake_sbatch(tmp_path)
    job_env.update(MODELS="qwen3_4b no_such_model")
    done = run_script("sweep.sh", job_env)
    assert done.returncode == 2 and "no_such_model" in done.stderr and not log.exists()


def test_optimize_needs_train_and_dev_before_starting_a_server(job_env, tmp_path):
    done = run_script("optimize.sbatch", job_env)
    assert done.returncode == 1 and "set TRAIN and DEV" in done.stderr
    assert not (tmp_path / "pid").exists()


def test_optimize_names_a_missing_cases_file_before_starting_a_server(job_env, tmp_path):
    job_env.update(TRAIN=str(tmp_path / "missing-train.json"), DEV=str(tmp_path / "missing-dev.json"))
    done = run_script("optimize.sbatch", job_env)
    assert done.returncode != 0 and "cdmbench optimize failed" in done.stderr  # the cases files do not exist
    assert "missing-train.json" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "pid").exists()  # refused before vLLM was started
