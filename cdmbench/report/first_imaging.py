"""The modality of a case's first imaging request, from its predictions line or its scores line.

Requests are read under the run's protocol (``cdmv1`` or ``cdmbench``, ``cdmbench.protocols.run_protocol``), as
its imaging tool and its scorer read them: the tool names with the protocol's ``resolve_call`` (CDMv1 names tools
in free text), the (region, modality) with its ``normalize_imaging``. A request the protocol does not understand
(no modality or no region in its vocabulary: CDMv1 has no region word for "RUQ") is ``"other"``, as is a
modality the figure does not show. From a predictions line the first imaging call decides. A scores line keeps
valid and unnecessary requests in two lists, so it yields the first valid request, or the first unnecessary one
(re-read under the protocol: an invalid request is stored as asked) when none was valid.

Example:
    >>> first_imaging_from_answers([{"region": "Abdomen", "modality": "CT"}], [])
    'CT'
    >>> calls = [{"name": "imaging", "args": {"region": "RUQ", "modality": "ultrasound"}}]
    >>> first_imaging_from_tool_calls(calls), first_imaging_from_tool_calls(calls, "cdmv1")
    ('Ultrasound', 'other')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdmbench.protocols import Protocol, get_protocol
from cdmbench.vocabulary.imaging import MODALITIES

__all__ = ["NO_IMAGING", "OTHER_IMAGING", "first_imaging_from_answers", "first_imaging_from_tool_calls"]

NO_IMAGING = "none"
"""The first-imaging value of a case without any imaging request."""

OTHER_IMAGING = "other"
"""The first-imaging value of a request the protocol does not understand, or of a modality the figure lacks."""

IMAGING_TOOL = "imaging"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def _modality(region: Any, modality: Any, protocol: Protocol) -> str:
    """The figure's value of one request read under ``protocol``."""
    request = protocol.normalize_imaging(_text(region), _text(modality))
    if not request.valid or request.modality not in MODALITIES:
        return OTHER_IMAGING
    return str(request.modality)


def first_imaging_from_answers(
    correct: Sequence[Any], unnecessary: Sequence[Any], protocol: str | Protocol | None = None
) -> str:
    """The modality of the first valid imaging request in a scores line (else the first unnecessary one)."""
    if correct:  # valid by construction: the scorer stored the protocol's own names
        first = correct[0]
        modality = first.get("modality") if isinstance(first, Mapping) else first
        return str(modality) if modality in MODALITIES else OTHER_IMAGING
    if unnecessary:
        first = unnecessary[0]
        if isinstance(first, Mapping):
            return _modality(first.get("region"), first.get("modality"), get_protocol(protocol))
        return str(first) if first in MODALITIES else OTHER_IMAGING
    return NO_IMAGING


def first_imaging_from_tool_calls(tool_calls: Sequence[Any], protocol: str | Protocol | None = None) -> str:
    """The modality of the first imaging call read under ``protocol`` (default ``cdmbench``); ``"other"`` if the
    protocol does not understand it, ``"none"`` if there is no imaging call."""
    chosen = get_protocol(protocol)
    for call in tool_calls:
        if not isinstance(call, Mapping) or call.get("name") is None:
            continue
        args = call.get("args")
        if not isinstance(args, Mapping):
            args = {"modality": args}
        tool, args = chosen.resolve_call(str(call["name"]), args)
        if tool == IMAGING_TOOL:
            return _modality(args.get("region"), args.get("modality"), chosen)
    return NO_IMAGING
