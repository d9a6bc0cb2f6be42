"""The run directory (DESIGN.md "Run directory"): config, manifest, and line-atomic JSONL streams.

Each finished case is appended as one line with a single ``write`` on an ``O_APPEND`` file, so a crash
can at worst leave a partial last line; opening the directory again removes such a line, and a
rerun skips the cases already recorded. ``drop_cases`` rewrites both streams atomically without some
cases (``retry_errors=true``), scores first, so an interrupted rewrite never hides a case from scoring.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loguru import logger

from cdmbench.errors import ConfigError, OutputError
from cdmbench.io import atomic_open, atomic_write_text, ensure_dir

__all__ = ["OPERATIONAL_LM_KEYS", "JsonlStream", "RunDirectory", "lm_identity"]

OPERATIONAL_LM_KEYS = frozenset(
    {
        "api_base",
        "api_key_env",
        "timeout_s",
        "num_retries",
        "cache",
        "cache_dir",
        "allow_external_lm",
        "allowed_endpoints",
        "n_threads",
        "startup_timeout_s",
    }
)
"""LM settings that say how the model is reached, not which model answers: a run resumes (and shards merge)
across them, e.g. when vLLM comes back on another node or port."""


def lm_identity(lm: dict[str, Any]) -> dict[str, Any]:
    """The part of the (redacted) LM config that identifies the answers: model, preset, generation settings."""
    return {k: v for k, v in lm.items() if k not in OPERATIONAL_LM_KEYS}


def _comparable(identity: dict[str, Any]) -> dict[str, Any]:
    if isinstance(identity.get("lm"), dict):
        return {**identity, "lm": lm_identity(identity["lm"])}
    return identity


class JsonlStream:
    """An append-only JSONL file written one whole line at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._repair()

    def _repair(self) -> None:
        """Cut a partial last line left by a crash (a line is only complete with its newline)."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with open(self.path, "rb+") as fh:
            data = fh.read()
            if data.endswith(b"\n"):
                return
            keep = data.rfind(b"\n") + 1
            fh.truncate(keep)
        logger.warning("{}: removed a partial last line left by an interrupted run", self.path.name)

    def append(self, record: dict[str, Any]) -> None:
        """Append one record as one line (a single write on an O_APPEND descriptor)."""
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot write {str(self.path)!r}: {exc.strerror or exc}.") from None
        try:
            view = memoryview(line)
            while view:  # a regular file may take fewer bytes than asked; finish the line
                view = view[os.write(fd, view) :]
        except OSError as exc:
            raise OutputError(f"cannot write {str(self.path)!r}: {exc.strerror or exc}.") from None
        finally:
            os.close(fd)

    def rewrite_without(self, hadm_ids: set[int]) -> int:
        """Atomically rewrite the file without the lines of ``hadm_ids`` (streamed); return how many went."""
        if not self.path.exists() or not hadm_ids:
            return 0
        dropped = 0
        with open(self.path, encoding="utf-8") as src, atomic_open(self.path, "w") as dst:
            for line in src:
                try:
                    hadm_id = int(json.loads(line)["hadm_id"])
                except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                    hadm_id = None
                if hadm_id in hadm_ids:
                    dropped += 1
                    continue
                dst.write(line)
        return dropped

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    logger.warning("{}: skipping unreadable line {}", self.path.name, lineno)


class RunDirectory:
    """``outputs/<run>/``: config.yaml, manifest.json, predictions.jsonl, scores.jsonl, summary files."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        ensure_dir(self.root)
        self.predictions = JsonlStream(self.root / "predictions.jsonl")
        self.scores = JsonlStream(self.root / "scores.jsonl")

    @property
    def config_path(self) -> Path:
        return self.root / "config.yaml"

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def check_resumable(self, identity: dict[str, Any]) -> bool:
        """Return True when the directory holds an earlier run with the same identity.

        Raises:
            ConfigError: when it holds a run of another program, LM or data set.
        """
        if not self.manifest_path.exists():
            return False
        try:
            earlier = json.loads(self.manifest_path.read_text(encoding="utf-8")).get("identity", {})
        except (OSError, json.JSONDecodeError):
            earlier = {}
        earlier, identity = _comparable(earlier), _comparable(identity)
        differs = sorted(k for k in identity if earlier.get(k) != identity[k])
        if differs:
            raise ConfigError(
                f"run directory {str(self.root)!r} holds a run with a different {', '.join(differs)}; "
                "choose another run=NAME, or delete that directory to start over."
            )
        return True

    def write_config(self, yaml_text: str) -> None:
        atomic_write_text(self.config_path, yaml_text)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        atomic_write_text(self.manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n")

    def drop_cases(self, hadm_ids: set[int]) -> int:
        """Remove the lines of ``hadm_ids`` from scores.jsonl, then predictions.jsonl (each rewritten atomically).

        Returns:
            The number of predictions lines removed.
        """
        self.scores.rewrite_without(hadm_ids)
        return self.predictions.rewrite_without(hadm_ids)

    def error_ids(self) -> set[int]:
        """hadm_ids whose last predictions line has ``status: "error"``."""
        status: dict[int, str] = {}
        for record in self.predictions:
            status[int(record["hadm_id"])] = str(record.get("status"))
        return {hadm_id for hadm_id, value in status.items() if value == "error"}

    def finished_ids(self, include_errors: bool = True) -> set[int]:
        """hadm_ids already recorded in predictions.jsonl (optionally only the successful ones)."""
        done: set[int] = set()
        for record in self.predictions:
            if include_errors or record.get("status") == "ok":
                done.add(int(record["hadm_id"]))
        return done
