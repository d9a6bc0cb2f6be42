"""A loopback OpenAI-compatible server that decodes like a constrained decoder (standard library only).

vLLM's structured outputs (xgrammar, guidance) and llama.cpp's grammars let a model produce only text that fits
the request's JSON schema. This server does the same to what its scripted "model" wants to say:

- every property an object ``required``s is produced (from the wanted value, else the type's empty value);
- nothing else: no properties the schema does not list, and no values for optional ones;
- ``anyOf``/``oneOf``: the branch that best fits the wanted value (a branch whose ``enum``/``const`` rejects it
  never wins); ``enum``/``const`` are kept; ``maxLength`` cuts strings;
- an open object (``{"type": "object"}`` without properties) takes the wanted value as it is.

It can also truncate at ``max_tokens`` (four characters a token) with ``finish_reason: "length"``, return
``reasoning_content`` (as vLLM's reasoning parsers do) or a ``<think>`` block in the content, answer with raw
(malformed or empty) text, or fail with an HTTP status.

The scripted model is ``policy(request) -> Reply``; ``default_reply`` examines, orders labs, orders imaging, then
finishes, and names a diagnosis and a plan. A test wraps it to inject faults at chosen calls.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["PLAN", "ConstrainedLM", "Reply", "Request", "constrain", "default_reply"]

PLAN: tuple[tuple[str, dict[str, Any]], ...] = (
    ("physical_examination", {}),
    ("laboratory_tests", {"tests": ["CBC", "CRP", "Lipase"]}),
    ("imaging", {"region": "Abdomen", "modality": "Ultrasound"}),
    ("finish", {}),
)
"""The scripted agent's steps (it wants no arguments for the examination and ``finish``)."""


@dataclass(frozen=True)
class Request:
    """One chat request as the scripted model sees it."""

    body: dict[str, Any]
    schema: dict[str, Any]
    kind: str
    """``step`` (a ReAct step), ``extract``, ``synthesize``, ``diagnose``, ``treat`` or ``other``."""
    step: int
    """For a ReAct step: how many steps the trajectory in the prompt already has."""
    prompt: str
    calls: int
    """How many requests of this kind (for a step: of this step index) came before, this one excluded."""


@dataclass
class Reply:
    """What the scripted model answers (``value`` goes through the schema; ``text`` is sent as it is)."""

    value: Any = None
    text: str | None = None
    reasoning: str | None = None
    think_in_content: bool = False
    truncate: bool = False
    status: int = 200


def _schema(body: dict[str, Any]) -> dict[str, Any]:
    fmt = body.get("response_format") or {}
    return fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema") or {}


def _kind(schema: dict[str, Any]) -> str:
    props = schema.get("properties") or {}
    for name, kind in (
        ("next_tool_name", "step"),
        ("findings", "extract"),
        ("summary", "synthesize"),
        ("diagnosis", "diagnose"),
        ("treatments", "treat"),
    ):
        if name in props:
            return kind
    return "other"


def default_reply(request: Request) -> Reply:
    """The scripted model: follows ``PLAN``, diagnoses appendicitis and plans its treatment."""
    if request.kind == "step":
        name, args = PLAN[min(request.step, len(PLAN) - 1)]
        return Reply({"next_thought": f"step {request.step}", "next_tool_name": name, "next_tool_args": args})
    values = {
        "findings": "Tender right lower quadrant; white cells raised; ultrasound shows an inflamed appendix.",
        "summary": "Adult with right lower quadrant pain, fever and leukocytosis.",
        "reasoning": "The findings point to the appendix.",
        "diagnosis": "Acute appendicitis",
        "differential": ["Acute diverticulitis"],
        "treatments": ["Laparoscopic appendectomy", "IV antibiotics", "IV fluids and analgesia"],
    }
    return Reply(values)


def _fit(value: Any, branch: dict[str, Any]) -> float:
    if "const" in branch:
        return 2.0 if value == branch["const"] else -100.0
    if "enum" in branch:
        return 2.0 if value in branch["enum"] else -100.0
    kind = branch.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            return -10.0
        props = set(branch.get("properties") or {})
        keys = set(value)
        return len(keys & props) - len(set(branch.get("required") or []) - keys) - 0.5 * len(keys - props)
    matches = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "array": isinstance(value, list),
        "null": value is None,
    }
    return 1.0 if matches.get(str(kind), False) else -10.0


