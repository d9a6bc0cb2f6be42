"""split: stratified, disjoint, deterministic splits; the manifest's hashes; all-or-nothing writing."""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from loguru import logger
from omegaconf import OmegaConf

from cdmbench.cases import PATHOLOGIES, Case, GroundTruth, case_hash, cases_hash, load_cases_file, save_cases
from cdmbench.config import compose
from cdmbench.data_export.splits import (
    SplitSettings,
    content_hash,
    load_split_manifest,
    overlaps_test,
    run,
    split_cases,
    stratum_sizes,
)
from cdmbench.errors import CaseFormatError, ConfigError, DataSourceError, OutputError

COUNTS = {"appendicitis": 60, "cholecystitis": 40, "diverticulitis": 24, "pancreatitis": 30, None: 5}


def make_cases(counts: dict[str | None, int] = COUNTS) -> list[Case]:
    """Synthetic cases with distinct hadm_ids (and distinct contents) per pathology."""
    cases, hadm_id = [], 21000000
    for pathology, n in counts.items():
        for i in range(n):
            hadm_id += 7
            cases.append(
                Case(
                    hadm_id=hadm_id,
                    pathology=pathology,
                    patient_history=f"Synthetic patient {i} ({pathology or 'other'}).",
                    ground_truth=GroundTruth(primary_diagnosis=[f"synthetic {pathology}"]),
                )
            )
    return cases


def ids(cases: list[Case]) -> list[int]:
    return [c.hadm_id for c in cases]


def per_pathology(cases: list[Case]) -> dict[str | None, int]:
    out: dict[str | None, int] = {}
    for c in cases:
        out[c.pathology] = out.get(c.pathology, 0) + 1
    return out


@pytest.fixture
def caplog_warnings() -> Iterator[list[str]]:
    messages: list[str] = []
    sink = logger.add(lambda m: messages.append(m.record["message"]), level="WARNING")
    yield messages
    logger.remove(sink)


@pytest.fixture
def cases_file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.json"
    save_cases(path, make_cases(), source="synthetic")
    return path


def split_cfg(cases: Path, out: Path, **extra: object) -> OmegaConf:
    base = {
        "cases": str(cases),
        "out": str(out),
        "seed": 0,
        "train_fraction": 0.1,
        "dev_fraction": 0.1,
        "min_train_per_pathology": 2,
        "min_dev_per_pathology": 2,
        "reader_study_per_pathology": 20,
    }
    return OmegaConf.create({**base, **extra})


def test_stratified_sizes_and_disjoint() -> None:
    settings = SplitSettings(train_fraction=0.1, dev_fraction=0.2, reader_study_per_pathology=5)
    result = split_cases(make_cases(), seed=0, settings=settings)
    train, dev, test = per_pathology(result.train), per_pathology(result.dev), per_pathology(result.test)
    assert train == {"appendicitis": 6, "cholecystitis": 4, "diverticulitis": 2, "pancreatitis": 3, None: 2}
    assert dev == {"appendicitis": 12, "cholecystitis": 8, "diverticulitis": 5, "pancreatitis": 6, None: 2}
    assert test == {p: COUNTS[p] - train[p] - dev[p] for p in COUNTS}
    all_ids = ids(result.train) + ids(result.dev) + ids(result.test)
    assert len(all_ids) == len(set(all_ids)) == sum(COUNTS.values())
    for split in (result.train, result.dev, result.test, result.reader_study):
        assert ids(split) == sorted(ids(split))


def test_reader_study_is_a_subset_of_test(caplog_warnings: list[str]) -> None:
    settings = SplitSettings(reader_study_per_pathology=20)
    result = split_cases(make_cases(), seed=3, settings=settings)
    assert set(ids(result.reader_study)) <= set(ids(result.test))
    sizes = per_pathology(result.reader_study)
    assert sizes == {"appendicitis": 20, "cholecystitis": 20, "diverticulitis": 20, "pancreatitis": 20}
    assert None not in sizes  # cases without a pathology are never in the reader study
    small = split_cases(make_cases({"appendicitis": 10, "pancreatitis": 30}), seed=3, settings=settings)
    assert per_pathology(small.reader_study) == {
        "appendicitis": per_pathology(small.test)["appendicitis"],
        "pancreatitis": 20,
    }
    assert any("only 6 appendicitis test cases" in w for w in caplog_warnings)


def test_deterministic_across_runs_and_input_orders() -> None:
    cases = make_cases()
    first = split_cases(cases, seed=11)
    shuffled = list(cases)
    random.Random(5).shuffle(shuffled)
    second = split_cases(shuffled, seed=11)
    for name in ("train", "dev", "test", "reader_study"):
        assert ids(getattr(first, name)) == ids(getattr(second, name))


