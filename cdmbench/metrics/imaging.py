"""Imaging 0-2 (scoring-rules.md section 5, ``imaging.json``).

Every imaging call is normalized with ``normalize_imaging_request``, the function the imaging tool uses
(defect 5), so "US of the RUQ" and "Ultrasound, Abdomen" are the same request; a pelvis request counts as
Abdomen. Then, in call order:

1. A request that cannot be normalized, that is not of the abdomen, or whose modality is not in the
   pathology's table (MRCP for every pathology, MRI for pancreatitis) is unnecessary and scores nothing.
2. A repeat of a (region, modality) already counted correct is unnecessary and never changes the score
   (decided before scoring, defect 11).
3. Otherwise the request is correct; while the score is still 0 it sets the score to its points.
4. Pancreatitis EUS is valid; when a ground-truth diagnosis positively mentions "biliary", the first EUS request
   adds 1, capped at 2 (defect 4; CDMv1 added 1 on every EUS request, without a cap).

The protocol reads the requests (``cdmv1``: CDMv1's dictionaries, so "RUQ ultrasound" is not understood) and
sets the cap of the EUS bonus (``cdmv1``: none, so an ultrasound then an EUS scores 3). In both protocols a repeat
is decided before scoring (CDMv1 scored first, so every repeated EUS added 1 more; a plain bug fix shared by both).
A call whose tool failed (``failed``) returned no report: it scores nothing and is not listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cdmbench.metrics.core import ToolCallInput
from cdmbench.metrics.pathologies import PathologyConfig
from cdmbench.metrics.tools import IMAGING

if TYPE_CHECKING:
    from cdmbench.protocols import Protocol

__all__ = ["MAX_IMAGING_SCORE", "ImagingResult", "score_imaging"]

MAX_IMAGING_SCORE = 2
"""The imaging score never exceeds this (cdmbench caps the biliary EUS bonus)."""


@dataclass
class ImagingResult:
    """The imaging score with what it was computed from."""

    score: int = 0
    correct: list[dict[str, str | None]] = field(default_factory=list)
    unnecessary: list[dict[str, str | None]] = field(default_factory=list)
    first_scoring: str | None = None
    """The request that set the score, e.g. 'CT of the Abdomen'."""
    notes: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        """One sentence on how the score came about."""
        text = "; ".join(self.notes) or "no imaging was requested"
        return text[0].upper() + text[1:] + "."


def _describe(region: str | None, modality: str | None) -> str:
    return f"{modality or '?'} of the {region or '?'}"


def _preferred(config: PathologyConfig) -> str:
    best = max(config.imaging_points.values(), default=0)
    return " or ".join(m for m, p in config.imaging_points.items() if p == best)


def score_imaging(
    calls: Sequence[ToolCallInput], config: PathologyConfig, biliary: bool, protocol: Protocol | None = None
) -> ImagingResult:
    """Score the imaging requests of a trajectory.

    Args:
        calls: all tool calls in order (only ``imaging`` calls are read).
        config: the case's pathology configuration.
        biliary: a ground-truth diagnosis positively mentions "biliary" (pancreatitis EUS bonus).
        protocol: the protocol (default ``cdmbench``): how requests are read and the EUS bonus is capped.
    """
    from cdmbench.protocols import get_protocol

    protocol = get_protocol(protocol)
    result = ImagingResult()
    eus_bonus_used = False
    for call in calls:
        if call.name != IMAGING:
            continue
        if call.failed:  # no report came back: the study was not done
            result.notes.append(
                f"an imaging call ({call.args.get('modality')!r} of {call.args.get('region')!r}) failed"
            )
            continue
        raw_region, raw_modality = call.args.get("region"), call.args.get("modality")
        request = protocol.normalize_imaging(
            None if raw_region is None else str(raw_region), None if raw_modality is None else str(raw_modality)
        )
        if not request.valid:
            result.unnecessary.append({"region": request.raw_region, "modality": request.raw_modality})
            result.notes.append(f"request {request.raw_modality!r} of {request.raw_region!r} not understood")
            continue
        entry = {"region": request.region, "modality": request.modality}
        what = _describe(request.region, request.modality)
        if request.region != config.imaging_region or request.modality not in config.imaging_points:
            result.unnecessary.append(entry)
            result.notes.append(f"{what} scores nothing for {config.name}")
            continue
        if entry in result.correct:
            result.unnecessary.append(entry)
            result.notes.append(f"{what} repeated (unnecessary)")
            continue
        result.correct.append(entry)
        points = config.imaging_points[request.modality]
        if request.modality == "EUS" and config.eus_biliary_bonus:
            if biliary and not eus_bonus_used:
                eus_bonus_used = True
                result.score = protocol.imaging_score(result.score)
                result.first_scoring = result.first_scoring or what
                result.notes.append(f"{what} adds 1 for a biliary {config.name} (score {result.score})")
            else:
                result.notes.append(f"{what} is valid but adds nothing without a biliary diagnosis")
            continue
        if result.score == 0 and points > 0:
            result.score = points
            result.first_scoring = what
            result.notes.append(f"first scored request {what}: {points} point(s)")
        else:
            result.notes.append(f"{what} is valid but the score was already set")
    if not result.notes:
        result.notes.append("no imaging was requested")
    if result.score < MAX_IMAGING_SCORE:
        result.notes.append(f"the preferred first imaging for {config.name} is {_preferred(config)} of the abdomen")
    return result
