"""Shards: a deterministic partition of a run's cases (``shard=i/n``), one per SLURM array task.

Cases are ordered by ``hadm_id`` and case number ``k`` of that order goes to shard ``k mod n``: the shards are
disjoint, cover every case, differ in size by at most one, and do not depend on the order of the cases file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cdmbench.cases import Case
from cdmbench.errors import ConfigError

__all__ = ["Shard", "parse_shard", "shard_cases"]

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (0-based) of ``count``."""

    index: int
    count: int

    @property
    def spec(self) -> str:
        """``"i/n"``, as given on the command line."""
        return f"{self.index}/{self.count}"

    @property
    def suffix(self) -> str:
        """The run-name suffix ``-shard-i-of-n``."""
        return f"-shard-{self.index}-of-{self.count}"


def parse_shard(value: object) -> Shard | None:
    """Parse ``shard=i/n`` (None or empty: no sharding).

    Raises:
        ConfigError: not of the form ``i/n`` with ``0 <= i < n``.

    Example:
        >>> parse_shard("1/4")
        Shard(index=1, count=4)
    """
    if value is None or str(value).strip() in ("", "null", "None"):
        return None
    match = _SPEC.match(str(value))
    if not match:
        raise ConfigError(
            f"shard={value!r} is not of the form i/n (e.g. shard=0/4: the first of four shards, "
            "i from 0 to n-1; in a SLURM array: shard=$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)."
        )
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or index >= count:
        raise ConfigError(f"shard={value!r}: need 0 <= i < n (shards are numbered 0 to n-1).")
    return Shard(index, count)


def shard_cases(cases: Sequence[Case], shard: Shard | None) -> list[Case]:
    """The cases of ``shard`` (all of them when ``shard`` is None), in their original order."""
    if shard is None:
        return list(cases)
    order = sorted(range(len(cases)), key=lambda i: cases[i].hadm_id)
    chosen = {i for k, i in enumerate(order) if k % shard.count == shard.index}
    return [case for i, case in enumerate(cases) if i in chosen]
