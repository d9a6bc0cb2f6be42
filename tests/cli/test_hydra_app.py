"""Every command is a Hydra application: sweeps (-m), --cfg, --info, hydra.run.dir, run names from overrides,
and the one-line error behaviour of the command line, in a sweep too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdmbench.cli import main
from tests.runs.conftest import read_jsonl, write_cases
from tests.runs.loopback_lm import LoopbackLM


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> Path:
    return write_cases(tmp_path_factory.mktemp("hydra-cases"), 8)


@pytest.fixture(scope="module")
def lm():
    with LoopbackLM() as server:
        yield server


def _overrides(cases: Path, lm: LoopbackLM, out: Path, *extra: str) -> list[str]:
    return [
        f"data={cases}",
        "lm=vllm",
        "lm.model=loopback-model",
        f"lm.api_base={lm.api_base}",
        f"lm.cache_dir={out / 'cache'}",
        f"output_dir={out}",
        "limit=2",
        "plots=false",
        "html_report=false",
        *extra,
    ]


def _runs(out: Path) -> dict[str, Path]:
    return {p.name: p for p in out.iterdir() if (p / "manifest.json").exists()}


def _one_error_line(text: str) -> str:
    errors = [line for line in text.splitlines() if "| ERROR" in line]
    assert len(errors) == 1, text
    assert "Traceback" not in text and "This is a bug" not in text, text
    return errors[0]


def test_sweep_of_two_programs_by_two_settings_makes_four_runs_that_each_resume(cases, lm, tmp_path, capfd):
    out = tmp_path / "outputs"
    sweep = ["-m", "program=diagnosis_only,full_info", "lm.temperature=0.0,0.5"]
    assert main(["evaluate", *_overrides(cases, lm, out), *sweep]) == 0
    runs = _runs(out)
    stem = cases.stem
    assert sorted(runs) == sorted(
        f"{stem}-{program}-qwen3_4b{suffix}"
        for program in ("diagnosis_only", "full_info")
        for suffix in ("-lm.temperature=0.0", "-lm.temperature=0.5")
    )
    for run in runs.values():
        assert len(read_jsonl(run / "predictions.jsonl")) == 2
        config = (run / "config.yaml").read_text()
        assert ("temperature: 0.5" in config) == run.name.endswith("0.5")
    assert (out / "multirun.yaml").exists()  # the sweep's record, beside the runs
    log = capfd.readouterr().err
    assert "sweep: 4 job(s), 4 succeeded, 0 failed" in log

    calls = lm.stats["chat"]
    assert main(["evaluate", *_overrides(cases, lm, out), *sweep]) == 0  # every run resumes: nothing to do
    assert lm.stats["chat"] == calls
    assert sorted(_runs(out)) == sorted(runs)


def test_an_ablation_is_its_own_run_and_operational_keys_resume_the_same_run(cases, lm, tmp_path):
    out = tmp_path / "outputs"
    base = _overrides(cases, lm, out, "program=cdm_agent")
    assert main(["evaluate", *base, "program.max_iters=3"]) == 0
    assert main(["evaluate", *base, "program.max_iters=5"]) == 0  # another experiment: not refused
    assert main(["evaluate", *base, "program.max_iters=5", "num_threads=2", "limit=3"]) == 0  # resumes it
    names = sorted(_runs(out))
    stem = f"{cases.stem}-cdm_agent-qwen3_4b"
    assert names == [f"{stem}-program.max_iters=3", f"{stem}-program.max_iters=5"]
    assert len(read_jsonl(out / names[1] / "predictions.jsonl")) == 3


def test_hydra_run_dir_is_the_run_directory(cases, lm, tmp_path):
    target = tmp_path / "elsewhere" / "my-run"
    assert main(["evaluate", *_overrides(cases, lm, tmp_path / "outputs"), f"hydra.run.dir={target}"]) == 0
    assert len(read_jsonl(target / "predictions.jsonl")) == 2
    assert json.loads((target / "manifest.json").read_text())["run"] == "my-run"
    assert _runs(tmp_path / "outputs") == {}


def test_shards_as_a_sweep_then_merge_with_a_glob(cases, lm, tmp_path):
    out = tmp_path / "outputs"
    assert main(["evaluate", *_overrides(cases, lm, out, "limit=null", "run=all"), "-m", "shards=2"]) == 0
    assert sorted(_runs(out)) == ["all-shard-0-of-2", "all-shard-1-of-2"]
    assert main(["merge", f"runs={out}/all-shard-*", f"out={out / 'all'}", "plots=false"]) == 0
    assert len(read_jsonl(out / "all" / "predictions.jsonl")) == 8


def test_shards_without_a_sweep_says_to_add_m(capfd):
    assert main(["evaluate", "shards=4"]) == 2
    assert "add -m" in _one_error_line(capfd.readouterr().err)


def test_cfg_job_prints_the_config_with_secrets_redacted_and_writes_nothing(tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    assert main(["create-benchmark", "--cfg", "job", "db.password=s3cret-pw", "out=x.jsonl"]) == 0
    printed = capfd.readouterr().out
    assert "password: '***'" in printed and "s3cret-pw" not in printed
    assert "hydra:" not in printed
    assert main(["evaluate", "--cfg", "hydra", "--resolve", "run=named"]) == 0
    assert "dir: outputs/named" in capfd.readouterr().out
    assert main(["evaluate", "--cfg", "job", "-p", "lm"]) == 0
    assert capfd.readouterr().out.startswith("kind: embedded")
    assert list(tmp_path.iterdir()) == []


def test_info_and_config_dir(tmp_path, capfd):
    assert main(["evaluate", "--info", "defaults"]) == 0
    assert "program/cdm_agent" in capfd.readouterr().out
    extra = tmp_path / "mine" / "program"
    extra.mkdir(parents=True)
    (extra / "short_agent.yaml").write_text("defaults:\n  - cdm_agent\n  - _self_\nmax_iters: 2  # a short agent\n")
    assert main(["evaluate", "--config-dir", str(tmp_path / "mine"), "program=short_agent", "--cfg", "job"]) == 0
    assert "max_iters: 2" in capfd.readouterr().out
    assert main(["evaluate", "--config-dir", str(tmp_path / "missing"), "--cfg", "job"]) == 2
    assert "no such directory" in _one_error_line(capfd.readouterr().err)


def test_help_shows_each_keys_comment_and_the_options_of_each_group(capfd):
    assert main(["evaluate", "lm=vllm", "--help"]) == 0
    text = capfd.readouterr().out
    assert "max_iters: 10" in text and "# the most tool calls per case" in text
    assert "kind: vllm" in text  # the overrides are applied
    section = text.split("config groups", 1)[1].split("config (override", 1)[0]
    groups = {line.split()[0]: line.split()[1:] for line in section.splitlines() if line.startswith("  ")}
    assert groups["program"][0] == "cdm_agent" and "full_info," in groups["program"]
    assert groups["lm"][0] == "vllm"
    assert "submitit_slurm" in " ".join(groups["hydra/launcher"])


@pytest.mark.parametrize("sweep", [False, True], ids=["run", "multirun"])
@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["progam=cdm_agent"], "unknown setting 'progam'"),
        (["limit=abc"], "limit must be a whole number"),
        (["data=/no/such/cases.jsonl"], "/no/such/cases.jsonl"),
        (["program=nope"], "unknown program 'nope'"),
    ],
    ids=["typo", "bad-value", "missing-file", "unknown-option"],
)
def test_user_mistakes_are_one_error_line_and_exit_2(extra, expected, sweep, tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    args = ["evaluate", *extra, "lm=vllm", "lm.model=m", "lm.api_base=http://127.0.0.1:9/v1"]
    if sweep:
        args += ["-m", "lm.temperature=0.0,0.5"]
    assert main(args) == 2
    err = capfd.readouterr().err
    if sweep and expected.startswith(("limit", "/no")):  # the jobs start, each fails the same way
        errors = [line for line in err.splitlines() if "| ERROR" in line]
        assert "Traceback" not in err and "This is a bug" not in err, err
        assert len(errors) == 3 and all(expected in line for line in errors[:2]), err  # one per job
        assert "sweep: 2 job(s), 0 succeeded, 2 failed: #0 (exit 2), #1 (exit 2)" in errors[2]
    else:
        assert expected in _one_error_line(err)
    assert not (tmp_path / "outputs").exists() or [p.name for p in (tmp_path / "outputs").iterdir()] == [
        "multirun.yaml"
    ]


def test_the_sweep_record_has_secrets_redacted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["evaluate", "data=missing.jsonl", "lm=vllm", "lm.model=m", "-m", "lm.temperature=0.0,0.5"]
    assert main([*args, "lm.api_base=http://user:pw-s3cret@127.0.0.1:9/v1"]) == 2
    record = (tmp_path / "outputs" / "multirun.yaml").read_text()
    assert "pw-s3cret" not in record and "***@127.0.0.1" in record


def test_a_sweep_whose_jobs_would_share_a_run_directory_is_refused(cases, lm, tmp_path, capfd):
    out = tmp_path / "outputs"
    # num_threads is operational: left out of run names, so both jobs would be one run
    assert main(["evaluate", *_overrides(cases, lm, out), "-m", "num_threads=1,2"]) == 2
    line = _one_error_line(capfd.readouterr().err)
    assert "'num_threads=1' and 'num_threads=2'" in line and "same run directory" in line
    assert not out.exists()  # refused before the sweep record or any job
    # the way out the message gives: a directory per job
    subdir = "hydra.sweep.subdir=${run_name:evaluate}-${hydra.job.num}"
    assert main(["evaluate", *_overrides(cases, lm, out), "-m", "num_threads=1,2", subdir]) == 0
    assert sorted(_runs(out)) == [f"{cases.stem}-cdm_agent-qwen3_4b-{n}" for n in (0, 1)]


@pytest.mark.slow
def test_sweep_with_the_submitit_local_launcher(cases, lm, tmp_path):
    out = tmp_path / "outputs"
    sweep = ["-m", "hydra/launcher=submitit_local", "hydra.launcher.timeout_min=20"]
    sweep += ["program=diagnosis_only,full_info", "lm.temperature=0.0,0.5"]
    assert main(["evaluate", *_overrides(cases, lm, out), *sweep]) == 0  # each job in a process of its own
    assert sorted(_runs(out)) == sorted(
        f"{cases.stem}-{program}-qwen3_4b-lm.temperature={t}"
        for program in ("diagnosis_only", "full_info")
        for t in ("0.0", "0.5")
    )
    assert list((out / ".submitit").iterdir())  # submitit's job folders, hidden beside the runs
    for run in _runs(out).values():
        assert len(read_jsonl(run / "predictions.jsonl")) == 2


def test_optimize_runs_are_named_by_their_overrides_too(capfd):
    args = ["optimize", "--cfg", "hydra", "--resolve", "train=t.json", "dev=d.json", "-p", "hydra.run"]
    assert main([*args, "optimizer.max_bootstrapped_demos=2", "num_threads=4"]) == 0
    assert "dir: outputs/optimize-cdm_agent-bootstrap_fewshot-embedded-optimizer.max_bootstrapped_demos=2" in (
        capfd.readouterr().out
    )
    assert main([*args, "run=mine", "hydra.run.dir=/tmp/x"]) == 0
    assert "dir: /tmp/x" in capfd.readouterr().out


def test_the_slurm_gpu_launcher_config_composes_onto_submitit(capfd):
    args = ["evaluate", "hydra/launcher=slurm_gpu", "hydra.launcher.partition=a100", "--cfg", "hydra"]
    assert main([*args, "-p", "hydra.launcher"]) == 0
    launcher = capfd.readouterr().out
    assert "_target_: hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher" in launcher
    assert "partition: a100" in launcher and "gpus_per_node: 1" in launcher and "array_parallelism: 8" in launcher


def _a_bug(cfg):
    raise ValueError("a bug in the command")


def test_a_bug_in_a_command_keeps_its_traceback_with_debug(monkeypatch, capfd):
    from cdmbench.cli import COMMANDS, Command

    monkeypatch.setitem(COMMANDS, "score", Command("score", "s", "tests.cli.test_hydra_app:_a_bug", lm=False))
    with pytest.raises(ValueError, match="a bug in the command"):  # not turned into a "malformed override"
        main(["score", "debug=true"])
    assert main(["score"]) == 1
    assert "This is a bug in cdmbench" in _one_error_line_or_bug(capfd.readouterr().err)


def _one_error_line_or_bug(text: str) -> str:
    errors = [line for line in text.splitlines() if "| ERROR" in line]
    assert len(errors) == 1 and "Traceback" not in text, text
    return errors[0]
