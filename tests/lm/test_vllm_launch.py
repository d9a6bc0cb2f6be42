"""``lm.launch=true``: the job starts vLLM from its preset, uses it, and stops it on every exit.

``vllm`` on PATH is the SLURM tests' stand-in: a bash script that records its pid and arguments and becomes the
loopback LM (which answers the JSON schema it is sent, as a constrained decoder does), serving the preset's name.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cdmbench.config import compose
from cdmbench.lm import LMServerError
from cdmbench.lm.presets import load_preset
from cdmbench.lm.vllm_server import REAPER, VllmServer
from tests.runs.conftest import ROOT, read_jsonl, write_cases
from tests.slurm.conftest import FAKE_VLLM, LOOPBACK, alive

pytestmark = pytest.mark.slow


def _wait_for(condition, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def fake_vllm(tmp_path, monkeypatch) -> Path:
    """``vllm`` first on PATH; returns the directory where it writes ``pid`` and ``args``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "vllm"
    fake.write_text(FAKE_VLLM.format(python=sys.executable, loopback=LOOPBACK))
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_VLLM_DIR", str(tmp_path))
    monkeypatch.setenv("FAKE_VLLM_ARGS", "")
    yield tmp_path
    pid = tmp_path / "pid"
    if pid.exists() and alive(int(pid.read_text())):  # a failing test leaves no server behind
        os.kill(int(pid.read_text()), signal.SIGKILL)


def _overrides(cases: Path, out: Path, *extra: str) -> list[str]:
    return [
        f"data={cases}",
        "lm=vllm",
        "lm.preset=qwen3_4b",
        "lm.launch=true",
        "lm.startup_timeout_s=300",
        f"lm.cache_dir={out / 'cache'}",
        f"output_dir={out}",
        "run=launched",
        "plots=false",
        "html_report=false",
        *extra,
    ]


def test_the_command_runs_vllm_serve_with_the_preset_under_the_reaper() -> None:
    preset = load_preset("qwen3_4b")
    server = VllmServer(preset, extra_args=["--seed", "1"])
    command = server.command(4321)
    assert command[:2] == [sys.executable, str(REAPER)]
    assert command[2:5] == ["vllm", "serve", "--config"] and command[5] == str(preset.path)
    assert command[command.index("--host") + 1] == "127.0.0.1" and command[command.index("--port") + 1] == "4321"
    assert command[-2:] == ["--seed", "1"] and "--served-model-name" not in command
    renamed = VllmServer(preset, served_name="other").command(4321)
    assert renamed[renamed.index("--served-model-name") + 1] == "other"


def test_evaluate_starts_vllm_uses_it_and_stops_it(tmp_path, fake_vllm) -> None:
    from cdmbench.runs import evaluate

    cases = write_cases(tmp_path / "data", 8)
    out = tmp_path / "out"
    assert evaluate.run(compose("evaluate", _overrides(cases, out, "limit=3", "program=diagnosis_only"))) == 0
    run = out / "launched"
    lines = read_jsonl(run / "predictions.jsonl")
    assert len(lines) == 3 and all(line["status"] == "ok" for line in lines)
    args = (fake_vllm / "args").read_text().split()
    assert args[:3] == ["serve", "--config", str(load_preset("qwen3_4b").path)]
    assert args[args.index("--host") + 1] == "127.0.0.1"
    assert "serving qwen3-4b-instruct-2507" in (run / "vllm.log").read_text()  # the preset's served name
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["lm"]["launched"] is True and manifest["lm"]["api_base"].startswith("http://127.0.0.1:")
    pid = int((fake_vllm / "pid").read_text())
    assert _wait_for(lambda: not alive(pid)), "the vLLM server outlived the run"


def test_a_server_that_fails_to_start_fails_the_job_with_its_log(tmp_path, fake_vllm, monkeypatch) -> None:
    from cdmbench.runs import evaluate

    monkeypatch.setenv("FAKE_VLLM_FAIL", "1")
    cases = write_cases(tmp_path / "data", 8)
    out = tmp_path / "out"
    with pytest.raises(LMServerError, match=r"(?s)exited with code 1 while starting.*CUDA out of memory \(fake\)"):
        evaluate.run(compose("evaluate", _overrides(cases, out, "limit=1")))
    assert not (out / "launched" / "predictions.jsonl").exists()


def test_a_server_that_never_gets_healthy_times_out_and_is_stopped(tmp_path, fake_vllm, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_VLLM_ARGS", "--unhealthy")  # /v1/models answers, /health says 503
    server = VllmServer(load_preset("qwen3_4b"), startup_timeout_s=3, log_file=tmp_path / "vllm.log")
    with pytest.raises(LMServerError, match=r"did not serve 'qwen3-4b-instruct-2507' within 3 s.*lm.startup"):
        server.start()
    pid = int((fake_vllm / "pid").read_text())
    assert _wait_for(lambda: not alive(pid)), "a server that did not come up was left running"


def test_kill_nine_of_cdmbench_takes_the_server_with_it(tmp_path, fake_vllm) -> None:
    cases = write_cases(tmp_path / "data", 8)
    out = tmp_path / "out"
    # every answer waits 30 s: the run is certainly mid-case when it is killed
    env = {**os.environ, "FAKE_VLLM_ARGS": "--delay 30", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cdmbench", "evaluate", *_overrides(cases, out, "program=diagnosis_only")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        log = out / "launched" / "vllm.log"
        assert _wait_for(lambda: log.exists() and "serving" in log.read_text(), timeout=300), "vLLM never came up"
        pid = int((fake_vllm / "pid").read_text())
        assert process.poll() is None and alive(pid)
        process.kill()
        process.wait(timeout=60)
        assert _wait_for(lambda: not alive(pid)), "the vLLM server outlived a kill -9 of cdmbench"
    finally:
        if process.poll() is None:
            process.kill()
