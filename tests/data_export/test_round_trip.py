"""The key test: synthesize -> db-load -> create-benchmark recovers truth.json, field by field, for every case.

The generator writes, next to its MIMIC-shaped files, ``truth.json``: the cases the export rules must produce and
every distractor admission with the reason it must be excluded for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pytest_postgresql.executors.noop import NoopExecutor

from cdmbench.cases import Case
from cdmbench.data_export.assemble import REASONS
from cdmbench.data_export.export import ExportResult, export_cases
from cdmbench.data_export.load import load_mimic
from tests.postgres import connect_to, fresh_database

pytestmark = pytest.mark.postgres

SIZES = [300, pytest.param(2400, marks=pytest.mark.slow, id="2400")]
"""Admissions per round trip: 300 (every quirk of the generator at least once) and MIMIC-CDM's 2,400."""


@pytest.fixture(scope="module", params=SIZES)
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cdmbench.data_export.synthetic import generate

    out = tmp_path_factory.mktemp("roundtrip") / "synthetic"
    generate(out, n_admissions=request.param, seed=0)
    return out


@pytest.fixture(scope="module")
def truth(generated: Path) -> dict[str, Any]:
    return json.loads((generated / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def loaded(pg_server: NoopExecutor, generated: Path) -> Iterator[psycopg.Connection]:
    name = f"cdmbench_roundtrip_{generated.parent.name}".lower()
    with fresh_database(pg_server, name) as dbname, connect_to(pg_server, dbname) as conn:
        load_mimic(conn, generated, progress=False)
        yield conn


@pytest.fixture(scope="module")
def exported(loaded: psycopg.Connection) -> ExportResult:
    return export_cases(loaded, progress=False)


def _diff(path: str, want: Any, got: Any, out: list[str]) -> None:
    """Collect readable differences between two JSON values."""
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(want) | set(got)):
            _diff(f"{path}.{key}", want.get(key), got.get(key), out)
    elif isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            out.append(f"{path}: {len(want)} items expected, {len(got)} exported")
        for i, (w, g) in enumerate(zip(want, got, strict=False)):
            _diff(f"{path}[{i}]", w, g, out)
    elif want != got:
        out.append(f"{path}: expected {want!r}, exported {got!r}")


def test_generated_data_covers_every_pathology_and_reason(truth: dict[str, Any]) -> None:
    assert truth["source"] == "synthetic"
    assert {c["pathology"] for c in truth["cases"]} == {
        "appendicitis",
        "cholecystitis",
        "diverticulitis",
        "pancreatitis",
    }
    assert {e["reason"] for e in truth["excluded"]} == set(REASONS)


def test_same_admissions(truth: dict[str, Any], exported: ExportResult) -> None:
    assert [c.hadm_id for c in exported.cases] == sorted(c["hadm_id"] for c in truth["cases"])
    assert exported.source == "synthetic"


def test_every_case_field_by_field(truth: dict[str, Any], exported: ExportResult) -> None:
    by_id = {c.hadm_id: c.model_dump(mode="json") for c in exported.cases}
    problems: list[str] = []
    for raw in truth["cases"]:
        want = Case.model_validate(raw).model_dump(mode="json")
        got = by_id.get(want["hadm_id"])
        if got is None:
            problems.append(f"hadm_id {want['hadm_id']}: not exported")
            continue
        found: list[str] = []
        for field in want:
            _diff(field, want[field], got.get(field), found)
        problems += [f"hadm_id {want['hadm_id']} ({want['pathology']}): {p}" for p in found]
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:40])


def test_every_distractor_excluded_for_its_reason(truth: dict[str, Any], exported: ExportResult) -> None:
    wrong = [
        f"hadm_id {e['hadm_id']}: expected {e['reason']}, got {exported.excluded.get(e['hadm_id'], 'kept as a case')}"
        for e in truth["excluded"]
        if exported.excluded.get(e["hadm_id"]) != e["reason"]
    ]
    assert not wrong, "\n".join(wrong)
    expected_counts = {reason: 0 for reason in REASONS}
    for e in truth["excluded"]:
        expected_counts[e["reason"]] += 1
    assert exported.exclusions == expected_counts


def test_limit_keeps_the_first_cases(loaded: psycopg.Connection, exported: ExportResult) -> None:
    limited = export_cases(loaded, limit=5, progress=False)
    assert [c.hadm_id for c in limited.cases] == [c.hadm_id for c in exported.cases[:5]]
