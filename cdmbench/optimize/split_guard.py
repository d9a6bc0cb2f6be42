"""Keep the test split away from optimizers: refuse test files and any case that overlaps the test split."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from loguru import logger

from cdmbench.cases import Case, cases_hash
from cdmbench.data_export.splits import MANIFEST_FILE, SplitManifest, load_split_manifest, overlaps_test
from cdmbench.errors import ConfigError

__all__ = ["TEST_SPLITS", "check_not_test", "find_split_manifest"]

TEST_SPLITS = ("test", "reader_study")
"""Splits an optimizer must never see (reader_study is a subset of test)."""


def find_split_manifest(splits: str | Path | None, data_files: Sequence[Path]) -> tuple[SplitManifest, Path] | None:
    """The split manifest: from ``splits`` (a directory or splits.json) if given, else a splits.json beside a file.

    Returns:
        ``(manifest, its directory)``, or None when none is given or found.
    """
    if splits:
        path = Path(splits)
        return load_split_manifest(path), (path if path.is_dir() else path.parent)
    for file in data_files:
        if (file.parent / MANIFEST_FILE).is_file():
            return load_split_manifest(file.parent), file.parent
    return None


def _refuse(role: str, path: Path, why: str) -> ConfigError:
    return ConfigError(
        f"{role}={path} {why}; optimizers must never see the test split. Use the train split for train= "
        "and the dev split for dev= (e.g. data/splits/train.json and data/splits/dev.json)."
    )


def check_not_test(role: str, path: Path, cases: Sequence[Case], found: tuple[SplitManifest, Path] | None) -> None:
    """Refuse ``path`` (given as ``role``: train or dev) when it is, or overlaps, the test split.

    Refused: a file named test.* or reader_study.*; with a split manifest, the manifest's test or
    reader_study file, a file with the test split's cases hash, and any case that shares a hadm_id, a case
    hash or a content hash with a test case (``overlaps_test``).

    Raises:
        ConfigError: naming the file, the reason and the first overlapping hadm_ids.
    """
    if path.name.split(".")[0].lower() in TEST_SPLITS:
        raise _refuse(role, path, f"is a test split file ({path.name})")
    if found is None:
        logger.warning(
            "no split manifest given (splits=) or found beside {}: the {} cases cannot be checked against the "
            "test split",
            path,
            role,
        )
        return
    manifest, directory = found
    for name in TEST_SPLITS:
        split_file = (directory / manifest.splits[name].file).resolve()
        if path.resolve() == split_file:
            raise _refuse(role, path, f"is the {name} split of {directory / MANIFEST_FILE}")
    if cases and cases_hash(cases) == manifest.splits["test"].cases_hash:
        raise _refuse(role, path, "holds exactly the test split's cases")
    overlap = overlaps_test(cases, manifest)
    if overlap:
        shown = ", ".join(map(str, overlap[:5])) + (" ..." if len(overlap) > 5 else "")
        raise _refuse(role, path, f"shares {len(overlap)} case(s) with the test split (hadm_id {shown})")
    logger.info("{}: {} cases, none in the test split of {}", role, len(cases), directory / MANIFEST_FILE)
