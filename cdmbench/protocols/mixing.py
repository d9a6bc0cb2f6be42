"""The protocol of a run directory, and the refusal to mix runs of different protocols.

A run records its protocol in ``manifest.json`` (``protocol``) and ``summary.json``; a run recorded before
protocols existed ran cdmbench's rules, so it reads as ``cdmbench``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from loguru import logger

from cdmbench.errors import ConfigError

__all__ = ["check_same_protocol", "run_protocol"]


def run_protocol(run_dir: Path | str) -> str:
    """The protocol recorded in ``<run_dir>/manifest.json`` (else ``summary.json``); ``cdmbench`` when neither says."""
    root = Path(run_dir)
    for name in ("manifest.json", "summary.json"):
        path = root / name
        try:
            recorded = json.loads(path.read_text(encoding="utf-8")).get("protocol")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(recorded, dict):
            recorded = recorded.get("name")
        if recorded:
            return str(recorded)
    return "cdmbench"


def check_same_protocol(run_dirs: Sequence[Path | str], allow_mixed: bool = False, what: str = "runs") -> str | None:
    """Refuse ``run_dirs`` of different protocols unless ``allow_mixed``; returns the common protocol (or None).

    Raises:
        ConfigError: the runs were made under different protocols and ``allow_mixed`` is false.
    """
    protocols = {str(d): run_protocol(d) for d in run_dirs}
    distinct = sorted(set(protocols.values()))
    if len(distinct) <= 1:
        return distinct[0] if distinct else None
    listed = ", ".join(f"{d} ({p})" for d, p in protocols.items())
    if not allow_mixed:
        raise ConfigError(
            f"the {what} were made under different protocols: {listed}. Their numbers are not comparable; "
            "use runs of one protocol, or pass allow_mixed_protocols=true to mix them anyway."
        )
    logger.warning("mixing protocols ({}) because allow_mixed_protocols=true: {}", ", ".join(distinct), listed)
    return None
