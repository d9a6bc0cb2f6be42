"""The run directory (docs/formats.md "Run directory"): config, manifest, and line-atomic JSONL streams.

Each finished case is appended as one line with a single ``write`` on an ``O_APPEND`` file, so a crash
can at worst leave a partial last line; opening the directory again removes such a line, and a
rerun skips the cases already recorded. ``replace_case`` (``retry_errors=true``) puts a retried case's new
lines in place of its old ones with atomic rewrites, so an aborted or killed retry keeps every case. A directory
with outputs but no manifest.json is refused: it cannot be told apart from another run.
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
        "launch",
    }
)
"""LM settings that say how the model is reached, not which model answers: a run resumes (and shards merge)
across them, e.g. when vLLM comes back on another node or port, or is started by the job (``launch``) this time.
``launch_args`` stays in the identity: ``vllm serve`` arguments can change the answers (quantization, seed)."""


def lm_identity(lm: dict[str, Any]) -> dict[str, Any]:
    """The part of the (redacted) LM config that identifies the answers: model, preset, generation settings."""
    return {k: v for k, v in lm.items() if k not in OPERATIONAL_LM_KEYS}


def _comparable(identity: dict[str, Any]) -> dict[str, Any]:
    if isinstance(identity.get("lm"), dict):
        return {**identity, "lm": lm_identity(identity["lm"])}
    return identity


def _line_id(line: str) -> int | None:
    try:
        return int(json.loads(line)["hadm_id"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, RecursionError):
        return None


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
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        try:
            try:
                fd = os.open(self.path, flags, 0o644)
            except FileNotFoundError:  # the run directory is created with its first output
                ensure_dir(self.path.parent)
                fd = os.open(self.path, flags, 0o644)
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

    def replace(self, record: dict[str, Any]) -> None:
        """Atomically rewrite the file with ``record``'s line at the end instead of its case's earlier lines.

        The new line is in the file before the old one goes: an interrupted rewrite leaves the file as it was.
        """
        hadm_id = int(record["hadm_id"])
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        with atomic_open(self.path, "w") as dst:
            if self.path.exists():
                with open(self.path, encoding="utf-8") as src:
                    for old in src:
                        if _line_id(old) != hadm_id:
                            dst.write(old)
            dst.write(line)

    def rewrite_without(self, hadm_ids: set[int]) -> int:
        """Atomically rewrite the file without the lines of ``hadm_ids`` (streamed); return how many went."""
        if not self.path.exists() or not hadm_ids:
            return 0
        dropped = 0
        with open(self.path, encoding="utf-8") as src, atomic_open(self.path, "w") as dst:
            for line in src:
                if _line_id(line) in hadm_ids:
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
        if self.root.exists():
            ensure_dir(self.root)  # a file in the way or an unwritable directory: say so now
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
            outputs = [p.name for p in (self.predictions.path, self.scores.path) if p.exists() and p.stat().st_size]
            if outputs:
                raise ConfigError(
                    f"run directory {str(self.root)!r} holds {' and '.join(outputs)} but no manifest.json, so "
                    "cdmbench cannot tell which run they belong to; choose another run=NAME, or delete that "
                    "directory to start over."
                )
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

    def create(self) -> None:
        """Create the directory (only once the command is sure to run: failures before that write nothing)."""
        ensure_dir(self.root)

    def replace_case(self, prediction: dict[str, Any], score: dict[str, Any]) -> None:
        """Put a retried case's new lines in place of its old ones, never losing a case on the way.

        Scores first go without the case (the prediction left then is re-scored on resume), then the
        predictions line is replaced (atomic rewrite), then the new score is appended.
        """
        hadm_id = int(prediction["hadm_id"])
        self.scores.rewrite_without({hadm_id})
        self.predictions.replace(prediction)
        self.scores.append(score)

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

    def error_ids(self, kind: str | None = None) -> set[int]:
        """hadm_ids whose last predictions line has ``status: "error"`` (only ``error_kind`` ``kind``, when given)."""
        kinds = self.error_kinds()
        return {hadm_id for hadm_id, value in kinds.items() if kind is None or value == kind}

    def error_kinds(self) -> dict[int, str | None]:
        """hadm_id -> ``error_kind`` (None when the line names none) of each case whose last line is an error."""
        last: dict[int, dict] = {}
        for record in self.predictions:
            last[int(record["hadm_id"])] = record
        return {h: r.get("error_kind") for h, r in last.items() if r.get("status") == "error"}

    def finished_ids(self, include_errors: bool = True) -> set[int]:
        """hadm_ids already recorded in predictions.jsonl (optionally only the successful ones)."""
        done: set[int] = set()
        for record in self.predictions:
            if include_errors or record.get("status") == "ok":
                done.add(int(record["hadm_id"]))
        return done
