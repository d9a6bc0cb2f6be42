"""The chat transcript of a case for the report: per LM call the messages sent, the answer and its reasoning.

Reads the predictions line's ``transcript`` (``cdmbench.lm.transcript.LMCall`` records). Every piece of text is
escaped; a call without ``messages`` (a run with ``transcript=false``) shows its answer only; a message already
shown in an earlier call of the case (the system prompt) is named, not repeated.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

__all__ = ["render_chat"]


def _content(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return "\n".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content)
    return json.dumps(content, ensure_ascii=False, default=str)


def _facts(call: dict[str, Any]) -> str:
    facts = []
    if call.get("finish_reason"):
        facts.append(f"finish: {call['finish_reason']}")
    if call.get("cached"):
        facts.append("cached")
    usage = call.get("usage") or {}
    tokens = [f"{k.split('_')[0]} {usage[k]}" for k in ("prompt_tokens", "completion_tokens") if usage.get(k)]
    if tokens:
        facts.append("tokens: " + ", ".join(tokens))
    if call.get("latency_s") is not None:
        facts.append(f"{call['latency_s']} s")
    if call.get("error"):
        facts.append(f"failed: {call['error']}")
    return " · ".join(facts)


def _call(number: int, call: dict[str, Any], seen: dict[str, int]) -> str:
    head = f"call {number}: {call.get('signature') or 'LM'}"
    facts = _facts(call)
    flag = ' <span class="badge invalid">cut off</span>' if call.get("finish_reason") == "length" else ""
    parts = [
        f'<details class="lmcall"><summary>{escape(head)}{flag} <span class="note">{escape(facts)}</span></summary>'
    ]
    for message in call.get("messages") or []:
        role = str(message.get("role", "?")) if isinstance(message, dict) else "?"
        text = _content(message.get("content") if isinstance(message, dict) else message)
        if text in seen:  # the same system prompt (or demo) in every call: shown once per case
            parts.append(f'<div class="note">{escape(role)}: as in call {seen[text]}</div>')
            continue
        seen[text] = number
        parts.append(f'<div class="note">{escape(role)}</div><pre>{escape(text)}</pre>')
    if call.get("reasoning_content"):
        parts.append(
            f'<div class="note">reasoning</div><pre class="thought">{escape(str(call["reasoning_content"]))}</pre>'
        )
    completion = call.get("completion")
    parts.append('<div class="note">answer</div>')
    parts.append(f"<pre>{escape(str(completion))}</pre>" if completion else '<p class="missing">(no answer)</p>')
    parts.append("</details>")
    return "".join(parts)


def render_chat(prediction: dict[str, Any]) -> str:
    """The "LM transcript" section of a case card (empty when the line records no transcript)."""
    calls = prediction.get("transcript")
    if not isinstance(calls, list) or not calls:
        return ""
    seen: dict[str, int] = {}
    body = "".join(_call(i, c, seen) for i, c in enumerate(calls, start=1) if isinstance(c, dict))
    return f"<h3>LM transcript ({len(calls)} calls)</h3>{body}"
