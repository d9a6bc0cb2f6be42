"""What kind of failure an exception from a program is: the model's output (``format_error``) or the LM (``lm_error``).

- ``format_error``: the model answered, but the answer cannot be used: DSPy's ``AdapterParseError`` (malformed,
  empty, a field missing, cut off at ``max_tokens``: see ``SchemaJSONAdapter``) or a value that fails validation;
- ``lm_error``: anything else on the way to an answer (the server unreachable, HTTP errors after retries,
  timeouts); ``retry_errors=true`` reruns such cases.

In DSPy 3.4.1 ``AdapterParseError`` does not derive from ``ValueError``, so stock ReAct does not catch it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dspy.utils.exceptions import AdapterParseError, LMError

__all__ = ["ERROR_KINDS", "FormatFailure", "failure_kind", "format_failure", "is_format_error"]

ERROR_KINDS: tuple[str, ...] = ("lm_error", "format_error")
"""The kinds of failed case (``error_kind`` of a predictions line)."""


@dataclass(frozen=True)
class FormatFailure:
    """An answer that could not be used: why (``truncated``, ``empty``, ``malformed``) and the raw text."""

    kind: Literal["truncated", "empty", "malformed"]
    raw: str | None = None

    @property
    def reason(self) -> str:
        """One line for a record: the kind, in words (never the raw text)."""
        return {
            "truncated": "the answer was cut off at max_tokens",
            "empty": "the answer was empty",
            "malformed": "the answer did not fit the output format",
        }[self.kind]


def is_format_error(exc: BaseException) -> bool:
    """True for an exception that means the model's answer could not be parsed or validated."""
    if isinstance(exc, LMError):
        return False
    return isinstance(exc, AdapterParseError | ValueError)


def format_failure(exc: BaseException) -> FormatFailure:
    """The ``FormatFailure`` an unparseable answer stands for (the raw text kept when DSPy had it)."""
    raw = getattr(exc, "lm_response", None)
    raw = raw if isinstance(raw, str) else None
    message = str(getattr(exc, "message", "") or exc)
    if "max_tokens" in message or "finish_reason 'length'" in message:
        return FormatFailure("truncated", raw)
    if not (raw or "").strip() or "empty or null" in message:
        return FormatFailure("empty", raw)
    return FormatFailure("malformed", raw)


def failure_kind(exc: BaseException) -> str:
    """``format_error`` or ``lm_error`` for an exception that ended a case (see the module docstring)."""
    return "format_error" if is_format_error(exc) else "lm_error"
