"""The modality of a case's first imaging request, from its predictions line or its scores line.

From a predictions line the first tool call named ``imaging`` decides; its request is normalized with the
shared vocabulary (``cdmbench.vocabulary.imaging.normalize_imaging_request`` when that function is present,
otherwise only canonical modality names are recognized). A scores line keeps valid and unnecessary requests in
two lists, so it yields the first valid request, or the first unnecessary one when none was valid.

Example:
    >>> first_imaging_from_answers([{"region": "Abdomen", "modality": "CT"}], [])
    'CT'
    >>> first_imaging_from_tool_calls([{"name": "physical_examination", "args": {}}])
    'none'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdmbench.vocabulary.imaging import MODALITIES

__all__ = ["NO_IMAGING", "OTHER_IMAGING", "first_imaging_from_answers", "first_imaging_from_tool_calls"]

NO_IMAGING = "none"
"""The first-imaging value of a case without any imaging request."""

OTHER_IMAGING = "other"
"""The first-imaging value of a request whose modality is not recognized."""

_CANONICAL = {m.lower(): m for m in MODALITIES}


def _canonical(modality: Any) -> str:
    if isinstance(modality, str):
        return _CANONICAL.get(modality.strip().lower(), OTHER_IMAGING)
    return OTHER_IMAGING


def _modality_of_request(request: Any) -> str:
    if isinstance(request, Mapping):
        return _canonical(request.get("modality"))
    return _canonical(request)


def first_imaging_from_answers(correct: Sequence[Any], unnecessary: Sequence[Any]) -> str:
    """The modality of the first valid imaging request in a scores line (else the first unnecessary one)."""
    for requests in (correct, unnecessary):
        if requests:
            return _modality_of_request(requests[0])
    return NO_IMAGING


def _normalizer():
    try:
        from cdmbench.vocabulary.imaging import normalize_imaging_request
    except ImportError:
        return None
    return normalize_imaging_request


def _normalized_modality(args: Mapping[str, Any]) -> str:
    direct = _canonical(args.get("modality"))
    if direct != OTHER_IMAGING:
        return direct
    normalize = _normalizer()
    if normalize is None:
        return OTHER_IMAGING
    try:
        result = normalize(**{k: v for k, v in args.items() if k in ("region", "modality")})
    except Exception:  # the normalizer rejects what it cannot read: the request has no known modality
        return OTHER_IMAGING
    modality = getattr(result, "modality", None)
    if modality is None and isinstance(result, Mapping):
        modality = result.get("modality")
    if modality is None and isinstance(result, tuple) and result:
        modality = result[0]
    return _canonical(modality)


def first_imaging_from_tool_calls(tool_calls: Sequence[Mapping[str, Any]]) -> str:
    """The normalized modality of the first ``imaging`` tool call, ``"other"`` if unreadable, ``"none"`` if absent."""
    for call in tool_calls:
        if isinstance(call, Mapping) and call.get("name") == "imaging":
            args = call.get("args") or {}
            return _normalized_modality(args if isinstance(args, Mapping) else {"modality": args})
    return NO_IMAGING
