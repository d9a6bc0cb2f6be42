"""Assigning cases to train, dev and test: stratified by pathology, seeded, independent of input order."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from loguru import logger
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cdmbench.cases import PATHOLOGIES, Case
from cdmbench.errors import CaseFormatError

__all__ = ["NO_PATHOLOGY", "SPLIT_NAMES", "SplitResult", "SplitSettings", "split_cases", "stratum_sizes"]

NO_PATHOLOGY = "none"
"""Stratum (and manifest key) of the cases without a pathology."""

SPLIT_NAMES: tuple[str, ...] = ("train", "dev", "test", "reader_study")
"""The splits written by ``cdmbench split``; reader_study is a subset of test."""


class SplitSettings(BaseModel):
    """How large the splits are (configs/split.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    train_fraction: float = Field(0.05, ge=0, lt=1)
    """Share of each pathology's cases that goes to train (rounded half up)."""
    dev_fraction: float = Field(0.05, ge=0, lt=1)
    """Share of each pathology's cases that goes to dev (rounded half up)."""
    min_train_per_pathology: int = Field(2, ge=0)
    """Train gets at least this many cases of each pathology, as long as test keeps one."""
    min_dev_per_pathology: int = Field(2, ge=0)
    """Dev gets at least this many cases of each pathology, as long as test keeps one."""
    reader_study_per_pathology: int = Field(20, ge=0)
    """Test cases of each pathology that form the reader-study subset."""

    @model_validator(mode="after")
    def _test_keeps_a_share(self) -> SplitSettings:
        if self.train_fraction + self.dev_fraction >= 1:
            raise ValueError("train_fraction + dev_fraction must be below 1 so that test keeps cases")
        return self


@dataclass(frozen=True)
class SplitResult:
    """The cases of each split (each sorted by hadm_id), with the seed and settings that made them."""

    train: list[Case]
    dev: list[Case]
    test: list[Case]
    reader_study: list[Case]
    seed: int
    settings: SplitSettings

    def splits(self) -> dict[str, list[Case]]:
        """The splits by name, in ``SPLIT_NAMES`` order."""
        return {name: getattr(self, name) for name in SPLIT_NAMES}


def _round_half_up(x: float) -> int:
    return int(x + 0.5 + 1e-9)


def stratum_sizes(n: int, settings: SplitSettings) -> tuple[int, int, int]:
    """(train, dev, test) sizes for a stratum of ``n`` cases.

    Test always keeps at least one case; then train and dev get one each when there are enough cases,
    then grow to ``max(min_*, round(fraction * n))``, train first. So 3 cases give 1/1/1, 4 give 2/1/1.
    """
    want_train = max(settings.min_train_per_pathology, _round_half_up(settings.train_fraction * n))
    want_dev = max(settings.min_dev_per_pathology, _round_half_up(settings.dev_fraction * n))
    train = dev = 0
    test = n
    if want_train > 0 and test > 1:
        train, test = 1, test - 1
    if want_dev > 0 and test > 1:
        dev, test = 1, test - 1
    grow = max(0, min(want_train - train, test - 1))
    train, test = train + grow, test - grow
    grow = max(0, min(want_dev - dev, test - 1))
    dev, test = dev + grow, test - grow
    return train, dev, test


def _shuffled(cases: list[Case], key: str) -> list[Case]:
    ordered = sorted(cases, key=lambda c: c.hadm_id)
    random.Random(key).shuffle(ordered)  # a str seed is hashed with SHA-512: stable across runs and machines
    return ordered


def _by_hadm_id(cases: list[Case]) -> list[Case]:
    return sorted(cases, key=lambda c: c.hadm_id)


def split_cases(cases: Sequence[Case], seed: int = 0, settings: SplitSettings | None = None) -> SplitResult:
    """Split cases into disjoint train/dev/test sets, stratified by pathology, plus a reader-study subset of test.

    Each pathology (and the cases without one, as their own stratum) is sorted by hadm_id and shuffled
    with a generator seeded by ``seed`` and the stratum, so the result depends on the seed and the set of
    cases, never on their order.

    Args:
        cases: the cases; hadm_ids must be unique.
        seed: the shuffle seed.
        settings: split sizes (defaults: ``SplitSettings()``).

    Returns:
        The ``SplitResult``; every split is sorted by hadm_id.

    Raises:
        CaseFormatError: no cases, or a hadm_id appears twice.

    Example:
        >>> result = split_cases(cases, seed=0)
        >>> {c.hadm_id for c in result.reader_study} <= {c.hadm_id for c in result.test}
        True
    """
    settings = settings or SplitSettings()
    if not cases:
        raise CaseFormatError("there are no cases to split; give a cases file with cases (cases=FILE).")
    strata: dict[str, list[Case]] = defaultdict(list)
    seen: set[int] = set()
    for case in cases:
        if case.hadm_id in seen:
            raise CaseFormatError(f"hadm_id {case.hadm_id} appears twice; each admission may be split once.")
        seen.add(case.hadm_id)
        strata[case.pathology or NO_PATHOLOGY].append(case)
    train: list[Case] = []
    dev: list[Case] = []
    test_by_stratum: dict[str, list[Case]] = {}
    for stratum in sorted(strata):
        shuffled = _shuffled(strata[stratum], f"cdmbench-split:{seed}:{stratum}")
        n_train, n_dev, _ = stratum_sizes(len(shuffled), settings)
        train += shuffled[:n_train]
        dev += shuffled[n_train : n_train + n_dev]
        test_by_stratum[stratum] = shuffled[n_train + n_dev :]
    reader_study: list[Case] = []
    wanted = settings.reader_study_per_pathology
    for pathology in PATHOLOGIES:
        if pathology not in test_by_stratum:
            continue
        pool = _shuffled(test_by_stratum[pathology], f"cdmbench-reader-study:{seed}:{pathology}")
        if len(pool) < wanted:
            logger.warning(
                "reader study: only {} {} test cases, fewer than reader_study_per_pathology={}; taking all",
                len(pool),
                pathology,
                wanted,
            )
        reader_study += pool[:wanted]
    test = [case for stratum in sorted(test_by_stratum) for case in test_by_stratum[stratum]]
    return SplitResult(
        train=_by_hadm_id(train),
        dev=_by_hadm_id(dev),
        test=_by_hadm_id(test),
        reader_study=_by_hadm_id(reader_study),
        seed=seed,
        settings=settings,
    )
