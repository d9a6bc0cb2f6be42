"""The split manifest (``splits.json``): what was split, how, and the content hashes of every split.

Later commands use it to prove that a training or dev file does not overlap the test split
(``overlaps_test``), by hadm_id and by case content hash.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ValidationError, model_validator

from cdmbench.cases import Case, case_hash, cases_hash
from cdmbench.data_export.splits._assign import NO_PATHOLOGY, SPLIT_NAMES, SplitResult, SplitSettings
from cdmbench.errors import DataSourceError

__all__ = [
    "MANIFEST_FILE",
    "SplitInfo",
    "SplitManifest",
    "build_manifest",
    "content_hash",
    "load_split_manifest",
    "overlaps_test",
]

MANIFEST_FILE = "splits.json"


class SplitInfo(BaseModel):
    """One split: its file, sizes and content hashes."""

    file: str
    """The split's cases file, relative to the splits directory (e.g. 'train.json')."""
    n: int
    """Number of cases."""
    sizes: dict[str, int]
    """Cases per pathology ('none' for cases without one)."""
    hadm_ids: list[int]
    """The split's hadm_ids, sorted."""
    case_hashes: list[str]
    """``cdmbench.cases.case_hash`` of each case, aligned with ``hadm_ids``."""
    content_hashes: list[str]
    """``content_hash`` of each case (its content without the hadm_id), aligned with ``hadm_ids``."""
    cases_hash: str
    """``cdmbench.cases.cases_hash`` of the split (order-independent)."""


class SplitManifest(BaseModel):
    """``splits.json``: the input file, the seed, the settings, and every split."""

    format_version: int = 1
    """Manifest format version."""
    input_file: str
    """Name of the cases file that was split."""
    input_sha256: str
    """SHA-256 of that file's bytes."""
    source: str | None
    """The input's ``source`` mark, carried into every split file."""
    seed: int
    """The shuffle seed."""
    settings: SplitSettings
    """The split sizes used."""
    splits: dict[str, SplitInfo]
    """train, dev, test and reader_study (a subset of test)."""

    @model_validator(mode="after")
    def _all_splits(self) -> SplitManifest:
        missing = [name for name in SPLIT_NAMES if name not in self.splits]
        if missing:
            raise ValueError(f"splits lacks {', '.join(missing)}")
        return self


def content_hash(case: Case) -> str:
    """SHA-256 of a case's canonical JSON without its hadm_id: the same admission under another id matches."""
    body = case.model_dump(mode="json", exclude={"hadm_id"})
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _info(name: str, cases: list[Case]) -> SplitInfo:
    ordered = sorted(cases, key=lambda c: c.hadm_id)
    sizes = Counter(c.pathology or NO_PATHOLOGY for c in ordered)
    return SplitInfo(
        file=f"{name}.json",
        n=len(ordered),
        sizes=dict(sorted(sizes.items())),
        hadm_ids=[c.hadm_id for c in ordered],
        case_hashes=[case_hash(c) for c in ordered],
        content_hashes=[content_hash(c) for c in ordered],
        cases_hash=cases_hash(ordered),
    )


def build_manifest(result: SplitResult, input_file: str, input_sha256: str, source: str | None) -> SplitManifest:
    """The manifest of a split result (sizes, sorted hadm_ids and hashes of every split)."""
    return SplitManifest(
        input_file=input_file,
        input_sha256=input_sha256,
        source=source,
        seed=result.seed,
        settings=result.settings,
        splits={name: _info(name, cases) for name, cases in result.splits().items()},
    )


def load_split_manifest(path: str | Path) -> SplitManifest:
    """Read ``splits.json`` from a splits directory (or the file itself).

    Raises:
        DataSourceError: the manifest is missing or is not a valid split manifest.
    """
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_FILE
    if not path.is_file():
        raise DataSourceError(f"split manifest {str(path)!r} does not exist; run `cdmbench split` first.")
    try:
        return SplitManifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataSourceError(f"cannot read split manifest {path}: {exc}; rerun `cdmbench split`.") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise DataSourceError(
            f"{path}: not a split manifest: field {where}: {first['msg']}; rerun `cdmbench split`."
        ) from None


def overlaps_test(cases: Iterable[Case], manifest: SplitManifest) -> list[int]:
    """The hadm_ids of ``cases`` that overlap the test split: same hadm_id, same case, or same content.

    Args:
        cases: e.g. the training set an optimizer is about to use.
        manifest: the split manifest (``load_split_manifest``).

    Returns:
        Sorted hadm_ids of the cases that share a hadm_id, a ``case_hash`` or a ``content_hash`` (the case
        without its hadm_id) with a test case; empty if none.
    """
    test = manifest.splits["test"]
    test_ids, test_hashes = set(test.hadm_ids), set(test.case_hashes) | set(test.content_hashes)
    return sorted(
        {
            c.hadm_id
            for c in cases
            if c.hadm_id in test_ids or case_hash(c) in test_hashes or content_hash(c) in test_hashes
        }
    )
