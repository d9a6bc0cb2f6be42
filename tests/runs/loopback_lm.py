"""A loopback OpenAI-compatible LM server for run, SLURM and benchmark tests (standard library only).

It answers ``GET /health``, ``GET /v1/models``, ``GET /stats`` and ``POST /v1/chat/completions`` with canned JSON
that fits each request's output schema, so every cdmbench program runs to the end: the ReAct agent examines,
orders labs, orders imaging, then finishes; the diagnosis is one of the four pathologies picked from a stable hash
of the prompt (so runs are deterministic across processes). It can add latency and inject faults (HTTP 500,
timeouts, dropped connections, malformed JSON) on a seeded fraction of requests, drawn from each request's content
and attempt number (not from arrival order, so the same requests fail whatever the thread scheduling).

A test that must control the pace of a run closes the gate (``gated=True``): each chat request then waits until
the test lets it through (``release``), so how far a run gets depends on the test, never on the machine's speed.

Run it as a process with a ``vllm serve``-like command line (the fake ``vllm`` of tests/slurm execs it)::

    python tests/runs/loopback_lm.py serve --config configs/vllm/qwen3_4b.yaml --host 127.0.0.1 --port 8000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import socket
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULTS = ("http500", "timeout", "drop", "malformed")
DIAGNOSES = ("Acute appendicitis", "Acute cholecystitis", "Acute diverticulitis", "Acute pancreatitis")
_PLAN: tuple[tuple[str, dict[str, Any]], ...] = (
    ("physical_examination", {}),
    ("laboratory_tests", {"tests": ["CBC", "CRP", "Lipase", "ALT", "Bilirubin, Total"]}),
    ("imaging", {"region": "Abdomen", "modality": "Ultrasound"}),
    ("finish", {}),
)


def _stable(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)


def _schema(body: dict[str, Any]) -> dict[str, Any]:
    fmt = body.get("response_format") or {}
    return fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema") or {}


def _prompt(body: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") != "system")


def _value(name: str, node: dict[str, Any], prompt: str) -> Any:
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "array":
        if name == "treatments":
            return ["Laparoscopic surgery", "IV antibiotics", "IV fluids and analgesia"]
        return [f"{name} item"]
    if kind == "object":
        return {}
    if kind in ("integer", "number"):
        return 0
    if kind == "boolean":
        return False
    if name == "diagnosis":
        return DIAGNOSES[_stable(prompt) % len(DIAGNOSES)]
    if name == "summary":
        return f"summary {_stable(prompt) % 10_000}"
    return f"{name} text"


def canned_answer(body: dict[str, Any]) -> str:
    """The assistant text for a chat request: JSON fitting its schema (a ReAct step follows ``_PLAN``)."""
    props = _schema(body).get("properties", {})
    prompt = _prompt(body)
    if "next_tool_name" in props:
        step = len(set(re.findall(r"tool_name_(\d+)", prompt)))
        name, args = _PLAN[min(step, len(_PLAN) - 1)]
        return json.dumps({"next_thought": f"step {step}", "next_tool_name": name, "next_tool_args": args})
    if not props:
        return json.dumps({"answer": "text"})
    return json.dumps({name: _value(name, node, prompt) for name, node in props.items()})


class LoopbackLM:
    """The server, on a thread of this process (``with LoopbackLM() as lm: lm.api_base``).

    Args:
        served: model names listed by ``/v1/models``.
        delay_s: latency added to every chat request.
        fault_rate: the fraction of chat requests that fail, each with a fault drawn from ``faults``.
        faults: the fault kinds to inject (``FAULTS``, or ``garbage``: an HTTP 200 whose answer is not JSON).
        seed: seeds the fault draws.
        hang_s: how long a ``timeout`` fault sleeps before answering (set it above the client's timeout).
        healthy: ``/health`` answers 200 (else 503, for health-timeout tests).
        gated: chat requests wait until ``release`` lets them through (``open_gate`` lets every request through).
        host, port: where to listen (port 0: a free one).
    """

    def __init__(
        self,
        served: tuple[str, ...] = ("loopback-model",),
        delay_s: float = 0.0,
        fault_rate: float = 0.0,
        faults: tuple[str, ...] = FAULTS,
        seed: int = 0,
        hang_s: float = 3.0,
        healthy: bool = True,
        gated: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.served = served
        self.delay_s = delay_s
        self.fault_rate = fault_rate
        self.faults = faults
        self.hang_s = hang_s
        self.healthy = healthy
        self.stats: Counter[str] = Counter()
        self.last_body: dict[str, Any] | None = None
        """The last chat request's JSON body (benchmarks replay it as a raw call)."""
        self.seed = seed
        self._attempts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._gate = threading.Condition(self._lock)
        self._gated = gated
        self._passes = 0  # requests the test has let through the closed gate and that have not yet used it
        self.waiting = 0
        """Chat requests waiting at the closed gate now."""
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.api_base = f"http://{host}:{self.port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _draw_fault(self, body: dict[str, Any]) -> str | None:
        """The fault for this request, drawn from its content and how often it was sent: deterministic per request."""
        key = json.dumps(body.get("messages", []), sort_keys=True)
        with self._lock:
            self.stats["chat"] += 1
            self._attempts[key] += 1
            rng = random.Random(f"{self.seed}:{self._attempts[key]}:{key}")
            if self.fault_rate and rng.random() < self.fault_rate:
                fault = rng.choice(self.faults)
                self.stats[fault] += 1
                return fault
            self.stats["answered"] += 1
            return None

    def _pass_gate(self) -> None:
        with self._gate:
            self.waiting += 1
            self._gate.notify_all()
            while self._gated and self._passes == 0:
                self._gate.wait()
            if self._gated:
                self._passes -= 1
            self.waiting -= 1
            self._gate.notify_all()

    def wait_for_waiting(self, timeout: float = 120.0) -> bool:
        """Block until a chat request waits at the gate (True), or ``timeout`` seconds pass (False)."""
        with self._gate:
            return self._gate.wait_for(lambda: self.waiting > self._passes, timeout=timeout)

    def release(self, n: int = 1) -> None:
        """Let ``n`` more chat requests through the closed gate (now waiting or arriving later)."""
        with self._gate:
            self._passes += n
            self._gate.notify_all()

    def close_gate(self) -> None:
        """From now on chat requests wait for ``release`` (passes not yet used are dropped)."""
        with self._gate:
            self._gated = True
            self._passes = 0

    def open_gate(self) -> None:
        """Let every chat request through, now and from now on."""
        with self._gate:
            self._gated = False
            self._passes = 0
            self._gate.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stalls

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: Any, raw: bytes | None = None) -> None:
                body = raw if raw is not None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = self.path.rstrip("/")
                if path == "/health":
                    self._send(200 if owner.healthy else 503, {})
                elif path.endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": s, "object": "model"} for s in owner.served]})
                elif path == "/stats":
                    with owner._lock:
                        self._send(200, dict(owner.stats))
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                owner.last_body = body
                owner._pass_gate()
                if owner.delay_s:
                    time.sleep(owner.delay_s)
                fault = owner._draw_fault(body)
                if fault == "http500":
                    self._send(500, {"error": {"message": "injected server error", "type": "server_error"}})
                    return
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault == "malformed":
                    self._send(200, None, raw=b'{"id": "chatcmpl-x", "choices": [{"index": 0, "message": {"con')
                    return
                if fault == "timeout":
                    time.sleep(owner.hang_s)
                # "garbage" (never drawn from the default FAULTS): a well-formed HTTP 200 whose answer is not JSON
                text = "Sorry, no JSON today." if fault == "garbage" else canned_answer(body)
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{owner.stats['chat']}",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model"),
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                        ],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                    },
                )

        return Handler

    def __enter__(self) -> LoopbackLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.open_gate()  # no handler thread stays blocked at the gate
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        """Serve in this thread until the process is stopped."""
        self._server.serve_forever()


