"""The imaging tool: a normalized (region, modality) request answered with the case's next matching report.

A request goes through the one imaging vocabulary (``cdmbench.vocabulary.imaging``) before it is matched,
so "US of the RUQ" and "Ultrasound, Abdomen" are the same request. The k-th identical (normalized)
request returns the k-th matching report, as in CDMv1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from cdmbench.cases import RadiologyReport
from cdmbench.environment.formatting import format_radiology_report
from cdmbench.vocabulary.imaging import MODALITIES, REGIONS
from cdmbench.vocabulary.imaging_requests import ImagingRequest, normalize_imaging_request, report_matches

__all__ = ["ImagingAnswer", "ImagingTool"]


class ImagingAnswer:
    """What the imaging tool made of one request."""

    __slots__ = ("normalized_args", "observation", "valid")

    def __init__(self, observation: str, normalized_args: dict[str, Any], valid: bool) -> None:
        self.observation = observation
        self.normalized_args = normalized_args
        self.valid = valid


class ImagingTool:
    """Radiology reports of one case behind ``imaging(region, modality)``; remembers repeated requests."""

    def __init__(self, reports: Sequence[RadiologyReport]) -> None:
        self._reports = list(reports)
        self._served: Counter[tuple[str, str]] = Counter()

    def request(self, region: Any, modality: Any) -> ImagingAnswer:
        """Answer one request; an unrecognizable region or modality gives an invalid answer."""
        normalized = normalize_imaging_request(_text(region), _text(modality))
        if not normalized.valid or normalized.region is None or normalized.modality is None:
            normalized_args = {"region": normalized.region, "modality": normalized.modality}
            return ImagingAnswer(_not_understood(normalized), normalized_args, False)
        key = (normalized.region, normalized.modality)
        normalized_args = {"region": normalized.region, "modality": normalized.modality}
        matching = [r for r in self._reports if _answers(r, normalized)]
        rank = self._served[key]
        self._served[key] += 1
        if rank < len(matching):
            return ImagingAnswer(format_radiology_report(matching[rank]), normalized_args, True)
        what = f"{normalized.modality} of the {normalized.region.lower()}"
        if matching:
            observation = f"No further {what} is available: all {len(matching)} such report(s) were already given."
        else:
            observation = f"{what[0].upper()}{what[1:]} is not available for this patient."
        return ImagingAnswer(f"{observation} Try another modality or region.", normalized_args, True)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _answers(report: RadiologyReport, request: ImagingRequest) -> bool:
    return report.region == request.region and report_matches(request.modality, report.modality)


def _not_understood(request: ImagingRequest) -> str:
    return (
        f"Cannot interpret the imaging request: {request.reason or 'region or modality not recognized'}. "
        f"Regions: {', '.join(REGIONS)}. Modalities: {', '.join(MODALITIES)}."
    )
