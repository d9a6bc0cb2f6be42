"""How the optimize metrics score one prediction: under the run's protocol, with one lab dictionary for all cases.

``cdmbench evaluate`` scores a prediction with ``score_case`` under its protocol and a lab dictionary built from
every loaded case; the optimizer's metric, the dev and val scores and GEPA's feedback do the same here, so an
optimize run under ``protocol=cdmv1`` optimizes for the numbers a ``cdmv1`` evaluate run reports.

Example:
    >>> scorer = PredictionScorer.build("cdmv1", cases)
    >>> scored, problem = scorer(case, dspy.Prediction(diagnosis="Acute appendicitis", treatments=[], tool_calls=[]))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cdmbench.cases import Case
from cdmbench.metrics.core import CaseScore
from cdmbench.protocols import CDMBENCH, Protocol, get_protocol
from cdmbench.vocabulary.lab_dictionary import LabDictionary

__all__ = ["PredictionScorer"]


@dataclass(frozen=True)
class PredictionScorer:
    """Scores predictions against their cases under ``protocol`` with ``dictionary``."""

    protocol: Protocol = CDMBENCH
    """The protocol whose rules read the trajectory and the answer."""
    dictionary: LabDictionary | None = field(default=None, repr=False)
    """The lab label dictionary (None: per case, the reference labels plus the case's own)."""

    @classmethod
    def build(cls, protocol: str | Protocol | None = None, cases: Sequence[Case] = ()) -> PredictionScorer:
        """The scorer of ``protocol`` (default ``cdmbench``) with one dictionary of ``cases`` (pass all loaded
        cases: train, dev and val)."""
        chosen = get_protocol(protocol)
        return cls(chosen, chosen.lab_dictionary(cases) if cases else None)

    def __call__(self, case: Case, pred: Any) -> tuple[CaseScore | None, str]:
        """The scored case, or None and why the prediction could not be read."""
        from cdmbench.metrics.dspy_metrics import score_prediction

        return score_prediction(case, pred, self.dictionary, self.protocol)
