"""Whether a bundle still fits: DSPy version rules, and a signature hash over what cdmbench declares.

DSPy keeps saved state loadable across a major version, so a bundle loads under the same DSPy major and the same
or a newer minor (a newer minor with a warning naming both versions); another major, or a bundle from a newer
DSPy than the installed one, is refused.

The compatibility hash (scheme ``declared-v2``) covers, per predictor, only the signature cdmbench declares
(``cdmbench.signatures``): its instructions and its fields' names, roles and types. Text DSPy generates around
it (ReAct's agent instructions and trajectory fields, ChainOfThought's reasoning field) is left out, so a DSPy
wording change does not orphan bundles. A predictor's declared signature is its own when cdmbench declared it,
else the nearest enclosing module's (``ReAct.signature``), else the declared signature whose instructions and
fields it extends (``ChainOfThought``). Bundles written before this scheme (``full-v1``: every field's desc
and prefix, generated text included) are checked with the hash they were written with.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import dspy
from loguru import logger

from cdmbench.optimize.errors import BundleError
from cdmbench.optimize.fingerprint import _type_name, canonical_json, predictor_hashes, sha256_text

__all__ = ["SIGNATURE_SCHEME", "check_dspy_version", "declared_hashes", "declared_signature", "signature_hashes"]

SIGNATURE_SCHEME = "declared-v2"
"""The signature hash scheme new bundles are written with."""
LEGACY_SCHEME = "full-v1"


def _declared(signature: Any) -> bool:
    return isinstance(signature, type) and str(getattr(signature, "__module__", "")).startswith("cdmbench.")


def _declared_classes() -> list[type[dspy.Signature]]:
    import cdmbench.signatures as signatures

    return [getattr(signatures, name) for name in signatures.__all__]


def declared_signature(program: dspy.Module, name: str) -> type[dspy.Signature] | None:
    """The cdmbench-declared signature behind predictor ``name`` of ``program`` (None if none is found)."""
    modules = {key.removeprefix("self."): module for key, module in program.named_sub_modules()}
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        signature = getattr(modules.get(".".join(parts[:end])), "signature", None)
        if _declared(signature):
            return signature
    predictor = modules.get(name)
    if predictor is None:
        return None
    fields, instructions = set(predictor.signature.fields), predictor.signature.instructions
    for candidate in _declared_classes():
        if candidate.instructions == instructions and set(candidate.fields) <= fields:
            return candidate
    return None


def _declared_hash(signature: type[dspy.Signature]) -> str:
    fields = [
        {"name": n, "role": (f.json_schema_extra or {}).get("__dspy_field_type"), "type": _type_name(f.annotation)}
        for n, f in signature.fields.items()
    ]
    return sha256_text(canonical_json({"instructions": signature.instructions, "fields": fields}))


def declared_hashes(program: dspy.Module) -> dict[str, str]:
    """Per predictor, the hash of its declared signature (its full signature where none is declared)."""
    full = predictor_hashes(program)
    hashes = {}
    for name, _ in program.named_predictors():
        signature = declared_signature(program, name)
        hashes[name] = _declared_hash(signature) if signature is not None else full[name]
    return hashes


def signature_hashes(program: dspy.Module, scheme: str) -> dict[str, str]:
    """The predictor hashes of ``program`` under ``scheme`` (``declared-v2`` or the legacy ``full-v1``)."""
    if scheme == SIGNATURE_SCHEME:
        return declared_hashes(program)
    if scheme == LEGACY_SCHEME:
        return predictor_hashes(program)
    raise BundleError(f"unknown signature hash scheme {scheme!r}; upgrade cdmbench.")


def _major_minor(text: str) -> tuple[int, int]:
    parts = [*text.split("."), "0", "0"][:2]
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except ValueError:
        return -1, -1


def check_dspy_version(bundle_version: str, where: str) -> None:
    """Refuse another DSPy major or a newer DSPy than installed; warn on an older minor of the same major.

    Raises:
        BundleError: naming both versions.
    """
    installed = version("dspy")
    (b_major, b_minor), (i_major, i_minor) = _major_minor(bundle_version), _major_minor(installed)
    if b_major != i_major or b_minor > i_minor:
        raise BundleError(
            f"{where} was compiled with dspy {bundle_version}, but dspy {installed} is installed; saved state "
            "loads only under the same major version and the same or a newer minor. Install a matching DSPy or "
            "re-run `cdmbench optimize`."
        )
    if b_minor < i_minor:
        logger.warning(
            "{} was compiled with dspy {} and loads under dspy {} (same major, newer minor): check its scores",
            where,
            bundle_version,
            installed,
        )
