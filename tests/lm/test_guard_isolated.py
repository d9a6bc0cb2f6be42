"""The data-use guard through the command line, where nothing can leave the machine.

Disguised public endpoints run `cdmbench evaluate` inside a network namespace that has only loopback
(``unshare -n``; skipped where that is not allowed), so even a guard that failed could reach nothing. The proxy
test points the proxy variables at a loopback listener that must see no connection at all.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from cdmbench.cli import main
from tests.bad_input_makers import seed_cases
from tests.runs.loopback_lm import LoopbackLM

ROOT = Path(__file__).resolve().parents[2]
DISGUISED = [
    "http://134744072:8000/v1",
    "http://0x08080808/v1",
    "http://01002004010/v1",
    "http://8.8.2056/v1",
    "http://[::ffff:8.8.8.8]/v1",
    "http://8.8.8.8./v1",
    "http://api\u3002openai\u3002com/v1",
    "http://api\uff0eopenai\uff0ecom./v1",
    "https://api.openai.com/v1",
]


def credentialed_cases(path: Path) -> Path:
    """Synthetic content marked as MIMIC-IV: the guard must treat it as credentialed."""
    path.write_text(json.dumps({"source": "mimic-iv", "cases": seed_cases()}), encoding="utf-8")
    return path


def _isolated() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, timeout=30)
    return probe.returncode == 0


SNIPPET = textwrap.dedent(
    """
    import io, json, socket, sys
    from contextlib import redirect_stderr
    attempts = []
    real_connect = socket.socket.connect
    def connect(self, address):
        attempts.append(str(address))
        return real_connect(self, address)
    socket.socket.connect = connect
    from cdmbench.cli import main
    cases, out, urls = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    results = []
    for url in urls:
        err = io.StringIO()
        with redirect_stderr(err):
            code = main(["evaluate", f"data={cases}", "lm=vllm", "lm.model=m", f"lm.api_base='{url}'",
                         f"output_dir={out}", "program=diagnosis_only", "plots=false"])
        results.append({"url": url, "code": code, "output": err.getvalue(), "attempts": list(attempts)})
        attempts.clear()
    print("RESULTS " + json.dumps(results))
    """
)


@pytest.mark.skipif(not _isolated(), reason="needs `unshare -n` (root or user namespaces) and iproute2")
def test_disguised_public_endpoints_are_refused_in_an_isolated_network(tmp_path):
    cases = credentialed_cases(tmp_path / "cases.json")
    out = tmp_path / "outputs"
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(NO_COLOR="1", LITELLM_LOCAL_MODEL_COST_MAP="True", PYTHONPATH=str(ROOT))
    command = f'ip link set lo up && exec "{sys.executable}" -c "$0" "$@"'
    proc = subprocess.run(
        ["unshare", "-n", "sh", "-c", command, SNIPPET, str(cases), str(out), json.dumps(DISGUISED)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=env,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULTS ")), None)
    assert line is not None, proc.stdout + proc.stderr
    results = json.loads(line.removeprefix("RESULTS "))
    assert [r["url"] for r in results] == DISGUISED
    for result in results:
        assert result["code"] == 2, result
        assert "refusing to send credentialed" in result["output"], result
        assert "Traceback" not in result["output"], result
        assert result["attempts"] == [], result  # refused before any connection
    assert not out.exists()  # nothing written


class _Listener:
    """A loopback TCP listener that counts connections (a stand-in proxy that must stay unused)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"])
def test_proxy_variables_never_carry_credentialed_cases(tmp_path, monkeypatch, capsys, variable):
    proxy = _Listener()
    try:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
            monkeypatch.delenv(name.lower(), raising=False)
        monkeypatch.setenv(variable, proxy.url)
        cases = credentialed_cases(tmp_path / "cases.json")
        with LoopbackLM() as server:
            code = main(
                [
                    "evaluate",
                    f"data={cases}",
                    "lm=vllm",
                    "lm.model=loopback-model",
                    f"lm.api_base={server.api_base}",
                    f"output_dir={tmp_path / 'outputs'}",
                    "program=diagnosis_only",
                ]
            )
            assert server.stats["chat"] == 0
        output = capsys.readouterr().err
        assert code == 2
        assert f"while {variable} is set" in output and "via_proxy: true" in output
        assert proxy.connections == 0
        assert not (tmp_path / "outputs").exists()
    finally:
        proxy.close()
