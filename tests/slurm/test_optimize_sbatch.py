"""slurm/optimize.sbatch: the checks it makes before any server starts (sweeps are `cdmbench ... -m`)."""

from __future__ import annotations

from tests.slurm.conftest import run_script


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
