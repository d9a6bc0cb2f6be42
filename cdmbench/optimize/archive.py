"""Bundle archives: pack a bundle directory into a reproducible ``.tar.gz``, read one back safely.

Packing is deterministic (sorted names, fixed mtimes, owner and mode; gzip header without a time or
name), so the same bundle always gives the same bytes. Reading never extracts to disk: the members are read
into memory, and an archive with an absolute path, a ``..`` component, a link or a special file is refused.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from cdmbench.io import atomic_write_bytes
from cdmbench.optimize.errors import BundleError

__all__ = ["ARCHIVE_SUFFIXES", "is_archive", "pack_files", "read_archive"]

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
"""File names taken as bundle archives."""

_MTIME = 0
_MAX_MEMBER_BYTES = 256 * 1024 * 1024


def is_archive(path: Path) -> bool:
    """Whether ``path`` names a bundle archive (by its suffix)."""
    return any(path.name.endswith(suffix) for suffix in ARCHIVE_SUFFIXES)


def pack_files(directory: Path, names: Iterable[str], out: Path) -> None:
    """Write the files ``names`` of ``directory`` into the gzip tar ``out`` (flat, sorted, fixed metadata)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(names):
            data = (directory / name).read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = _MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=_MTIME, compresslevel=9) as gz:
        gz.write(buffer.getvalue())
    atomic_write_bytes(out, packed.getvalue())


def _safe_name(name: str, archive: Path) -> str:
    path = PurePosixPath(name)
    if (
        name.startswith(("/", "\\"))
        or path.is_absolute()
        or ".." in path.parts
        or (path.parts and ":" in path.parts[0])
    ):
        raise BundleError(f"{archive}: unsafe member path {name!r} (absolute or with '..'); refusing the archive.")
    return str(path)


def read_archive(archive: Path, wanted: Iterable[str]) -> dict[str, bytes]:
    """Read the members ``wanted`` (by base name, flat or in one top folder) of a bundle archive into memory.

    Raises:
        BundleError: the archive cannot be read, holds an unsafe member, or lacks a wanted file.
    """
    wanted = set(wanted)
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for member in tar.getmembers():
                name = _safe_name(member.name, archive)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BundleError(f"{archive}: member {name!r} is a link or special file; refusing the archive.")
                base = PurePosixPath(name).name
                if base not in wanted or len(PurePosixPath(name).parts) > 2:
                    continue
                if member.size > _MAX_MEMBER_BYTES:
                    raise BundleError(f"{archive}: member {name!r} is larger than {_MAX_MEMBER_BYTES} bytes.")
                if base in found:
                    raise BundleError(f"{archive}: holds {base!r} more than once; export the bundle again.")
                handle = tar.extractfile(member)
                found[base] = handle.read() if handle else b""
    except tarfile.ReadError:
        raise BundleError(
            f"cannot read bundle archive {archive}: not a readable .tar.gz (damaged, truncated or not an archive); "
            "export it again with `cdmbench export`."
        ) from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        reason = " ".join(str(exc).split())  # one line, whatever the library says
        raise BundleError(
            f"cannot read bundle archive {archive}: {reason}; export it again with `cdmbench export`."
        ) from None
    missing = sorted(wanted - set(found))
    if missing:
        raise BundleError(f"{archive}: not a cdmbench bundle archive, it lacks {', '.join(missing)}.")
    return found
