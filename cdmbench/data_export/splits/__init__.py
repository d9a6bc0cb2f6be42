"""``cdmbench split``: stratified, seeded train/dev/test splits of a cases file, with a hashed manifest.

Output directory: ``train.json``, ``dev.json``, ``test.json``, ``reader_study.json`` (cases files with the
input's ``source``; reader_study is a subset of test) and ``splits.json`` (``SplitManifest``).

Example:
    >>> result = split_cases(load_cases("data/cases.json"), seed=0)
    >>> manifest = load_split_manifest("data/splits")
    >>> overlaps_test(load_cases("data/splits/train.json"), manifest)
    []
"""

from cdmbench.data_export.splits._assign import (
    NO_PATHOLOGY,
    SPLIT_NAMES,
    SplitResult,
    SplitSettings,
    split_cases,
    stratum_sizes,
)
from cdmbench.data_export.splits._command import run, write_splits
from cdmbench.data_export.splits._manifest import (
    MANIFEST_FILE,
    SplitInfo,
    SplitManifest,
    build_manifest,
    content_hash,
    load_split_manifest,
    overlaps_test,
)

__all__ = [
    "MANIFEST_FILE",
    "NO_PATHOLOGY",
    "SPLIT_NAMES",
    "SplitInfo",
    "SplitManifest",
    "SplitResult",
    "SplitSettings",
    "build_manifest",
    "content_hash",
    "load_split_manifest",
    "overlaps_test",
    "run",
    "split_cases",
    "stratum_sizes",
    "write_splits",
]
