"""The transcript of a case: per LM call the messages sent, the raw completion, reasoning, finish reason, usage.

``TranscriptLM`` is the ``dspy.LM`` that ``build_lm`` makes; every call it answers is recorded as an ``LMCall``
in the ``Transcript`` opened with ``recording()`` in the current context (one per case: the executor opens it).
Without an open transcript the calls are not kept, but the latest one is still known (``last_call``), which is
how the adapter tells a truncated answer (``finish_reason: "length"``) from a complete one.

Text a reasoning model writes before its answer inside ``<think>...</think>`` is split off into
``reasoning_content``, as vLLM's reasoning parsers do; an unclosed ``<think>`` leaves no answer at all.

The transcript is part of the case record only: nothing of it is logged.

Example:
    >>> with recording(keep_messages=True) as transcript:
    ...     program(case=case)
    >>> transcript.records()[0]["finish_reason"]
    'stop'
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import dspy
from dspy.utils.callback import with_callbacks
from pydantic import BaseModel, Field

from cdmbench.io import jsonable

__all__ = ["LMCall", "Transcript", "TranscriptLM", "calling", "last_call", "last_request", "recording", "split_think"]

_THINK = re.compile(r"^\s*<think>(.*?)(?:</think>|$)", re.DOTALL)


class LMCall(BaseModel):
    """One LM call as it went over the wire."""

    signature: str | None = None
    """The DSPy signature the call was for (e.g. the ReAct step's)."""
    messages: list[dict[str, Any]] | None = None
    """The chat messages sent (None when the run keeps no messages: ``transcript=false``)."""
    completion: str | None = None
    """The answer text as returned (after any ``<think>`` block)."""
    reasoning_content: str | None = None
    """The model's reasoning: the server's ``reasoning_content``, or the ``<think>`` block of the text."""
    finish_reason: str | None = None
    """Why the model stopped (``stop``, ``length``, ...); None for a cached answer."""
    usage: dict[str, Any] = Field(default_factory=dict)
    """Token usage the server reported."""
    latency_s: float | None = None
    """Wall time of the call."""
    cached: bool = False
    """The answer came from the LM cache, not the server."""
    error: str | None = None
    """The exception type, when the call failed."""


class Transcript:
    """The LM calls of one case, in order."""

    def __init__(self, keep_messages: bool = True) -> None:
        self.keep_messages = keep_messages
        self.calls: list[LMCall] = []

    def records(self) -> list[dict[str, Any]]:
        """The calls as JSON objects (for the predictions line)."""
        return [call.model_dump(mode="json", exclude_none=True) for call in self.calls]


_TRANSCRIPT: ContextVar[Transcript | None] = ContextVar("cdmbench_transcript", default=None)
_LAST: ContextVar[LMCall | None] = ContextVar("cdmbench_last_call", default=None)
_SIGNATURE: ContextVar[str | None] = ContextVar("cdmbench_call_signature", default=None)
_REQUEST: ContextVar[tuple[Any, Any] | None] = ContextVar("cdmbench_last_request", default=None)


@contextlib.contextmanager
def recording(keep_messages: bool = True) -> Iterator[Transcript]:
    """Record the LM calls made in this context (and contexts copied from it) into a new ``Transcript``."""
    transcript = Transcript(keep_messages)
    token = _TRANSCRIPT.set(transcript)
    try:
        yield transcript
    finally:
        _TRANSCRIPT.reset(token)


@contextlib.contextmanager
def calling(signature_name: str | None) -> Iterator[None]:
    """Name the signature of the LM calls made in the block; forget the previous call (see ``last_call``)."""
    token = _SIGNATURE.set(signature_name)
    _LAST.set(None)
    _REQUEST.set(None)
    try:
        yield
    finally:
        _SIGNATURE.reset(token)


def last_call() -> LMCall | None:
    """The latest call ``TranscriptLM`` answered in this context since ``calling`` began (None: none, or another LM)."""
    return _LAST.get()


def last_request() -> dict[str, Any] | None:
    """The cache request of the latest call ``TranscriptLM`` made with its cache on, in this context since ``calling``
    began (None: none, the cache off, or another LM): what DSPy's cache keys that call's answer by."""
    held = _REQUEST.get()
    if held is None:
        return None
    lm, prepared = held
    return prepared.key(lm, False)


def current_transcript() -> Transcript | None:
    """The transcript being recorded in this context, if any."""
    return _TRANSCRIPT.get()


def split_think(text: str) -> tuple[str, str | None]:
    """``(answer, thought)``: a leading ``<think>...</think>`` block split off (an unclosed one takes everything)."""
    match = _THINK.match(text)
    if match is None:
        return text, None
    return text[match.end() :], match.group(1).strip()


def _value(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


class TranscriptLM(dspy.LM):
    """A ``dspy.LM`` that records each call in the context's transcript and splits ``<think>`` blocks off.

    Takes the arguments of ``dspy.LM``. ``__call__`` is ``dspy.BaseLM.__call__`` (DSPy 3.4.1: prepare, execute,
    finalize) with the call's result noted in between: its finish reason, usage and whether it was cached.
    """

    @with_callbacks
    def __call__(self, prompt=None, *, messages=None, **kwargs):
        from dspy.clients.execution import execute, finalize, prepare

        transcript = _TRANSCRIPT.get()
        call = LMCall(signature=_SIGNATURE.get())
        if transcript is not None and transcript.keep_messages and messages is not None:
            call.messages = jsonable(list(messages))
        start = time.perf_counter()
        try:
            prepared = prepare(self, prompt, messages, kwargs)
            _REQUEST.set((self, prepared) if prepared.cache else None)
            result = execute(self, prepared)
            _note_result(call, result)
            outputs = finalize(self, prepared, result)
        except Exception as exc:
            call.error = type(exc).__name__
            raise
        finally:
            call.latency_s = round(time.perf_counter() - start, 3)
            _LAST.set(call)
            if transcript is not None:
                transcript.calls.append(call)
        return _split_outputs(call, outputs)


def _note_result(call: LMCall, result: Any) -> None:
    call.cached = bool(getattr(result, "cache_hit", False))
    responses = getattr(result, "responses", ()) or ()
    if responses:
        call.finish_reason = getattr(responses[0], "finish_reason", None)
    else:
        choices = _value(getattr(result, "raw", None), "choices") or []
        call.finish_reason = _value(choices[0], "finish_reason") if choices else None
    usage = getattr(result, "usage", None)
    if usage:
        call.usage = jsonable(dict(usage))


def _split_outputs(call: LMCall, outputs: Any) -> Any:
    if not isinstance(outputs, list) or not outputs:
        return outputs
    split = []
    for index, output in enumerate(outputs):
        text = output.get("text") if isinstance(output, dict) else output
        reasoning = output.get("reasoning_content") if isinstance(output, dict) else None
        if isinstance(text, str):
            text, thought = split_think(text)
            reasoning = reasoning or thought
        if index == 0:
            call.completion = text
            call.reasoning_content = reasoning
        if reasoning is None and not isinstance(output, dict):
            split.append(text)
        else:
            split.append({**(output if isinstance(output, dict) else {}), "text": text, "reasoning_content": reasoning})
    return split
