"""Shards: ``shard=i/n`` parsing and the deterministic partition of cases."""

from __future__ import annotations

import random

import pytest

from cdmbench.cases import Case
from cdmbench.errors import ConfigError
from cdmbench.runs.shard import Shard, parse_shard, shard_cases


def _cases(ids: list[int]) -> list[Case]:
    return [Case(hadm_id=i, patient_history="h", physical_exam_text="e") for i in ids]


@pytest.mark.parametrize(("value", "expected"), [("0/4", Shard(0, 4)), (" 3 / 4 ", Shard(3, 4)), ("0/1", Shard(0, 1))])
def test_parse_shard(value, expected):
    assert parse_shard(value) == expected
    assert expected.suffix == f"-shard-{expected.index}-of-{expected.count}"


@pytest.mark.parametrize("value", [None, "", "null"])
def test_no_shard(value):
    assert parse_shard(value) is None


@pytest.mark.parametrize("value", ["4/4", "1/0", "a/b", "1", "-1/4", "1/4/2"])
def test_bad_shard_says_the_form(value):
    with pytest.raises(ConfigError, match="shard="):
        parse_shard(value)


def test_shards_partition_the_cases_evenly_whatever_the_file_order():
    ids = random.Random(0).sample(range(20_000_000, 30_000_000), 103)
    cases = _cases(ids)
    shards = [shard_cases(cases, Shard(i, 4)) for i in range(4)]
    got = [c.hadm_id for shard in shards for c in shard]
    assert sorted(got) == sorted(ids)  # disjoint and complete
    assert {len(s) for s in shards} == {25, 26}
    shuffled = list(reversed(cases))
    for i, shard in enumerate(shards):
        again = shard_cases(shuffled, Shard(i, 4))
        assert {c.hadm_id for c in again} == {c.hadm_id for c in shard}
    assert shard_cases(cases, None) == cases
