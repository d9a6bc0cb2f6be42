"""``cdmbench export``: pack a compiled-program bundle into a reproducible ``.tar.gz``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from loguru import logger
from omegaconf import DictConfig

from cdmbench.errors import ConfigError
from cdmbench.io import sha256_file
from cdmbench.optimize.archive import pack_files
from cdmbench.optimize.bundle import BUNDLE_FILES, read_bundle
from cdmbench.optimize.errors import BundleError

__all__ = ["export_bundle", "run"]


def export_bundle(source: str | Path, out: str | Path, allow_credentialed: bool = False) -> Path:
    """Check the bundle directory ``source`` and pack its program.json and manifest.json into ``out``.

    The archive is byte-for-byte reproducible (sorted names, fixed times and owners). A bundle whose
    training or dev data is not synthetic may carry patient text in its demos and is refused unless
    ``allow_credentialed``.

    Raises:
        BundleError: not a bundle directory, program.json modified, or credentialed data not allowed.
        ConfigError: ``out`` does not end in .tar.gz or .tgz.
    """
    source, out = Path(source), Path(out)
    if not source.is_dir():
        raise BundleError(f"export source={source} is not a bundle directory (outputs/<run> of `cdmbench optimize`).")
    if not out.name.endswith((".tar.gz", ".tgz")):
        raise ConfigError(f"export out={out}: name the archive *.tar.gz (e.g. out=bundles/my-program.tar.gz).")
    bundle = read_bundle(source)
    manifest = bundle.manifest
    if hashlib.sha256(bundle.program_bytes).hexdigest() != manifest.program_sha256:
        raise BundleError(f"{source}: program.json was modified after it was written; re-run `cdmbench optimize`.")
    credentialed = [
        d.file or role for role, d in (("train", manifest.train), ("dev", manifest.dev)) if d.source != "synthetic"
    ]
    if credentialed and not allow_credentialed:
        raise BundleError(
            f"{source} was optimized on credentialed data ({', '.join(map(str, credentialed))}); its demos may hold "
            "patient text that must not leave your approved environment. Export only bundles trained on "
            "synthetic data, or pass allow_credentialed=true if your data use agreement permits it."
        )
    pack_files(source, BUNDLE_FILES, out)
    logger.info("exported {} ({}) to {} (sha256 {})", manifest.program, manifest.optimizer.name, out, sha256_file(out))
    return out


def run(cfg: DictConfig) -> int:
    """Pack ``cfg.source`` into ``cfg.out``."""
    export_bundle(str(cfg.source), str(cfg.out), bool(cfg.get("allow_credentialed", False)))
    return 0
