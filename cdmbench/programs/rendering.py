"""``render_case``: the whole case as one text, for the full-information programs.

Sections: the patient history first, then the physical examination (``p``), the laboratory results (``l``)
and the imaging reports (``i``) in the configured order. All of the case's labs are shown (optionally only
the abnormal ones): which labs appear never depends on the case's pathology (scoring-rules.md defect 7).
All radiology reports are shown in chart order, each with its exam name, modality and region.
"""

from __future__ import annotations

from cdmbench.cases import Case
from cdmbench.environment.formatting import format_lab_result, format_microbiology_event, format_radiology_report
from cdmbench.errors import ConfigError
from cdmbench.programs.lab_values import is_abnormal

__all__ = ["SECTION_LETTERS", "check_order", "render_case"]

SECTION_LETTERS = {"p": "physical examination", "l": "laboratory results", "i": "imaging"}
"""Section letters of ``order``."""


def check_order(order: str) -> str:
    """Validate a section order such as ``"pli"`` (letters p, l, i, each at most once).

    Raises:
        ConfigError: naming the bad order and the allowed letters.
    """
    order = str(order).strip().lower()
    if not order or any(c not in SECTION_LETTERS for c in order) or len(set(order)) != len(order):
        raise ConfigError(
            f"bad section order {order!r}: use the letters p (physical examination), l (laboratory results) "
            "and i (imaging), each at most once, e.g. order=pli."
        )
    return order


def _exam(case: Case) -> str:
    return "Physical examination:\n" + (case.physical_exam_text.strip() or "Not documented.")


def _labs(case: Case, abnormal_only: bool, reference_ranges: bool) -> str:
    labs = [lab for lab in case.lab_results if not abnormal_only or is_abnormal(lab)]
    lines = [format_lab_result(lab, reference_range=reference_ranges) for lab in labs]
    lines += [format_microbiology_event(event) for event in case.microbiology_events]
    title = "Laboratory results (abnormal only):" if abnormal_only else "Laboratory results:"
    return title + "\n" + ("\n".join(lines) or "None available.")


def _imaging(case: Case) -> str:
    reports = [format_radiology_report(report) for report in case.radiology_reports]
    return "Imaging:\n" + ("\n\n".join(reports) or "None available.")


def render_case(
    case: Case,
    order: str = "pli",
    abnormal_only: bool = False,
    reference_ranges: bool = True,
    include_history: bool = True,
) -> str:
    """Render a case as text: history, then the sections named by ``order``.

    Args:
        case: the case (its ground truth and pathology are never read).
        order: section letters, e.g. ``"pli"`` or ``"lip"``; a subset (``"pl"``) leaves a section out.
        abnormal_only: show only lab values outside their reference range (microbiology always shown).
        reference_ranges: append ``| RR: [lo - hi]`` to lab lines.
        include_history: start with the patient history.

    Returns:
        The sections joined by blank lines.
    """
    builders = {
        "p": lambda: _exam(case),
        "l": lambda: _labs(case, abnormal_only, reference_ranges),
        "i": lambda: _imaging(case),
    }
    sections = ["Patient history:\n" + (case.patient_history.strip() or "Not documented.")] if include_history else []
    sections += [builders[letter]() for letter in check_order(order)]
    return "\n\n".join(sections)
