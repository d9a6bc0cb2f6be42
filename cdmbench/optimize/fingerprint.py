"""Stable SHA-256 fingerprints of a program's signatures and of its saved state.

``signature_hash`` covers what a bundle's state silently relies on when it is loaded into a program: the
instructions and, per field in order, its name, role (input/output), type, description and prefix. DSPy's
saved state keeps only instructions, prefixes and descriptions, matched to fields by position, so a field
added, removed, renamed or retyped since the bundle was made would load misaligned; the hash catches it.
"""

from __future__ import annotations

import hashlib
import json
import typing
from typing import Any

import dspy

__all__ = ["canonical_json", "predictor_hashes", "sha256_text", "signature_fingerprint", "signature_hash", "state_hash"]


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _type_name(annotation: Any) -> str:
    if annotation is None:
        return "None"
    if isinstance(annotation, type) and typing.get_origin(annotation) is None:
        module = annotation.__module__
        return annotation.__qualname__ if module == "builtins" else f"{module}.{annotation.__qualname__}"
    return str(annotation).replace("typing.", "")


def signature_fingerprint(signature: type[dspy.Signature]) -> dict[str, Any]:
    """The parts of a signature its hash covers: instructions and each field's name, role, type, desc, prefix."""
    fields = []
    for name, info in signature.fields.items():
        extra = info.json_schema_extra or {}
        fields.append(
            {
                "name": name,
                "role": extra.get("__dspy_field_type"),
                "type": _type_name(info.annotation),
                "desc": extra.get("desc"),
                "prefix": extra.get("prefix"),
            }
        )
    return {"instructions": signature.instructions, "fields": fields}


def signature_hash(signature: type[dspy.Signature]) -> str:
    """SHA-256 of ``signature_fingerprint(signature)`` as canonical JSON."""
    return sha256_text(canonical_json(signature_fingerprint(signature)))


def predictor_hashes(program: dspy.Module) -> dict[str, str]:
    """``signature_hash`` of each named predictor of ``program`` (names as in its saved state)."""
    return {name: signature_hash(predictor.signature) for name, predictor in program.named_predictors()}


def state_hash(predictor_state: dict[str, Any]) -> str:
    """SHA-256 of one predictor's saved state: its signature state (instructions, fields) and its demos."""
    return sha256_text(
        canonical_json({"signature": predictor_state.get("signature"), "demos": predictor_state.get("demos", [])})
    )