def _served_name(config: str | None) -> str:
    if not config:
        return "loopback-model"
    text = open(config, encoding="utf-8").read()  # noqa: SIM115 - tiny file, read once
    for key in ("served-model-name", "model"):
        match = re.search(rf"^{key}:\s*(\S+)", text, re.MULTILINE)
        if match:
            return match.group(1).strip("'\"")
    return "loopback-model"


def main(argv: list[str] | None = None) -> int:
    """``[serve] --config FILE --host H --port P [--delay S] [--startup-delay S] [--unhealthy] ...``."""
    parser = argparse.ArgumentParser(description="loopback OpenAI-compatible LM (a vLLM stand-in)")
    parser.add_argument("serve", nargs="?")
    parser.add_argument("--config")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--startup-delay", type=float, default=0.0)
    parser.add_argument("--unhealthy", action="store_true")
    args, _unknown = parser.parse_known_args(argv)  # vLLM's other flags are accepted and ignored
    time.sleep(args.startup_delay)
    server = LoopbackLM(
        served=(_served_name(args.config),),
        delay_s=args.delay,
        fault_rate=args.fault_rate,
        healthy=not args.unhealthy,
        host=args.host,
        port=args.port,
    )
    sys.stderr.write(f"loopback LM serving {server.served[0]} on {server.api_base}\n")
    sys.stderr.flush()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
