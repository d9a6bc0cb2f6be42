"""Compiled-program bundles: ``program.json`` (DSPy JSON state) + ``manifest.json`` (``BundleManifest``).

A bundle is a directory (an optimize run directory is one) or a ``.tar.gz`` made by ``cdmbench export``.
Loading reads JSON only (never pickle) into the registered program, after checking that the bundle is of
that program and of the protocol it is used under (``bundle_use``), that its signatures are the ones the
program has now (``compat``: the signatures cdmbench declares), that program.json is the file the manifest
describes, and that DSPy's version is compatible (same major; a newer minor loads with a warning).

Example:
    >>> program = load_bundle("outputs/opt-run", "cdm_agent", {"max_iters": 10})
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import dspy
from loguru import logger
from pydantic import ValidationError

from cdmbench.cases import Case
from cdmbench.io import atomic_write_text
from cdmbench.optimize.archive import is_archive, read_archive
from cdmbench.optimize.bundle_use import check_bundle_protocol, program_protocol, warn_option_differences
from cdmbench.optimize.compat import SIGNATURE_SCHEME, check_dspy_version, signature_hashes
from cdmbench.optimize.errors import BundleError
from cdmbench.optimize.fingerprint import state_hash
from cdmbench.optimize.manifest import BUNDLE_FORMAT_VERSION, BundleManifest, PredictorInfo
from cdmbench.optimize.program_state import program_state
from cdmbench.optimize.provenance import check_provenance, provenance_hash
from cdmbench.protocols import Protocol

__all__ = [
    "BUNDLE_FILES",
    "MANIFEST_FILE",
    "PROGRAM_FILE",
    "Bundle",
    "apply_bundle",
    "check_bundle",
    "load_bundle",
    "read_bundle",
    "save_bundle",
]

PROGRAM_FILE = "program.json"
MANIFEST_FILE = "manifest.json"
BUNDLE_FILES = (MANIFEST_FILE, PROGRAM_FILE)
_MIN_SECRET_CHARS = 6


@dataclass(frozen=True)
class Bundle:
    """A bundle read into memory."""

    manifest: BundleManifest
    """The parsed manifest.json."""
    state: dict[str, Any]
    """The parsed program.json (predictor states plus ``metadata``)."""
    program_bytes: bytes
    """program.json's bytes (for the SHA-256 check)."""
    source: str
    """Where it was read from."""


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def save_bundle(
    directory: str | Path,
    program: dspy.Module,
    reference: dspy.Module,
    *,
    program_name: str,
    program_options: Mapping[str, Any],
    secrets: Iterable[str] = (),
    **details: Any,
) -> BundleManifest:
    """Write ``program.json`` and ``manifest.json`` of a compiled program into ``directory``.

    Args:
        directory: the bundle directory (created if needed; other files in it are left alone).
        program: the compiled program.
        reference: the same program as registered, uncompiled (its signatures are the ones hashed).
        program_name: the registered program name.
        program_options: the options the program was built with (JSON-serializable).
        secrets: values that must not appear in the bundle (e.g. API keys from the environment).
        **details: the remaining ``BundleManifest`` fields (optimizer, protocol, metric, train, dev,
            dev_score_before, dev_score_after, lms, git_commit).

    Returns:
        The manifest written.

    Raises:
        BundleError: a secret would be written, or the details do not make a valid manifest.
    """
    directory = Path(directory)
    state = program_state(program)
    program_text = _dump(state)
    reference_hashes = signature_hashes(reference, SIGNATURE_SCHEME)
    base = dict(reference.named_predictors())
    predictors = {}
    for name, predictor in program.named_predictors():
        if name not in reference_hashes:
            raise BundleError(f"the compiled program has a predictor {name!r} that the registered program lacks.")
        predictors[name] = PredictorInfo(
            signature_sha256=reference_hashes[name],
            state_sha256=state_hash(state[name]),
            n_demos=len(predictor.demos),
            instructions_changed=predictor.signature.instructions != base[name].signature.instructions,
        )
    try:
        manifest = BundleManifest(
            program=program_name,
            program_class=f"{type(program).__module__}.{type(program).__qualname__}",
            program_options=dict(program_options),
            predictors=predictors,
            program_sha256=hashlib.sha256(program_text.encode("utf-8")).hexdigest(),
            dspy_version=version("dspy"),
            signature_scheme=SIGNATURE_SCHEME,
            cdmbench_version=version("cdmbench"),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            **details,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BundleError(f"cannot describe the bundle: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    provenance = provenance_hash(state, manifest.train.source, manifest.dev.source)
    manifest = manifest.model_copy(update={"provenance_sha256": provenance})
    manifest_text = _dump(manifest.model_dump(mode="json"))
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET_CHARS and (secret in program_text or secret in manifest_text):
            raise BundleError(
                "refusing to write the bundle: it would contain the value of a secret environment variable "
                "(an API key or token). Remove the secret from the demos, instructions or settings and rerun."
            )
    atomic_write_text(directory / PROGRAM_FILE, program_text)
    atomic_write_text(directory / MANIFEST_FILE, manifest_text)
    return manifest


def _read_files(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        missing = [name for name in BUNDLE_FILES if not (path / name).is_file()]
        if missing:
            raise BundleError(
                f"{path} is not a compiled-program bundle: it lacks {', '.join(missing)}. Point program.compiled= "
                "at the directory `cdmbench optimize` wrote (outputs/<run>) or at its .tar.gz export."
            )
        return {name: (path / name).read_bytes() for name in BUNDLE_FILES}
    if path.is_file() and is_archive(path):
        return read_archive(path, BUNDLE_FILES)
    raise BundleError(
        f"no compiled-program bundle at {path}: give the directory `cdmbench optimize` wrote (outputs/<run>) "
        "or a .tar.gz from `cdmbench export`."
    )


def read_bundle(source: str | Path) -> Bundle:
    """Read a bundle directory or archive into memory (JSON only; nothing is unpickled or executed).

    Raises:
        BundleError: missing files, invalid JSON, an invalid or newer manifest.
    """
    path = Path(source).expanduser()
    files = _read_files(path)
    try:
        raw_manifest = json.loads(files[MANIFEST_FILE].decode("utf-8"))
        state = json.loads(files[PROGRAM_FILE].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{path}: a bundle file is not valid JSON ({exc}); export or optimize it again.") from None
    if not isinstance(state, dict):
        raise BundleError(f"{path}: program.json is not a DSPy program state (a JSON object).")
    if isinstance(raw_manifest, dict) and int(raw_manifest.get("format_version", 1)) > BUNDLE_FORMAT_VERSION:
        raise BundleError(
            f"{path}: bundle format {raw_manifest['format_version']} is newer than this cdmbench reads "
            f"({BUNDLE_FORMAT_VERSION}); upgrade cdmbench."
        )
    try:
        manifest = BundleManifest.model_validate(raw_manifest)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "(top level)"
        raise BundleError(f"{path}: manifest.json is not a bundle manifest: field {where}: {first['msg']}.") from None
    return Bundle(manifest=manifest, state=state, program_bytes=files[PROGRAM_FILE], source=str(path))


def check_bundle(
    bundle: Bundle,
    program_name: str,
    program: dspy.Module,
    protocol: str | None = None,
    allow_mixed_protocols: bool = False,
) -> None:
    """Check that ``bundle`` can be loaded into ``program`` (registered as ``program_name``, uncompiled), used
    under ``protocol`` (None: not known, not checked).

    Raises:
        BundleError: another program, another protocol (unless ``allow_mixed_protocols``), another DSPy major (or
            a newer one), program.json edited, a predictor or signature that differs from the registered program's.
    """
    manifest, where = bundle.manifest, bundle.source
    if manifest.program != program_name:
        raise BundleError(
            f"{where} holds a compiled {manifest.program!r} program, not {program_name!r}; use "
            f"program={manifest.program} with it, or a bundle compiled for {program_name!r}."
        )
    # before the signatures: a protocol can change them (cdmv1 names tools in free text)
    check_bundle_protocol(manifest.protocol, where, protocol, allow_mixed_protocols)
    check_dspy_version(manifest.dspy_version, where)
    if hashlib.sha256(bundle.program_bytes).hexdigest() != manifest.program_sha256:
        raise BundleError(
            f"{where}: program.json does not match the SHA-256 in manifest.json (the file was edited or "
            "damaged after it was written); use the bundle as `cdmbench optimize` wrote it."
        )
    current = signature_hashes(program, manifest.signature_scheme)
    saved_names = set(bundle.state) - {"metadata"}
    if set(current) != set(manifest.predictors) or set(current) != saved_names:
        raise BundleError(
            f"{where}: its predictors ({', '.join(sorted(manifest.predictors))}) are not those of program "
            f"{program_name!r} now ({', '.join(sorted(current))}); re-run `cdmbench optimize`."
        )
    for name, info in manifest.predictors.items():
        if info.signature_sha256 != current[name]:
            raise BundleError(
                f"{where}: the signature of predictor {name!r} is not the one the bundle was compiled for (the "
                "program's signatures changed since, or manifest.json was edited); re-run `cdmbench optimize`."
            )
        if state_hash(bundle.state[name]) != info.state_sha256:
            raise BundleError(
                f"{where}: the saved state of predictor {name!r} does not match manifest.json; the bundle was "
                "tampered with. Use the bundle as `cdmbench optimize` wrote it."
            )
    check_provenance(bundle)


def apply_bundle(
    program: dspy.Module,
    source: str | Path | Bundle,
    program_name: str,
    program_options: Mapping[str, Any] | None = None,
    protocol: str | Protocol | None = None,
    allow_mixed_protocols: bool = False,
) -> dspy.Module:
    """Load a bundle's instructions and demos into ``program`` (a fresh registered program), after the checks.

    Args:
        program: the uncompiled program, e.g. from ``get_program``/``build_program``.
        source: a bundle directory, a ``.tar.gz`` export, or a ``Bundle`` already read.
        program_name: the name ``program`` is registered under.
        program_options: the options ``program`` was built with (a difference from the bundle's is logged).
        protocol: the protocol the program is used under (default: its ``protocol`` option or attribute); a
            bundle optimized under another one is refused.
        allow_mixed_protocols: load a bundle of another protocol anyway (with a warning).

    Returns:
        ``program``, with the compiled state.

    Raises:
        BundleError: see ``read_bundle`` and ``check_bundle``.
    """
    bundle = source if isinstance(source, Bundle) else read_bundle(source)
    used_under = program_protocol(program, program_options, protocol)
    check_bundle(bundle, program_name, program, used_under, allow_mixed_protocols)
    if program_options is not None:
        warn_option_differences(program_options, bundle.manifest.program_options)
    state = {name: value for name, value in bundle.state.items() if name != "metadata"}
    try:
        program.load_state(state)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BundleError(f"{bundle.source}: program.json does not load into {program_name!r}: {exc}") from None
    logger.info(
        "loaded compiled {} from {} (optimizer {}, protocol {}, dev score {:.3f} -> {:.3f})",
        program_name,
        bundle.source,
        bundle.manifest.optimizer.name,
        bundle.manifest.protocol,
        bundle.manifest.dev_score_before.mean,
        bundle.manifest.dev_score_after.mean,
    )
    return program


def load_bundle(
    source: str | Path,
    program_name: str,
    program_options: Mapping[str, Any] | None = None,
    cases: Sequence[Case] = (),
    protocol: str | Protocol | None = None,
    allow_mixed_protocols: bool = False,
) -> dspy.Module:
    """Build the registered program ``program_name`` with its options and load a bundle into it.

    Args:
        source: a bundle directory or a ``.tar.gz`` export.
        program_name: the registered program name (must be the bundle's).
        program_options: the program's options (default: the ones the bundle was compiled with).
        cases: cases whose lab labels extend the lab dictionary (programs with lab tools).
        protocol: the protocol to use it under (default: the one it was optimized under).
        allow_mixed_protocols: load it under another protocol than its own anyway.

    Raises:
        BundleError: the bundle cannot be read or does not fit the program.
    """
    from cdmbench.programs import build_program

    bundle = read_bundle(source)
    options = dict(bundle.manifest.program_options if program_options is None else program_options)
    options.pop("compiled", None)
    used_under = bundle.manifest.protocol if protocol is None else protocol
    program = build_program({"name": program_name, **options}, cases=cases, protocol=used_under)
    return apply_bundle(program, bundle, program_name, options, used_under, allow_mixed_protocols)
