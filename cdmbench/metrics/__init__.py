"""CDMv1 scoring: per-pathology scorers, negation, ``cdmbench score`` and the DSPy metrics.

Public API:
    Scoring: ``score_case``, ``score_error``, ``get_scorer``, ``SCORERS``, ``PathologyScorer``, ``CaseScore``,
    ``Scores``, ``Answers``, ``ScoringInput``, ``pathology_config``.
    Negation: ``is_positive``, ``negation_trigger``.
    DSPy: ``MetricWeights``, ``make_metric``, ``make_feedback_metric``, ``weighted_score``.

``dspy_metrics`` (which imports dspy) is loaded on first use of its names, so scoring stays light.
"""

from __future__ import annotations

from typing import Any

from cdmbench.metrics.core import SCORE_KEYS, Answers, CaseScore, Scores, ScoringInput, as_scoring_input
from cdmbench.metrics.negation import is_positive, negation_trigger
from cdmbench.metrics.pathologies import PathologyConfig, pathology_config
from cdmbench.metrics.scorer import SCORERS, PathologyScorer, get_scorer, score_case, score_error

__all__ = [
    "SCORERS",
    "SCORE_KEYS",
    "Answers",
    "CaseScore",
    "MetricWeights",
    "PathologyConfig",
    "PathologyScorer",
    "Scores",
    "ScoringInput",
    "as_scoring_input",
    "get_scorer",
    "is_positive",
    "make_feedback_metric",
    "make_metric",
    "negation_trigger",
    "pathology_config",
    "score_case",
    "score_error",
    "weighted_score",
]

_DSPY_NAMES = ("MetricWeights", "make_feedback_metric", "make_metric", "weighted_score")


def __getattr__(name: str) -> Any:
    if name in _DSPY_NAMES:
        from cdmbench.metrics import dspy_metrics

        return getattr(dspy_metrics, name)
    raise AttributeError(f"module 'cdmbench.metrics' has no attribute {name!r}")
