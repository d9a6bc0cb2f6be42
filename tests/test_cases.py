"""Case model: loading every accepted layout, deterministic saving, clear validation errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdmbench.cases import Case, case_hash, dump_cases, load_cases, load_cases_file, save_cases
from cdmbench.errors import CaseFormatError, DataSourceError


def test_seed_benchmark_data_loads_unchanged(data_dir: Path) -> None:
    cases = load_cases(data_dir / "seed_benchmark_data.json")
    assert [c.hadm_id for c in cases] == [20000001, 20000002]
    first = cases[0]
    assert first.pathology == "appendicitis"
    assert first.lab_results[0].itemid == 51301
    assert first.lab_results[0].ref_range_upper == 10.0
    assert first.microbiology_events[0].charttime == "2150-03-02T10:15:00"
    assert first.radiology_reports[0].modality == "CT"
    assert first.ground_truth.treatments[0].is_coded is True
    assert first.ground_truth.primary_diagnosis == ["Acute appendicitis"]


def test_round_trip_is_byte_identical(tmp_path: Path, data_dir: Path) -> None:
    cases = load_cases(data_dir / "seed_benchmark_data.json")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    save_cases(a, cases, source="synthetic")
    loaded = load_cases_file(a)
    assert loaded.source == "synthetic"
    save_cases(b, loaded)
    assert a.read_bytes() == b.read_bytes()
    assert [case_hash(c) for c in loaded.cases] == [case_hash(c) for c in cases]


def test_bare_list_and_jsonl(tmp_path: Path, data_dir: Path) -> None:
    cases = load_cases(data_dir / "seed_benchmark_data.json")
    raw = [c.model_dump(mode="json") for c in cases]
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps(raw))
    lines = tmp_path / "cases.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in raw) + "\n")
    assert load_cases(listed) == cases
    assert load_cases(lines) == cases
    assert load_cases_file(lines).source is None


def _write(tmp_path: Path, body: object) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(body))
    return path


def test_error_names_file_case_hadm_and_field(tmp_path: Path) -> None:
    bad = {"cases": [{"hadm_id": 1}, {"hadm_id": 7, "lab_results": [{"itemid": "x", "test_name": "WBC"}]}]}
    path = _write(tmp_path, bad)
    with pytest.raises(CaseFormatError) as info:
        load_cases(path)
    message = str(info.value)
    assert str(path) in message
    assert "case 1" in message
    assert "hadm_id=7" in message
    assert "lab_results.0.itemid" in message


def test_unknown_pathology_duplicate_and_empty(tmp_path: Path) -> None:
    with pytest.raises(CaseFormatError, match="pathology"):
        load_cases(_write(tmp_path, {"cases": [{"hadm_id": 1, "pathology": "gastritis"}]}))
    with pytest.raises(CaseFormatError, match="duplicate hadm_id 1"):
        load_cases(_write(tmp_path, [{"hadm_id": 1}, {"hadm_id": 1}]))
    with pytest.raises(CaseFormatError, match="no cases"):
        load_cases(_write(tmp_path, {"cases": []}))


def test_broken_json_invalid_utf8_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"cases": [ {"hadm_id": 1,, } ]}')
    with pytest.raises(CaseFormatError, match="line 1, column"):
        load_cases(broken)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b'{"cases": [{"hadm_id": 1, "patient_history": "\xff"}]}')
    with pytest.raises(CaseFormatError, match="UTF-8"):
        load_cases(binary)
    with pytest.raises(DataSourceError, match="does not exist"):
        load_cases(tmp_path / "missing.json")


def test_failed_save_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "cases.json"
    save_cases(target, [Case(hadm_id=1)], source="synthetic")
    before = target.read_bytes()

    class Boom(Case):
        def model_dump(self, *args, **kwargs):  # type: ignore[override]
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        save_cases(target, [Boom(hadm_id=2)])
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["cases.json"]
    assert dump_cases([Case(hadm_id=1)], "synthetic") == before.decode()
