"""``cdmbench split cases=FILE out=DIR seed=0``: write the split files and their manifest, all or nothing."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from loguru import logger
from omegaconf import DictConfig
from pydantic import ValidationError

from cdmbench.cases import dump_cases, load_cases_file
from cdmbench.data_export.splits._assign import SplitResult, SplitSettings, split_cases
from cdmbench.data_export.splits._manifest import MANIFEST_FILE, SplitManifest, build_manifest
from cdmbench.errors import ConfigError, OutputError
from cdmbench.io import ensure_dir, sha256_file

__all__ = ["run", "write_splits"]


def write_splits(out_dir: str | Path, result: SplitResult, manifest: SplitManifest) -> list[Path]:
    """Write ``<split>.json`` for every split and ``splits.json``; all files or none.

    Every file is first written to a temporary file in ``out_dir``; only when all are written are they
    renamed into place (the manifest last). On any failure the temporary files are removed and the
    previous files, if any, stay as they were.

    Returns:
        The written paths, manifest last.
    """
    out = ensure_dir(Path(out_dir))
    texts = {info.file: dump_cases(result.splits()[name], manifest.source) for name, info in manifest.splits.items()}
    texts[MANIFEST_FILE] = manifest.model_dump_json(indent=1) + "\n"
    staged: list[tuple[Path, Path]] = []
    try:
        for name, text in texts.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            staged.append((Path(tmp), out / name))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, final in staged:
            os.replace(tmp, final)
    except OSError as exc:
        raise OutputError(f"cannot write the splits to {str(out)!r}: {exc.strerror or exc}.") from None
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
    return [final for _, final in staged]


def _settings(cfg: DictConfig) -> SplitSettings:
    keys = SplitSettings.model_fields
    try:
        return SplitSettings(**{k: cfg[k] for k in keys if cfg.get(k) is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "train_fraction/dev_fraction"
        raise ConfigError(
            f"split setting {key}: {first['msg']}; fix it in configs/split.yaml or as {key}=..."
        ) from None


def run(cfg: DictConfig) -> int:
    """Split ``cfg.cases`` into ``cfg.out``/{train,dev,test,reader_study}.json plus ``splits.json``."""
    if not cfg.get("cases") or not cfg.get("out"):
        raise ConfigError("split needs cases=FILE (a cases file) and out=DIR (where the splits go).")
    try:
        seed = int(cfg.get("seed", 0))
    except (TypeError, ValueError):
        raise ConfigError(f"seed must be an integer, got {cfg.get('seed')!r}; e.g. seed=0.") from None
    settings = _settings(cfg)
    cases_path = Path(str(cfg.cases))
    cases_file = load_cases_file(cases_path)
    result = split_cases(cases_file.cases, seed=seed, settings=settings)
    manifest = build_manifest(result, cases_path.name, sha256_file(cases_path), cases_file.source)
    write_splits(Path(str(cfg.out)), result, manifest)
    for name, info in manifest.splits.items():
        sizes = ", ".join(f"{p} {n}" for p, n in info.sizes.items())
        logger.info("{:<12} {:>5} cases ({})", name, info.n, sizes or "empty")
    for name in ("train", "dev"):
        if not manifest.splits[name].n:
            logger.warning("the {} split is empty: each pathology has too few cases to spare one from test", name)
    logger.info("wrote the splits and {} to {} (seed {})", MANIFEST_FILE, cfg.out, seed)
    return 0
