"""Honest lift: a held-out ``val`` set the optimizer never sees, and the paired interval of the lift on it.

Optimization uses three disjoint sets: ``train`` (demos), ``dev`` (the optimizer's selection) and ``val``, on
which the program before and after optimization are both scored. ``val`` is a given cases file (``val=``) or,
by default, a seeded slice of dev (``val_fraction``), stratified by pathology; the optimizer then gets only
the rest of dev. The lift's 95% interval is a percentile bootstrap over the per-case differences (paired: the
same cases before and after).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from cdmbench.cases import Case, case_hash
from cdmbench.data_export.splits import content_hash
from cdmbench.errors import ConfigError
from cdmbench.optimize.manifest import Lift
from cdmbench.report.intervals import bootstrap_interval

__all__ = ["check_disjoint", "paired_lift", "slice_val"]


def slice_val(dev: Sequence[Case], fraction: float, seed: int) -> tuple[list[Case], list[Case]]:
    """Split dev into (selection, val): per pathology a seeded ``fraction`` goes to val; each keeps a case.

    Raises:
        ConfigError: the fraction is outside (0, 1), or dev has fewer than two cases.
    """
    if not 0 < fraction < 1:
        raise ConfigError(f"val_fraction={fraction}: give a fraction of dev between 0 and 1, or val=<cases file>.")
    if len(dev) < 2:
        raise ConfigError(
            f"dev has {len(dev)} case(s): a held-out val slice needs at least two; give more dev cases, "
            "val=<file>, or val_fraction=null (no honest lift then)."
        )
    rng = random.Random(seed)
    groups: dict[str, list[Case]] = {}
    for case in dev:
        groups.setdefault(str(case.pathology), []).append(case)
    chosen: set[int] = set()
    for name in sorted(groups):
        members = list(groups[name])
        rng.shuffle(members)
        chosen |= {c.hadm_id for c in members[: round(len(members) * fraction)]}
    if not chosen:
        chosen = {rng.choice(list(dev)).hadm_id}
    if len(chosen) == len(dev):
        chosen.discard(next(iter(sorted(chosen))))
    return [c for c in dev if c.hadm_id not in chosen], [c for c in dev if c.hadm_id in chosen]


def check_disjoint(sets: dict[str, Sequence[Case]]) -> None:
    """Refuse sets (train, dev, val) that share a case: same hadm_id, same case or same content.

    Raises:
        ConfigError: naming the two sets and the first shared hadm_ids.
    """
    keys = {
        role: {c.hadm_id: {("id", c.hadm_id), ("case", case_hash(c)), ("content", content_hash(c))} for c in cases}
        for role, cases in sets.items()
    }
    roles = list(sets)
    for i, first in enumerate(roles):
        for second in roles[i + 1 :]:
            theirs = set().union(*keys[second].values()) if keys[second] else set()
            shared = sorted(h for h, mine in keys[first].items() if mine & theirs)
            if shared:
                shown = ", ".join(map(str, shared[:5])) + (" ..." if len(shared) > 5 else "")
                raise ConfigError(
                    f"{first} and {second} share {len(shared)} case(s) (hadm_id {shown}); train, dev and val must "
                    "be disjoint for an honest score. Give disjoint files (e.g. from `cdmbench split`)."
                )


def paired_lift(before: Sequence[float], after: Sequence[float]) -> Lift:
    """Mean of ``after - before`` per case with its 95% percentile bootstrap interval (paired)."""
    if len(before) != len(after):
        raise ValueError("before and after must score the same cases")
    differences = [b - a for a, b in zip(before, after, strict=True)]
    if not differences:
        return Lift(mean=0.0, ci_low=None, ci_high=None, n=0)
    interval = bootstrap_interval(differences)
    low, high = interval if interval is not None else (None, None)
    return Lift(mean=round(sum(differences) / len(differences), 6), ci_low=low, ci_high=high, n=len(differences))
