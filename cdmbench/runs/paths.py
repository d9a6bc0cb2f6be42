"""``runs=``: the run directories a command reads (``merge``, ``compare``, ``plot``, ``leaderboard``).

One reader for all of them: a list (``runs=[outputs/a,outputs/b]``) or a comma-separated string, each entry a
directory or a glob (``runs=outputs/test-cdm_agent-qwen3_4b-shard-*``). A glob keeps only the directories that hold
the command's marker file (so ``runs=outputs/*`` skips compare or leaderboard folders); a directory named outright
must hold it. The order is the order given, globs sorted; a directory named twice counts once (unless the
command asks for every entry).

Example:
    >>> run_dirs("outputs/test-shard-*", marker="predictions.jsonl")
    [PosixPath('outputs/test-shard-0-of-2'), PosixPath('outputs/test-shard-1-of-2')]
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from loguru import logger

from cdmbench.errors import ConfigError, DataSourceError

__all__ = ["run_dirs"]


def _entries(value: Any) -> list[str]:
    from omegaconf import DictConfig, ListConfig, OmegaConf

    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, ListConfig):
        value = OmegaConf.to_container(value, resolve=True)
    if isinstance(value, DictConfig | dict) or not isinstance(value, list | tuple):
        raise ConfigError(
            f"runs must be a list of run directories or globs, got {value!r}; write runs=[outputs/a,outputs/b] or "
            "runs=outputs/*."
        )
    return [str(v).strip() for v in value if str(v).strip()]


def run_dirs(
    value: Any, marker: str, minimum: int = 1, usage: str = "", check_named: bool = True, unique: bool = True
) -> list[Path]:
    """The run directories ``value`` names (see the module docstring).

    Args:
        value: the ``runs`` setting.
        marker: the file a run directory holds for this command (``scores.jsonl``, ``predictions.jsonl``).
        minimum: how many runs the command needs.
        usage: how to call the command, appended to the errors.
        check_named: refuse a directory named outright that holds no ``marker`` (False: the command checks it).
        unique: keep a directory named twice once (False: ``compare`` may set a run beside itself).

    Raises:
        ConfigError: not a list or string, a glob that matches nothing, or fewer than ``minimum`` runs.
        DataSourceError: a directory named outright that is not a run directory (no ``marker``).
    """
    found: list[Path] = []
    for entry in _entries(value):
        if not glob.has_magic(entry):
            path = Path(entry)
            if check_named and not (path / marker).is_file():
                what = "does not exist" if not path.exists() else f"is not a run directory (it has no {marker})"
                raise DataSourceError(f"{entry!r} {what}. {usage}".strip())
            found.append(path)
            continue
        matches = sorted(Path(m) for m in glob.glob(entry))
        runs = [m for m in matches if (m / marker).is_file()]
        for skipped in set(matches) - set(runs):
            logger.debug("runs={}: skipping {} (no {})", entry, skipped, marker)
        if not runs:
            raise ConfigError(f"runs entry {entry!r} matches no run directory (none holds {marker}). {usage}".strip())
        found += runs
    if unique:
        found = list(dict.fromkeys(found))
    if len(found) < minimum:
        need = "a run directory" if minimum == 1 else f"at least {minimum} run directories"
        raise ConfigError(f"this command needs {need}, got {len(found)}. {usage}".strip())
    return found
