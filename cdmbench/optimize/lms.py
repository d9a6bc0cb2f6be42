"""The LMs of an optimization: the task LM and, where the optimizer uses one, a separate prompt or reflection LM.

The extra LM sessions are opened first and the task LM's last, so inside the block the task LM is DSPy's
current LM (``lm_session`` sets it with ``dspy.context``); the prompt and reflection LMs are passed to the
optimizer explicitly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cdmbench.lm import LMSession, LMSettings, lm_session
from cdmbench.optimize.manifest import LMInfo

__all__ = ["OptimizationLMs", "lm_info", "optimization_lms"]


@dataclass
class OptimizationLMs:
    """The open LM sessions: ``task`` always, ``extra`` by role ('prompt', 'reflection')."""

    task: LMSession
    extra: dict[str, LMSession] = field(default_factory=dict)

    def lm(self, role: str) -> Any:
        """The LM of ``role``; the task LM when that role has no LM of its own."""
        return (self.extra.get(role) or self.task).lm

    def describe(self) -> dict[str, LMInfo]:
        """``LMInfo`` of the task LM and of each extra LM (names and host only)."""
        return {"task": lm_info(self.task.description), **{r: lm_info(s.description) for r, s in self.extra.items()}}


def lm_info(description: Mapping[str, Any]) -> LMInfo:
    """The manifest's view of an LM session description: names, host and port, generation settings."""
    host = None
    if description.get("api_base"):
        parts = urlsplit(str(description["api_base"]))
        host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
    return LMInfo(
        kind=description.get("kind"),
        model=description.get("model"),
        served_name=description.get("served_name"),
        preset=description.get("preset"),
        api_host=host,
        temperature=description.get("temperature"),
        max_tokens=description.get("max_tokens"),
    )


@contextlib.contextmanager
def optimization_lms(
    task: LMSettings, extra: Mapping[str, LMSettings | None], data_source: str | None
) -> Iterator[OptimizationLMs]:
    """Open the extra LM sessions (roles whose settings are not None), then the task LM's.

    Args:
        task: the task LM's settings.
        extra: settings by role; None means "use the task LM".
        data_source: the training data's ``source`` (credentialed data only goes to local endpoints).
    """
    with contextlib.ExitStack() as stack:
        sessions = {
            role: stack.enter_context(lm_session(settings, data_source))
            for role, settings in extra.items()
            if settings is not None
        }
        task_session = stack.enter_context(lm_session(task, data_source))
        yield OptimizationLMs(task=task_session, extra=sessions)
