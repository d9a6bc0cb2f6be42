"""The run directory's JSONL streams: partial-line repair, whole-line appends, atomic rewrites."""

from __future__ import annotations

import json
import os

import pytest

from cdmbench.errors import OutputError
from cdmbench.runs.run_dir import JsonlStream, RunDirectory


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_partial_last_line_is_cut_on_open(tmp_path):
    path = tmp_path / "predictions.jsonl"
    path.write_bytes(b'{"hadm_id": 1, "status": "ok"}\n{"hadm_id": 2, "sta')
    stream = JsonlStream(path)
    assert path.read_bytes() == b'{"hadm_id": 1, "status": "ok"}\n'
    stream.append({"hadm_id": 2, "status": "ok"})
    assert [r["hadm_id"] for r in stream] == [1, 2]


def test_a_file_that_is_only_a_partial_line_becomes_empty(tmp_path):
    path = tmp_path / "scores.jsonl"
    path.write_bytes(b'{"hadm_id": 7')
    JsonlStream(path)
    assert path.read_bytes() == b""


def test_append_finishes_a_short_write(tmp_path, monkeypatch):
    stream = JsonlStream(tmp_path / "p.jsonl")
    real_write = os.write

    def short_write(fd, data):  # the kernel may take fewer bytes than asked
        return real_write(fd, bytes(data[:5]))

    monkeypatch.setattr(os, "write", short_write)
    stream.append({"hadm_id": 3, "text": "x" * 50})
    monkeypatch.undo()
    assert _lines(stream.path) == [{"hadm_id": 3, "text": "x" * 50}]


def test_drop_cases_rewrites_both_streams_and_error_ids(tmp_path):
    run_dir = RunDirectory(tmp_path / "run")
    for hadm_id, status in ((1, "ok"), (2, "error"), (3, "ok"), (4, "error")):
        run_dir.predictions.append({"hadm_id": hadm_id, "status": status})
        run_dir.scores.append({"hadm_id": hadm_id, "status": status})
    assert run_dir.error_ids() == {2, 4}
    assert run_dir.drop_cases({2, 4}) == 2
    assert [r["hadm_id"] for r in run_dir.predictions] == [1, 3]
    assert [r["hadm_id"] for r in run_dir.scores] == [1, 3]
    assert run_dir.finished_ids() == {1, 3}
    assert not list((tmp_path / "run").glob(".*.tmp"))


def test_a_failed_rewrite_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    stream = JsonlStream(tmp_path / "p.jsonl")
    stream.append({"hadm_id": 1})
    stream.append({"hadm_id": 2})
    before = stream.path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("cdmbench.io.os.replace", boom)
    with pytest.raises((OSError, OutputError)):
        stream.rewrite_without({1})
    assert stream.path.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_run_resumes_on_another_endpoint_but_not_with_another_model(tmp_path):
    from cdmbench.errors import ConfigError

    run_dir = RunDirectory(tmp_path / "run")
    lm = {"kind": "vllm", "model": "m", "api_base": "http://127.0.0.1:8000/v1", "timeout_s": 600}
    run_dir.write_manifest({"identity": {"program": {"name": "p"}, "lm": lm, "data_hash": "h"}})
    moved = {**lm, "api_base": "http://10.0.0.7:8123/v1", "timeout_s": 30}
    assert run_dir.check_resumable({"program": {"name": "p"}, "lm": moved, "data_hash": "h"})
    with pytest.raises(ConfigError, match="different lm"):
        run_dir.check_resumable({"program": {"name": "p"}, "lm": {**lm, "model": "other"}, "data_hash": "h"})


def test_replace_case_puts_the_new_line_at_the_end_and_keeps_every_case(tmp_path):
    run_dir = RunDirectory(tmp_path / "run")
    for hadm_id, status in ((1, "error"), (2, "ok"), (3, "error")):
        run_dir.predictions.append({"hadm_id": hadm_id, "status": status})
        run_dir.scores.append({"hadm_id": hadm_id, "status": status})
    run_dir.replace_case({"hadm_id": 1, "status": "ok"}, {"hadm_id": 1, "status": "ok"})
    assert [(r["hadm_id"], r["status"]) for r in run_dir.predictions] == [(2, "ok"), (3, "error"), (1, "ok")]
    assert [(r["hadm_id"], r["status"]) for r in run_dir.scores] == [(2, "ok"), (3, "error"), (1, "ok")]
    assert run_dir.error_ids() == {3}
    assert not list((tmp_path / "run").glob(".*.tmp"))


def test_a_failed_replace_keeps_the_old_line(tmp_path, monkeypatch):
    run_dir = RunDirectory(tmp_path / "run")
    run_dir.predictions.append({"hadm_id": 1, "status": "error"})
    before = run_dir.predictions.path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("cdmbench.io.os.replace", boom)
    with pytest.raises((OSError, OutputError)):
        run_dir.predictions.replace({"hadm_id": 1, "status": "ok"})
    assert run_dir.predictions.path.read_bytes() == before


def test_a_directory_with_outputs_but_no_manifest_is_refused(tmp_path):
    from cdmbench.errors import ConfigError

    root = tmp_path / "run"
    root.mkdir()
    (root / "predictions.jsonl").write_text('{"hadm_id": 1, "status": "ok"}\n')
    with pytest.raises(ConfigError, match=r"predictions\.jsonl but no manifest\.json"):
        RunDirectory(root).check_resumable({"program": {}, "lm": {}, "data_hash": "h"})
    assert not RunDirectory(tmp_path / "fresh").check_resumable({"program": {}, "lm": {}, "data_hash": "h"})
    assert not (tmp_path / "fresh").exists()  # opening a run directory writes nothing


@pytest.mark.parametrize("name", ["..", "../..", "../elsewhere", "a/b", "/tmp/x", ".hidden", "", "a\\b", "x" * 201])
def test_run_names_cannot_leave_output_dir(tmp_path, name):
    from cdmbench.errors import ConfigError
    from cdmbench.runs.identity import run_root

    with pytest.raises(ConfigError, match="output_dir"):
        run_root(str(tmp_path / "outputs"), name)


def test_default_run_names_are_made_safe(tmp_path):
    from cdmbench.runs.identity import run_root, safe_run_name

    name = safe_run_name("cases-cdm_agent-Qwen/Qwen3-4B:latest")
    assert name == "cases-cdm_agent-Qwen_Qwen3-4B:latest"
    assert run_root(str(tmp_path), name) == tmp_path / name