def constrain(value: Any, schema: dict[str, Any]) -> Any:
    """``value`` as a decoder bound to ``schema`` would let it out (see the module docstring)."""
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        best = max(range(len(branches)), key=lambda i: (_fit(value, branches[i]), -i))
        return constrain(value, branches[best])
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return value if value in schema["enum"] else schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties")
        if not props and schema.get("additionalProperties") is not False:
            return value if isinstance(value, dict) else {}  # an open object: anything goes
        given = value if isinstance(value, dict) else {}
        return {name: constrain(given.get(name), props[name]) for name in schema.get("required") or []}
    if kind == "array":
        items = value if isinstance(value, list) else []
        return [constrain(item, schema.get("items") or {}) for item in items]
    if kind in ("integer", "number"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return (int(value) if kind == "integer" else value) if ok else 0
    if kind == "boolean":
        return bool(value)
    if kind == "string" or kind is None:
        text = "" if value is None else str(value)
        return text[: schema["maxLength"]] if "maxLength" in schema else text
    return value


class ConstrainedLM:
    """The server, on 127.0.0.1 (a context manager); ``requests`` keeps each request body, ``stats`` counts.

    Args:
        policy: the scripted model (default ``default_reply``).
        served: the model names ``/v1/models`` lists.
    """

    def __init__(self, policy: Callable[[Request], Reply] = default_reply, served: tuple[str, ...] = ("served-model",)):
        self.policy = policy
        self.served = served
        self.requests: list[dict[str, Any]] = []
        self.replies: list[dict[str, Any]] = []
        self.stats: Counter[str] = Counter()
        self._seen: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def _request(self, body: dict[str, Any]) -> Request:
        schema = _schema(body)
        kind = _kind(schema)
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") != "system")
        step = len(set(re.findall(r"tool_name_(\d+)", prompt))) if kind == "step" else 0
        with self._lock:
            calls = self._seen[(kind, step)]
            self._seen[(kind, step)] += 1
            self.requests.append(body)
            self.stats[kind] += 1
        return Request(body=body, schema=schema, kind=kind, step=step, prompt=prompt, calls=calls)

    def complete(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The status and JSON answer of one chat request."""
        request = self._request(body)
        reply = self.policy(request)
        if reply.status != 200:
            return reply.status, {"error": {"message": "scripted failure", "type": "server_error"}}
        text = reply.text if reply.text is not None else json.dumps(constrain(reply.value, request.schema))
        finish = "stop"
        limit = int(body.get("max_tokens") or body.get("max_completion_tokens") or 1 << 30) * 4
        if reply.truncate or len(text) > limit:
            text, finish = text[: min(limit, max(1, len(text) // 2))], "length"
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if reply.reasoning and reply.think_in_content:
            message["content"] = f"<think>{reply.reasoning}</think>\n{text}"
        elif reply.reasoning:
            message["reasoning_content"] = reply.reasoning
        with self._lock:
            self.replies.append({"kind": request.kind, "finish_reason": finish, "content": message["content"]})
        return 200, {
            "id": f"cmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", self.served[0]),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": len(request.prompt) // 4, "completion_tokens": len(text) // 4 + 1},
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                raw = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(
                        200, {"object": "list", "data": [{"id": name, "object": "model"} for name in owner.served]}
                    )
                else:
                    self._send(200, {"status": "ok"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                status, payload = owner.complete(body)
                self._send(status, payload)

        return Handler

    def __enter__(self) -> ConstrainedLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@dataclass
class Script:
    """A policy built from ``default_reply`` with overrides at chosen calls: ``{(kind, step, call): Reply}``."""

    overrides: dict[tuple[str, int, int], Reply] = field(default_factory=dict)
    reasoning: str | None = None
    think_in_content: bool = False

    def __call__(self, request: Request) -> Reply:
        reply = self.overrides.get((request.kind, request.step, request.calls)) or default_reply(request)
        if self.reasoning and reply.reasoning is None and reply.text is None:
            reply = Reply(
                reply.value,
                reasoning=f"{self.reasoning} ({request.kind})",
                think_in_content=self.think_in_content,
                truncate=reply.truncate,
                status=reply.status,
            )
        return reply
