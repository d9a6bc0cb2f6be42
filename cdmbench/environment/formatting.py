"""Text renderings of laboratory, microbiology and radiology results (shared by the tools and full_info).

Example:
    >>> format_lab_result(LabResult(itemid=51301, test_name="White Blood Cells", fluid="Blood",
    ...                             value="14.2 K/uL", ref_range_lower=4.0, ref_range_upper=10.0))
    '(Blood) White Blood Cells: 14.2 K/uL | RR: [4.0 - 10.0]'
"""

from __future__ import annotations

from cdmbench.cases import LabResult, MicrobiologyEvent, RadiologyReport

__all__ = [
    "format_lab_result",
    "format_microbiology_event",
    "format_radiology_report",
    "format_reference_range",
    "microbiology_fluid",
]

# specimen words -> the fluid shown in brackets (first match wins; blood products count as blood)
_SPECIMEN_FLUIDS: tuple[tuple[str, str], ...] = (
    ("blood", "Blood"),
    ("serum", "Blood"),
    ("plasma", "Blood"),
    ("urine", "Urine"),
    ("stool", "Stool"),
    ("feces", "Stool"),
    ("csf", "Cerebrospinal Fluid"),
    ("cerebrospinal", "Cerebrospinal Fluid"),
    ("pleural", "Pleural"),
    ("peritoneal", "Ascites"),
    ("ascites", "Ascites"),
    ("joint", "Joint Fluid"),
    ("bone marrow", "Bone Marrow"),
)


def format_reference_range(lower: float | None, upper: float | None) -> str | None:
    """``[lo - hi]``; ``[>= lo]`` or ``[<= hi]`` when one end is missing; None when both are."""
    if lower is None and upper is None:
        return None
    if lower is None:
        return f"[<= {upper}]"
    if upper is None:
        return f"[>= {lower}]"
    return f"[{lower} - {upper}]"


def format_lab_result(lab: LabResult, reference_range: bool = True) -> str:
    """One lab line: ``(Fluid) Label: value | RR: [lo - hi]`` (no ``| RR`` part without a range)."""
    prefix = f"({lab.fluid}) " if lab.fluid else ""
    value = lab.value if lab.value not in (None, "") else "no value reported"
    line = f"{prefix}{lab.test_name}: {value}"
    rr = format_reference_range(lab.ref_range_lower, lab.ref_range_upper) if reference_range else None
    return f"{line} | RR: {rr}" if rr else line


def microbiology_fluid(event: MicrobiologyEvent) -> str | None:
    """The fluid of a microbiology specimen (``BLOOD CULTURE`` -> ``Blood``), else the specimen as written."""
    specimen = (event.spec_type_desc or "").strip()
    if not specimen:
        return None
    lowered = specimen.lower()
    for word, fluid in _SPECIMEN_FLUIDS:
        if word in lowered:
            return fluid
    return specimen.title()


def format_microbiology_event(event: MicrobiologyEvent) -> str:
    """One microbiology line: ``(Blood) Blood Culture, Routine: No growth.`` (organism, then comments)."""
    fluid = microbiology_fluid(event)
    prefix = f"({fluid}) " if fluid else ""
    name = event.test_name or f"Microbiology test {event.test_itemid}"
    result = "; ".join(part.strip() for part in (event.organism_name, event.comments) if part and part.strip())
    return f"{prefix}{name}: {result or 'no result reported'}"


def format_radiology_report(report: RadiologyReport) -> str:
    """A report with its header: exam name, modality, region, then the findings text."""
    lines = [
        f"Exam: {report.exam_name or 'unnamed exam'}",
        f"Modality: {report.modality or 'unknown'}",
        f"Region: {report.region or 'unknown'}",
        "Findings:",
        (report.text or "").strip() or "(no report text)",
    ]
    return "\n".join(lines)
