"""LM calls, tokens and time per LM role (task, prompt, reflection, teacher) of one optimize command.

Two DSPy mechanisms together: an instance-level callback on each role's LM (DSPy copies an LM's callbacks into
its copies, so the rollouts an optimizer makes with ``lm.copy(...)`` still count) marks which role a call
belongs to and times it; DSPy's usage tracker (``settings.usage_tracker``, fed by every LM response that did not
come from the cache) adds the server's token counts to that role. The tracker is shared across DSPy's worker
threads (it is not copied per thread), so parallel evaluation counts too.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import dspy
from dspy.utils.callback import BaseCallback
from dspy.utils.usage_tracker import UsageTracker

from cdmbench.optimize.manifest import LMUsage

__all__ = ["UsageMeter", "metered"]

_ROLE: contextvars.ContextVar[str | None] = contextvars.ContextVar("cdmbench_lm_role", default=None)


class UsageMeter:
    """Counts per role; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.usage: dict[str, LMUsage] = {}
        self._started: dict[str, float] = {}

    def _of(self, role: str) -> LMUsage:
        return self.usage.setdefault(role, LMUsage())

    def start(self, call_id: str) -> None:
        with self._lock:
            self._started[call_id] = time.perf_counter()

    def end(self, role: str, call_id: str) -> None:
        with self._lock:
            usage = self._of(role)
            usage.calls += 1
            started = self._started.pop(call_id, None)
            if started is not None:
                usage.seconds = round(usage.seconds + time.perf_counter() - started, 3)

    def request(self, role: str, entry: Mapping[str, Any]) -> None:
        with self._lock:
            usage = self._of(role)
            usage.requests += 1
            usage.prompt_tokens += int(entry.get("prompt_tokens") or 0)
            usage.completion_tokens += int(entry.get("completion_tokens") or 0)

    def calls(self, role: str) -> int:
        """LM calls of ``role`` so far."""
        with self._lock:
            return self._of(role).calls if role in self.usage else 0

    def snapshot(self) -> dict[str, LMUsage]:
        """A copy of the counts by role."""
        with self._lock:
            return {role: usage.model_copy() for role, usage in self.usage.items()}


class _RoleCallback(BaseCallback):
    def __init__(self, role: str, meter: UsageMeter) -> None:
        self.role, self.meter = role, meter
        self._tokens: dict[str, contextvars.Token] = {}

    def on_lm_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        self._tokens[call_id] = _ROLE.set(self.role)
        self.meter.start(call_id)

    def on_lm_end(self, call_id: str, outputs: Any, exception: BaseException | None = None) -> None:
        token = self._tokens.pop(call_id, None)
        if token is not None:
            with contextlib.suppress(ValueError):  # reset from another context (async): leave it
                _ROLE.reset(token)
        self.meter.end(self.role, call_id)


class _RoleTracker(UsageTracker):
    """DSPy's usage tracker, adding each response's tokens to the role of the call in flight."""

    def __init__(self, meter: UsageMeter) -> None:
        super().__init__()
        self.meter = meter
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict) -> _RoleTracker:  # DSPy copies trackers per worker thread: share this one
        return self

    def add_usage(self, lm: str, usage_entry: dict[str, Any]) -> None:
        with self._lock:
            super().add_usage(lm, usage_entry)
        self.meter.request(_ROLE.get() or "task", usage_entry or {})


@contextlib.contextmanager
def metered(lms: Mapping[str, dspy.LM | None]) -> Iterator[UsageMeter]:
    """Count the calls of each role's LM inside the block (an LM shared by two roles counts for the first).

    Args:
        lms: LM by role, e.g. ``{"task": task_lm, "reflection": reflection_lm}``; None entries are skipped.
    """
    meter = UsageMeter()
    attached: list[tuple[dspy.LM, _RoleCallback]] = []
    seen: set[int] = set()
    for role, lm in lms.items():
        if lm is None or id(lm) in seen:
            continue
        seen.add(id(lm))
        callback = _RoleCallback(role, meter)
        lm.callbacks = [*getattr(lm, "callbacks", []), callback]
        attached.append((lm, callback))
    try:
        with dspy.context(usage_tracker=_RoleTracker(meter)):
            yield meter
    finally:
        for lm, callback in attached:
            lm.callbacks = [c for c in lm.callbacks if c is not callback]
