"""``runs=`` for merge, compare, plot and leaderboard: lists, comma strings and globs, one reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdmbench.errors import ConfigError, DataSourceError
from cdmbench.runs.paths import run_dirs


def _run(root: Path, name: str, marker: str = "scores.jsonl") -> Path:
    path = root / name
    path.mkdir(parents=True)
    (path / marker).write_text("")
    return path


def test_lists_strings_and_globs_give_the_runs_in_order_once(tmp_path) -> None:
    a, b, c = (_run(tmp_path, n) for n in ("run-b", "run-a", "other"))
    (tmp_path / "run-compare").mkdir()  # matches the glob, holds no scores: skipped
    assert run_dirs(f"{tmp_path}/run-*", "scores.jsonl") == [b, a]
    assert run_dirs([str(c), f"{tmp_path}/run-*", str(a)], "scores.jsonl") == [c, b, a]
    assert run_dirs(f"{c},{a}", "scores.jsonl") == [c, a]


def test_what_is_refused(tmp_path) -> None:
    _run(tmp_path, "run-a")
    (tmp_path / "plain").mkdir()
    with pytest.raises(ConfigError, match="matches no run directory"):
        run_dirs(f"{tmp_path}/none-*", "scores.jsonl")
    with pytest.raises(DataSourceError, match="is not a run directory"):
        run_dirs([str(tmp_path / "plain")], "scores.jsonl")
    with pytest.raises(DataSourceError, match="does not exist"):
        run_dirs([str(tmp_path / "gone")], "scores.jsonl")
    assert run_dirs([str(tmp_path / "gone")], "scores.jsonl", minimum=0, check_named=False) == [tmp_path / "gone"]
    with pytest.raises(ConfigError, match="at least 2 run directories, got 1"):
        run_dirs(f"{tmp_path}/run-*", "scores.jsonl", minimum=2)
    with pytest.raises(ConfigError, match="must be a list"):
        run_dirs({"a": 1}, "scores.jsonl")