def test_different_seed_gives_a_different_split() -> None:
    cases = make_cases()
    a, b = split_cases(cases, seed=0), split_cases(cases, seed=1)
    assert ids(a.train) != ids(b.train)
    assert ids(a.reader_study) != ids(b.reader_study)
    assert per_pathology(a.train) == per_pathology(b.train)  # same sizes


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, (0, 0, 0)), (1, (0, 0, 1)), (2, (1, 0, 1)), (3, (1, 1, 1)), (4, (2, 1, 1)), (5, (2, 2, 1)), (100, (5, 5, 90))],
)
def test_stratum_sizes_keep_every_split_non_empty_when_possible(n: int, expected: tuple[int, int, int]) -> None:
    assert stratum_sizes(n, SplitSettings(train_fraction=0.05, dev_fraction=0.05)) == expected


def test_three_cases_per_pathology() -> None:
    result = split_cases(make_cases({p: 3 for p in PATHOLOGIES}), seed=0)
    for split in (result.train, result.dev, result.test):
        assert per_pathology(split) == {p: 1 for p in PATHOLOGIES}


def test_run_writes_files_and_a_correct_manifest(cases_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "splits"
    assert run(split_cfg(cases_file, out)) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "dev.json",
        "reader_study.json",
        "splits.json",
        "test.json",
        "train.json",
    ]
    manifest = load_split_manifest(out)
    assert manifest.input_sha256 == hashlib.sha256(cases_file.read_bytes()).hexdigest()
    assert manifest.input_file == "cases.json"
    assert (manifest.seed, manifest.source) == (0, "synthetic")
    assert manifest.settings.train_fraction == 0.1
    for name, info in manifest.splits.items():
        written = load_cases_file(out / info.file)
        assert written.source == "synthetic"
        assert info.hadm_ids == sorted(ids(written.cases)) == ids(written.cases)
        assert info.case_hashes == [case_hash(c) for c in written.cases]
        assert info.content_hashes == [content_hash(c) for c in written.cases]
        assert info.cases_hash == cases_hash(written.cases)
        assert info.n == len(written.cases) == sum(info.sizes.values())
        assert info.sizes == dict(sorted((p or "none", n) for p, n in per_pathology(written.cases).items())), name
    raw = json.loads((out / "splits.json").read_text())
    assert set(raw["splits"]) == {"train", "dev", "test", "reader_study"}


def test_overlaps_test(cases_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "splits"
    run(split_cfg(cases_file, out))
    manifest = load_split_manifest(out / "splits.json")
    train = load_cases_file(out / "train.json").cases
    test = load_cases_file(out / "test.json").cases
    assert overlaps_test(train, manifest) == []
    relabelled = test[3].model_copy(update={"hadm_id": 99999999})  # same content under another id
    edited = test[4].model_copy(update={"hadm_id": 99999998, "patient_history": "Synthetic, edited."})
    assert overlaps_test([*train, test[0], relabelled, edited], manifest) == sorted([test[0].hadm_id, 99999999])
    assert content_hash(relabelled) == content_hash(test[3]) != content_hash(test[4])


def test_rerun_is_byte_identical(cases_file: Path, tmp_path: Path) -> None:
    run(split_cfg(cases_file, tmp_path / "a"))
    run(split_cfg(cases_file, tmp_path / "b"))
    for name in ("train.json", "dev.json", "test.json", "reader_study.json", "splits.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_empty_or_malformed_cases_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text('{"source": "synthetic", "cases": []}')
    with pytest.raises(CaseFormatError, match="holds no cases"):
        run(split_cfg(empty, tmp_path / "out"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"cases": [{"hadm_id": "not a number"}]}')
    with pytest.raises(CaseFormatError, match="hadm_id"):
        run(split_cfg(broken, tmp_path / "out"))
    with pytest.raises(DataSourceError, match="does not exist"):
        run(split_cfg(tmp_path / "missing.json", tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    with pytest.raises(CaseFormatError, match="no cases to split"):
        split_cases([], seed=0)


def test_bad_settings(cases_file: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="train_fraction"):
        run(split_cfg(cases_file, tmp_path / "o", train_fraction=1.5))
    with pytest.raises(ConfigError, match="below 1"):
        run(split_cfg(cases_file, tmp_path / "o", train_fraction=0.6, dev_fraction=0.5))
    with pytest.raises(ConfigError, match="seed"):
        run(split_cfg(cases_file, tmp_path / "o", seed="abc"))


def test_failed_write_leaves_no_partial_set(cases_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "splits"
    run(split_cfg(cases_file, out))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_replace, calls = os.replace, []

    def failing_replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr("cdmbench.data_export.splits._command.os.replace", failing_replace)
    with pytest.raises(OutputError, match="No space left"):
        run(split_cfg(cases_file, out, seed=1))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # old set intact, no temp files


def test_manifest_errors(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="run `cdmbench split` first"):
        load_split_manifest(tmp_path)
    (tmp_path / "splits.json").write_text('{"seed": 0}')
    with pytest.raises(DataSourceError, match="not a split manifest"):
        load_split_manifest(tmp_path)


def test_composed_config_runs(cases_file: Path, tmp_path: Path) -> None:
    cfg = compose("split", [f"cases={cases_file}", f"out={tmp_path / 'splits'}", "seed=4"])
    assert run(cfg) == 0
    manifest = load_split_manifest(tmp_path / "splits")
    assert manifest.seed == 4
    assert manifest.settings == SplitSettings()  # configs/split.yaml holds the model's defaults
