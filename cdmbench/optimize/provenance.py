"""Where a compiled program's demos come from: a bundle trained on credentialed data is credentialed.

Demos are cases (or parts of them) copied into ``program.json``; a bundle compiled on MIMIC-IV carries patient
text wherever it goes. ``manifest.json`` records the ``source`` of the train and dev data, and
``provenance_sha256`` binds those sources to the demos, so editing a source (or a demo) afterwards is caught
when the bundle is loaded. The data-use guard treats the evaluation as credentialed when the cases *or* the
bundle are.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

__all__ = ["bundle_data_source", "check_provenance", "provenance_hash"]


def provenance_hash(state: dict[str, Any], train_source: str | None, dev_source: str | None) -> str:
    """SHA-256 over the train and dev ``source`` marks and every predictor's demos (canonical JSON)."""
    demos = {
        name: value.get("demos", [])
        for name, value in sorted(state.items())
        if name != "metadata" and isinstance(value, dict)
    }
    canonical = json.dumps(
        {"train": train_source, "dev": dev_source, "demos": demos},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def check_provenance(bundle: Any) -> None:
    """Raise ``BundleError`` when the manifest's data sources or the demos changed after the bundle was written."""
    from cdmbench.optimize.errors import BundleError

    manifest = bundle.manifest
    if manifest.provenance_sha256 is None:  # written before provenance hashes: its sources are taken as written
        return
    if provenance_hash(bundle.state, manifest.train.source, manifest.dev.source) != manifest.provenance_sha256:
        raise BundleError(
            f"{bundle.source}: the train/dev source in manifest.json or the demos in program.json do not match "
            "the bundle's provenance hash (edited after it was written); use the bundle as `cdmbench optimize` "
            "wrote it."
        )


def bundle_data_source(source: str | Path) -> str | None:
    """``"synthetic"`` when the bundle's train and dev data were synthetic, else the credentialed source mark.

    Raises:
        BundleError: the bundle cannot be read, or its provenance was edited.
    """
    from cdmbench.optimize.bundle import read_bundle

    bundle = read_bundle(source)
    check_provenance(bundle)
    sources = [bundle.manifest.train.source, bundle.manifest.dev.source]
    if all(s == "synthetic" for s in sources):
        return "synthetic"
    return next((s for s in sources if s != "synthetic" and s), "credentialed (unmarked)")
