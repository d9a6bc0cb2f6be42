"""The modality of a case's first imaging request, from its predictions line or its scores line.

From a predictions line the first tool call named ``imaging`` decides; its (region, modality) is normalized with
``normalize_imaging_request``, the function the imaging tool and the imaging scorer use. A scores line keeps
valid and unnecessary requests in two lists, so it yields the first valid request, or the first unnecessary one
when none was valid.

Example:
    >>> first_imaging_from_answers([{"region": "Abdomen", "modality": "CT"}], [])
    'CT'
    >>> first_imaging_from_tool_calls([{"name": "imaging", "args": {"region": "RUQ", "modality": "sonogram"}}])
    'Ultrasound'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdmbench.vocabulary.imaging import MODALITIES
from cdmbench.vocabulary.imaging_requests import normalize_imaging_request

__all__ = ["NO_IMAGING", "OTHER_IMAGING", "first_imaging_from_answers", "first_imaging_from_tool_calls"]

NO_IMAGING = "none"
"""The first-imaging value of a case without any imaging request."""

OTHER_IMAGING = "other"
"""The first-imaging value of a request whose modality is not recognized."""

IMAGING_TOOL = "imaging"


def _canonical(modality: Any) -> str:
    return modality if modality in MODALITIES else OTHER_IMAGING


def first_imaging_from_answers(correct: Sequence[Any], unnecessary: Sequence[Any]) -> str:
    """The modality of the first valid imaging request in a scores line (else the first unnecessary one)."""
    for requests in (correct, unnecessary):
        if requests:
            first = requests[0]
            return _canonical(first.get("modality") if isinstance(first, Mapping) else first)
    return NO_IMAGING


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def first_imaging_from_tool_calls(tool_calls: Sequence[Any]) -> str:
    """The normalized modality of the first ``imaging`` tool call; ``"other"`` if unreadable, ``"none"`` if absent."""
    for call in tool_calls:
        if isinstance(call, Mapping) and call.get("name") == IMAGING_TOOL:
            args = call.get("args")
            if not isinstance(args, Mapping):
                args = {"modality": args}
            request = normalize_imaging_request(_text(args.get("region")), _text(args.get("modality")))
            return _canonical(request.modality)
    return NO_IMAGING
