"""The imaging tool: a (region, modality) request answered with the case's next matching report.

The protocol reads the request (``cdmbench``: the one imaging vocabulary, ``cdmbench.vocabulary.imaging``, so
"US of the RUQ" and "Ultrasound, Abdomen" are the same request; ``cdmv1``: CDMv1's dictionaries,
``cdmbench.vocabulary.cdmv1_imaging``), files each report under its (region, modality), says which report
modalities answer a request, and writes the answer. The k-th identical (read) request returns the k-th matching
report, as in CDMv1; after the last one the tool says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cdmbench.cases import RadiologyReport

if TYPE_CHECKING:
    from cdmbench.protocols import Protocol

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

    def __init__(self, reports: Sequence[RadiologyReport], protocol: Protocol) -> None:
        self._protocol = protocol
        self._reports = [(report, protocol.report_key(report)) for report in reports]
        self._served: Counter[tuple[str, str]] = Counter()

    def request(self, region: Any, modality: Any) -> ImagingAnswer:
        """Answer one request; an unrecognizable region or modality gives an invalid answer."""
        protocol = self._protocol
        normalized = protocol.normalize_imaging(_text(region), _text(modality))
        normalized_args = {"region": normalized.region, "modality": normalized.modality}
        if not normalized.valid or normalized.region is None or normalized.modality is None:
            return ImagingAnswer(protocol.imaging_answer(normalized, None, 0), normalized_args, False)
        key = (normalized.region, normalized.modality)
        matching = [
            report
            for report, (report_region, report_modality) in self._reports
            if report_region == normalized.region and protocol.report_answers(normalized.modality, report_modality)
        ]
        rank = self._served[key]
        self._served[key] += 1
        report = matching[rank] if rank < len(matching) else None
        given = 0 if report is not None else len(matching)
        return ImagingAnswer(protocol.imaging_answer(normalized, report, given), normalized_args, True)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
