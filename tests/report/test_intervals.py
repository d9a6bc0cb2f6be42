"""Wilson and bootstrap intervals against known values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cdmbench.report.intervals import bootstrap_interval, wilson_interval


def test_wilson_8_of_10_matches_the_textbook_value():
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_large_sample_is_close_to_the_normal_interval():
    low, high = wilson_interval(500, 1000)
    half = 1.959964 * math.sqrt(0.25 / 1000)
    assert low == pytest.approx(0.5 - half, abs=1e-3)
    assert high == pytest.approx(0.5 + half, abs=1e-3)


def test_wilson_edges():
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(10, 10)
    assert high == 1.0 and low == pytest.approx(0.7225, abs=1e-4)
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_bootstrap_is_reproducible_with_a_seed_and_contains_the_mean():
    rng = np.random.default_rng(42)
    values = rng.integers(0, 3, size=200).astype(float)
    first = bootstrap_interval(values, seed=7)
    assert first == bootstrap_interval(values, seed=7)
    assert first != bootstrap_interval(values, seed=8)
    low, high = first
    assert low < values.mean() < high


def test_bootstrap_matches_the_normal_approximation_for_a_share():
    values = [1.0] * 300 + [0.0] * 700
    low, high = bootstrap_interval(values, n_resamples=4000)
    half = 1.959964 * math.sqrt(0.3 * 0.7 / 1000)
    assert low == pytest.approx(0.3 - half, abs=0.006)
    assert high == pytest.approx(0.3 + half, abs=0.006)


def test_bootstrap_edges():
    assert bootstrap_interval([]) is None
    assert bootstrap_interval([2.0, 2.0]) == (2.0, 2.0)
    with pytest.raises(ValueError):
        bootstrap_interval([1.0, 2.0], n_resamples=0)
