"""Small file helpers: atomic writes and readable errors for paths.

Writes go to a temporary file in the target directory and are renamed over the target at the end,
so an interrupted or failed command never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from cdmbench.errors import CaseFormatError, DataSourceError, OutputError

__all__ = [
    "DEFAULT_MAX_INPUT_BYTES",
    "atomic_open",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_input_file",
    "ensure_dir",
    "find_lone_surrogate",
    "json_loads",
    "jsonable",
    "max_input_bytes",
    "sha256_file",
]

DEFAULT_MAX_INPUT_BYTES = 8 << 30
"""Largest input file read (8 GiB) unless a command's ``max_input_mb`` says otherwise."""
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _file_in_the_way(path: Path) -> Path | None:
    """The first existing non-directory on the way to ``path`` (a file where a directory is needed)."""
    for part in (*reversed(path.parents), path):
        if part.exists() and not part.is_dir():
            return part
    return None


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) or raise an ``OutputError`` that names it and says what is in the way."""
    path = Path(path)
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise OutputError(
            f"cannot create output directory {str(path)!r}: {str(blocker)!r} is a file, not a directory. "
            "Choose another output location (or move that file away)."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create output directory {str(path)!r}: {exc.strerror or exc}. Choose a writable location."
        ) from None
    if not os.access(path, os.W_OK):
        raise OutputError(f"output directory {str(path)!r} is not writable; choose another location.")
    return path


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; rename it onto ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    ensure_dir(path.parent)
    if path.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: it is a directory; give the path of a file to write.")
    binary = "b" in mode
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror or exc}. Choose a writable location.") from None
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # mkstemp creates 0600; outputs get the usual permissions
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(
                f"cannot write {str(path)!r}: {exc.strerror or exc}. Choose another output path."
            ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8, newlines as given)."""
    with atomic_open(path, "w") as fh:
        fh.write(text)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of ``value``: mappings and sequences recursively, Pydantic models dumped, other objects as str."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return str(value)


def max_input_bytes(value: Any) -> int:
    """``max_input_mb`` (a positive number of MiB, or null for the default) as bytes.

    Raises:
        ConfigError: not a positive number.
    """
    from cdmbench.errors import ConfigError

    if value is None:
        return DEFAULT_MAX_INPUT_BYTES
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(
            f"max_input_mb must be a positive number of MiB or null, got {value!r}; e.g. max_input_mb=512."
        )
    return int(value * (1 << 20))


def check_input_file(path: Path, what: str, max_bytes: int | None = None) -> int:
    """Check, without opening it (a FIFO would block), that ``path`` is a regular file of at most ``max_bytes``.

    Returns:
        The file's size in bytes.

    Raises:
        DataSourceError: missing, a directory, a device, FIFO or socket, or larger than the limit.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataSourceError(f"{what} {str(path)!r} does not exist; check the path.") from None
    except OSError as exc:
        raise DataSourceError(f"cannot read {what} {str(path)!r}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataSourceError(f"{what} {str(path)!r} is a directory; give the path of a file.")
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise DataSourceError(f"{what} {str(path)!r} is {kind}, not a regular file; give the path of a file.")
    limit = DEFAULT_MAX_INPUT_BYTES if max_bytes is None else max_bytes
    if info.st_size > limit:
        raise DataSourceError(
            f"{what} {str(path)!r} is {info.st_size:,} bytes, over the {limit / (1 << 20):g} MiB limit "
            f"({limit:,} bytes); raise max_input_mb=... if the file is right."
        )
    return info.st_size


def json_loads(text: str, where: str) -> Any:
    """``json.loads`` with one clear error for inputs that are valid JSON text but not sane data.

    Raises:
        json.JSONDecodeError: broken JSON (callers report position and message).
        CaseFormatError: nesting deeper than Python can hold, or a number with thousands of digits.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise CaseFormatError(
            f"{where}: JSON nested too deeply (over {sys.getrecursionlimit()} levels); no cdmbench file is."
        ) from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # Python refuses integers of more than 4300 digits
        raise CaseFormatError(
            f"{where}: a number in it is too long ({' '.join(str(exc).split())[:80]}); ids must fit in 64 bits."
        ) from None


def find_lone_surrogate(text: str, value: Any, path: str = "") -> str | None:
    """The dotted path of the first string in ``value`` holding a lone surrogate (not text), if any.

    ``text`` is the raw JSON: only when it has a ``\\ud800``-style escape is ``value`` walked.
    """
    if not _SURROGATE_ESCAPE.search(text):
        return None
    return _walk_surrogates(value, path)


def _walk_surrogates(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(value)"
        return None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and _walk_surrogates(key, path) is not None:
            return f"{path}.{key!r}".lstrip(".")
        found = _walk_surrogates(item, f"{path}.{key}".lstrip("."))
        if found is not None:
            return found
    return None
