"""A real OpenAI-compatible HTTP server on 127.0.0.1 that records requests (stands in for vLLM)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[dict[str, Any]], str]


class FakeOpenAIServer:
    """Serves ``GET /v1/models`` and ``POST /v1/chat/completions``; the answer text comes from ``answer``.

    ``fail_next`` requests are answered with ``fail_status`` (and ``Retry-After: 0`` so retries are quick).
    """

    def __init__(self, answer: Answer | str, served: tuple[str, ...] = ("served-model",)) -> None:
        self.answer = answer
        self.served = served
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0
        self.fail_status = 500
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": s, "object": "model"} for s in owner.served]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                owner.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                if owner.fail_next > 0:
                    owner.fail_next -= 1
                    error = {"error": {"message": "engine overloaded", "type": "server_error"}}
                    self._send(owner.fail_status, error, {"Retry-After": "0"})
                    return
                text = owner.answer(body) if callable(owner.answer) else owner.answer
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{len(owner.requests)}",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model"),
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                        ],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                    },
                )

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.api_base = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests]


def schema_of(body: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema a request carries, in either dialect."""
    fmt = body.get("response_format") or {}
    return fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema") or {}


def answer_from_schema(body: dict[str, Any]) -> str:
    """A canned JSON answer that fits the request's schema: ReAct finishes at once, other fields get text."""
    props = schema_of(body).get("properties", {})
    if "next_tool_name" in props:
        return json.dumps({"next_thought": "enough", "next_tool_name": "finish", "next_tool_args": {}})
    return json.dumps({name: f"{name} text" for name in props})
