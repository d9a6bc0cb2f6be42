"""The records of a paired comparison: ``PairedRow`` per pathology and metric, ``Comparison`` (``compare.json``)."""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel

__all__ = ["Comparison", "PairedRow"]


class PairedRow(BaseModel):
    """One pathology x metric of a paired comparison."""

    pathology: str
    """A pathology, or ``"overall"``."""
    metric: str
    """The metric name (as in the summary)."""
    n: int
    """Number of shared cases with the metric in both runs."""
    mean_a: float
    """Mean of run A over those cases."""
    mean_b: float
    """Mean of run B over those cases."""
    difference: float
    """``mean_b - mean_a``."""
    ci_low: float
    """Lower end of the paired bootstrap interval of the difference."""
    ci_high: float
    """Upper end of the interval."""
    binary: bool
    """True for a 0/1 metric (then the McNemar fields are set)."""
    a_only: int | None = None
    """Discordant pairs with A = 1 and B = 0."""
    b_only: int | None = None
    """Discordant pairs with A = 0 and B = 1."""
    mcnemar_p: float | None = None
    """Two-sided exact McNemar p-value (binomial test of the discordant pairs)."""


class Comparison(BaseModel):
    """What ``compare_runs`` returns and ``compare.json`` holds."""

    run_a: str
    """Run A (the baseline): its directory."""
    run_b: str
    """Run B: its directory; every difference is B - A."""
    shared: int
    """Cases scored in both runs."""
    only_a: int
    """Cases scored only in A (left out)."""
    only_b: int
    """Cases scored only in B (left out)."""
    confidence: float
    """Confidence level of every interval."""
    bootstrap_resamples: int
    """Bootstrap resamples per interval."""
    bootstrap_seed: int
    """Bootstrap seed (same runs and seed, same intervals)."""
    rows: list[PairedRow]
    """One row per pathology (then overall) and metric with at least one pair."""

    def to_frame(self) -> pd.DataFrame:
        """The rows as a table, one column per ``PairedRow`` field."""
        return pd.DataFrame([r.model_dump() for r in self.rows], columns=list(PairedRow.model_fields))

    def get(self, pathology: str, metric: str) -> PairedRow | None:
        """The row of ``pathology`` and ``metric``, or None."""
        return next((r for r in self.rows if r.pathology == pathology and r.metric == metric), None)
