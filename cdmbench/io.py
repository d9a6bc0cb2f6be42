"""Small file helpers: atomic writes and readable errors for paths.

Writes go to a temporary file in the target directory and are renamed over the target at the end,
so an interrupted or failed command never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from cdmbench.errors import OutputError

__all__ = [
    "atomic_open",
    "atomic_write_bytes",
    "atomic_write_text",
    "ensure_dir",
    "jsonable",
    "sha256_file",
]


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
