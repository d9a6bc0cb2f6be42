"""How a bundle is used against how it was compiled: its protocol (refused when another) and the program options.

``cdmbench optimize protocol=cdmv1`` runs the program in CDMv1's environment and scores it by CDMv1's rules, so
its demos and instructions were chosen for that protocol; the manifest records it (``protocol``). Loading the
bundle into a program built for another protocol is refused, as ``compare``, ``plot`` and ``merge`` refuse to
mix runs of different protocols, unless ``allow_mixed_protocols`` (then a warning says so). Program options that
differ from the compiled ones are only logged (e.g. a larger ``max_iters``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loguru import logger

from cdmbench.optimize.errors import BundleError
from cdmbench.protocols import Protocol, get_protocol

__all__ = ["check_bundle_protocol", "program_protocol", "warn_option_differences"]


def program_protocol(
    program: Any, program_options: Mapping[str, Any] | None = None, protocol: str | Protocol | None = None
) -> str | None:
    """The protocol a program is used under: ``protocol`` if given, else the ``protocol`` option it was built with
    (None there: the default), else its ``protocol`` attribute; None when nothing tells (a program without one)."""
    if protocol is not None:
        return get_protocol(protocol).name
    if program_options is not None and "protocol" in program_options:
        return get_protocol(program_options["protocol"]).name
    own = getattr(program, "protocol", None)
    return own.name if isinstance(own, Protocol) else None


def check_bundle_protocol(
    bundle_protocol: str, where: str, protocol: str | None, allow_mixed_protocols: bool = False
) -> None:
    """Refuse a bundle optimized under ``bundle_protocol`` for use under ``protocol`` (None: not known, no check).

    Raises:
        BundleError: the protocols differ and ``allow_mixed_protocols`` is false.
    """
    if protocol is None or protocol == bundle_protocol:
        return
    if allow_mixed_protocols:
        logger.warning(
            "{} was optimized under protocol={} but is used under protocol={} (allow_mixed_protocols=true): its demos "
            "and instructions were chosen for the other protocol's environment and scoring",
            where,
            bundle_protocol,
            protocol,
        )
        return
    raise BundleError(
        f"{where} was optimized under protocol={bundle_protocol}, not protocol={protocol}: its demos and instructions "
        f"were chosen for the other protocol's environment and scoring. Evaluate it with protocol={bundle_protocol}, "
        f"re-run `cdmbench optimize protocol={protocol}` for a bundle of protocol {protocol}, or load it anyway with "
        "allow_mixed_protocols=true."
    )


def warn_option_differences(options: Mapping[str, Any], compiled: Mapping[str, Any]) -> None:
    """Log the program options that differ from those the bundle was compiled with (built objects are skipped)."""
    given = {k: v for k, v in options.items() if k not in ("dictionary", "compiled", "protocol")}
    differing = sorted(k for k in given if k in compiled and given[k] != compiled[k])
    if differing:
        logger.warning(
            "program options differ from those the bundle was compiled with: {}",
            ", ".join(f"{k}={given[k]!r} (compiled with {compiled[k]!r})" for k in differing),
        )
