"""95% confidence intervals: Wilson score intervals for shares, percentile bootstrap for means.

Both functions are pure and deterministic: the bootstrap draws from a seeded NumPy generator, so the same
values and seed always give the same interval.

Example:
    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

__all__ = ["BOOTSTRAP_RESAMPLES", "BOOTSTRAP_SEED", "CONFIDENCE", "bootstrap_interval", "wilson_interval"]

CONFIDENCE = 0.95
"""The confidence level of every interval cdmbench reports."""

BOOTSTRAP_RESAMPLES = 2000
"""Default number of bootstrap resamples."""

BOOTSTRAP_SEED = 0
"""Default seed of the bootstrap generator."""


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Return the Wilson score interval of a binomial share ``successes / n``.

    Args:
        successes: number of cases with the outcome (0 <= successes <= n).
        n: number of cases.
        confidence: the confidence level (0.95 gives z = 1.96).

    Returns:
        ``(low, high)`` within [0, 1], or ``None`` when ``n`` is 0.

    Example:
        >>> wilson_interval(0, 0) is None
        True
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return None
    z = _z(confidence)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def bootstrap_interval(
    values: Sequence[float] | np.ndarray,
    confidence: float = CONFIDENCE,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float] | None:
    """Return the percentile bootstrap interval of the mean of ``values``.

    Resampling with replacement is done on the distinct values (a multinomial draw over their counts), which is
    the same distribution as resampling the cases and fast for the small integer scores of the benchmark.

    Args:
        values: one number per case.
        confidence: the confidence level.
        n_resamples: number of bootstrap resamples.
        seed: seed of the NumPy generator (same seed, same interval).

    Returns:
        ``(low, high)``, or ``None`` when ``values`` is empty.

    Example:
        >>> bootstrap_interval([1.0, 1.0, 1.0])
        (1.0, 1.0)
    """
    _z(confidence)
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be positive, got {n_resamples}")
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        return None
    distinct, counts = np.unique(array, return_counts=True)
    if distinct.size == 1:
        return float(distinct[0]), float(distinct[0])
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(array.size, counts / array.size, size=n_resamples)
    means = draws @ distinct / array.size
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return float(low), float(high)
