"""Protocols: ``cdmv1`` reproduces CDMv1's environment and parsing, ``cdmbench`` (the default) is ours.

The protocol is one object (``Protocol``), chosen once from the config (``protocol=cdmv1|cdmbench``, the Hydra
group ``configs/protocol/``) and handed to the environment, the agent and the scorers. Each run records its
protocol in ``manifest.json`` and ``summary.json``; ``compare``, ``plot`` and ``merge`` refuse runs of different
protocols unless ``allow_mixed_protocols=true``. Every difference is listed in ``docs/protocols.md``.

Public API: ``Protocol``, ``PROTOCOLS``, ``DEFAULT_PROTOCOL``, ``CDMV1``, ``CDMBENCH``, ``get_protocol``,
``protocol_from_config``, ``run_protocol``, ``check_same_protocol``.

Example:
    >>> get_protocol("cdmv1").lab_reference_ranges
    False
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

from cdmbench.errors import UnknownNameError
from cdmbench.protocols.base import Protocol
from cdmbench.protocols.definitions import CDMBENCH, CDMV1
from cdmbench.protocols.mixing import check_same_protocol, run_protocol

__all__ = [
    "CDMBENCH",
    "CDMV1",
    "DEFAULT_PROTOCOL",
    "PROTOCOLS",
    "Protocol",
    "check_same_protocol",
    "get_protocol",
    "protocol_from_config",
    "run_protocol",
]

DEFAULT_PROTOCOL = "cdmbench"
"""The protocol of a run that names none (also of runs recorded before protocols existed)."""

PROTOCOLS: MappingProxyType[str, Protocol] = MappingProxyType({p.name: p for p in (CDMBENCH, CDMV1)})
"""Name -> protocol."""


def get_protocol(protocol: str | Protocol | None = None) -> Protocol:
    """The protocol named ``protocol`` (a ``Protocol`` is returned as is; None gives the default).

    Raises:
        UnknownNameError: not ``cdmv1`` or ``cdmbench``.
    """
    if isinstance(protocol, Protocol):
        return protocol
    name = DEFAULT_PROTOCOL if protocol in (None, "") else str(protocol)
    if name not in PROTOCOLS:
        raise UnknownNameError("protocol", name, list(PROTOCOLS), "Choose it with protocol=cdmv1 or protocol=cdmbench.")
    return PROTOCOLS[name]


def protocol_from_config(cfg: Any) -> Protocol:
    """The protocol a command's config chooses (``cfg.protocol.name``, with ``cfg.protocol.lab_items``; a bare
    string works too)."""
    chosen = cfg.get("protocol") if hasattr(cfg, "get") else None
    lab_items = None
    if chosen is not None and hasattr(chosen, "get"):
        chosen, lab_items = chosen.get("name"), chosen.get("lab_items")
    protocol = get_protocol(chosen)
    return replace(protocol, lab_items=str(lab_items)) if lab_items else protocol
