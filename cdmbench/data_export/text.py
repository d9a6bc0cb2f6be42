"""Note-text helpers for the export: sections of a MIMIC discharge note, and cleaned radiology reports.

They follow ``docs/export-rules.md`` (section "Text" and "Ground truth"). All of them accept Windows or
old-Mac newlines (turned into ``\\n``), headers in any letter case ("Physical Exam:" or "PHYSICAL EXAM:"),
and the ``" \\n"`` blank lines MIMIC writes. A section that is missing, or empty after stripping, is None.

Example:
    >>> note = "History of Present Illness:\\nPain.\\n \\nPhysical Exam:\\nSoft.\\n \\nPertinent Results:\\n..."
    >>> extract_history(note)
    'Pain.'
    >>> extract_physical_exam(note)
    'Soft.'
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise

from cdmbench.vocabulary._data import load_reference

__all__ = [
    "TOP_LEVEL_HEADERS",
    "clean_radiology_report",
    "diagnosis_lines",
    "discharge_diagnoses",
    "discharge_diagnosis_section",
    "discharge_procedures",
    "extract_history",
    "extract_hpi_only",
    "extract_physical_exam",
    "extract_section",
    "normalize_newlines",
]

TOP_LEVEL_HEADERS: tuple[str, ...] = (
    "Name",
    "Unit No",
    "Admission Date",
    "Discharge Date",
    "Date of Birth",
    "Sex",
    "Service",
    "Allergies",
    "Attending",
    "Chief Complaint",
    "Major Surgical or Invasive Procedure",
    "History of Present Illness",
    "History of Presenting Illness",
    "___ of Present Illness",
    "Past Medical History",
    "Social History",
    "Family History",
    "Physical Exam",
    "Physical Examination",
    "Pertinent Results",
    "Brief Hospital Course",
    "Medications on Admission",
    "Discharge Medications",
    "Discharge Disposition",
    "Discharge Diagnosis",
    "Discharge Diagnoses",
    "___ Diagnosis",
    "___ Diagnoses",
    "Discharge Condition",
    "___ Condition",
    "Discharge Instructions",
    "___ Instructions",
    "Followup Instructions",
    "Facility",
)
"""The top-level section headers of a MIMIC-IV discharge note (each followed by ':' at a line start)."""

_HISTORY_HEADERS = ("History of Present Illness", "History of Presenting Illness", "___ of Present Illness")
_HISTORY_PARTS = (*_HISTORY_HEADERS, "Past Medical History", "Social History", "Family History")
_EXAM_HEADERS = ("Physical Exam", "Physical Examination")
_DIAGNOSIS_HEADERS = ("Discharge Diagnosis", "Discharge Diagnoses", "___ Diagnosis", "___ Diagnoses")
_AFTER_HISTORY = tuple(h for h in TOP_LEVEL_HEADERS if h not in _HISTORY_PARTS)
_PROCEDURE_HEADER = "Major Surgical or Invasive Procedure"

# Where the exam's discharge part starts (CDMv1 dataset/discharge.py): the first "discharge" anywhere, or the
# "at" / "upon" / "on" right before it ("UPON DISCHARGE:", "On discharge", "Exam prior to discharge").
# (Found as the literal, then the word before it: one regex for both is tried at every character, 5x slower.)
_DISCHARGE_WORD = re.compile("discharge", re.IGNORECASE)
_WORD_BEFORE_DISCHARGE = re.compile(r"\b(?:at|upon|on)\Z", re.IGNORECASE)
# A first line that only announces the admission exam: "ADMISSION PHYSICAL EXAM:", "Admission Exam:",
# "ON ADMISSION:", "Admission:", "PHYSICAL EXAM ON ADMISSION:", "Admission PE:".
_ADMISSION_HEADER = re.compile(
    r"^[ \t]*(?:(?:on|upon|at)[ \t]+admission|admission(?:[ \t]+(?:physical|exam|examination|pe|p/e))*"
    r"|(?:physical[ \t]+)?exam(?:ination)?[ \t]+(?:on|upon|at)[ \t]+admission)[ \t]*:[ \t]*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[-*•]|\d+[.)](?=\s|$))[ \t]*")
# A radiology section header line: upper-case words (letters, digits, / & -) followed by ':'.
_RADIOLOGY_HEADER_TEXT = r"[ \t]*([A-Z][A-Z0-9]*(?:[ \t/&-]+[A-Z0-9]+)*)[ \t]*:"
_RADIOLOGY_HEADER = re.compile(_RADIOLOGY_HEADER_TEXT)
_RADIOLOGY_NEXT_HEADER = re.compile(rf"\n{_RADIOLOGY_HEADER_TEXT}")  # see _Headers


def normalize_newlines(text: str) -> str:
    """Turn ``\\r\\n`` and lone ``\\r`` into ``\\n``."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Headers:
    """Finds header lines (``name:`` at a line start, any letter case, words separated by blanks) of a set of names.

    A pattern anchored with ``^`` under MULTILINE is tried at every character of a note; one that starts with
    ``\\n`` lets the regex engine skip from newline to newline (5x faster on a discharge note), so the first line
    is matched on its own.
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        words = "|".join(r"[ \t]+".join(re.escape(w) for w in name.split()) for name in names)
        header = rf"[ \t]*(?:{words})[ \t]*:"
        self._first_line = re.compile(header, re.IGNORECASE)
        self._next_line = re.compile(rf"\n{header}", re.IGNORECASE)

    def search(self, text: str, pos: int = 0) -> tuple[int, int] | None:
        """``(start, end)`` of the first header line starting at or after ``pos`` (a line start), or None."""
        if pos == 0 and (first := self._first_line.match(text)) is not None:
            return first.start(), first.end()
        match = self._next_line.search(text, max(pos - 1, 0))
        return None if match is None else (match.start() + 1, match.end())

    def last(self, text: str) -> tuple[int, int] | None:
        """``(start, end)`` of the last header line, or None."""
        found = None
        for match in self._next_line.finditer(text):
            found = match
        if found is not None:
            return found.start() + 1, found.end()
        return self.search(text)


@cache
def _headers(names: tuple[str, ...]) -> _Headers:
    return _Headers(names)


def _span_after(note: str, headers: tuple[str, ...], end_headers: tuple[str, ...] | None = None) -> str | None:
    """Text after the first of ``headers`` up to the next top-level header (or the next of ``end_headers``)."""
    start = _headers(headers).search(note)
    if start is None:
        return None
    end = _headers(TOP_LEVEL_HEADERS if end_headers is None else end_headers).search(note, start[1])
    if end is None and end_headers is not None:
        end = _headers(TOP_LEVEL_HEADERS).search(note, start[1])
    return note[start[1] : end[0] if end else len(note)]


def _stripped_or_none(text: str | None) -> str | None:
    if text is None:
        return None
    return text.strip() or None


def extract_section(note: str, header: str) -> str | None:
    """Return the text of a discharge-note section, from after ``header:`` to the next top-level header.

    Args:
        note: discharge note text.
        header: a section header without its colon, e.g. ``"Chief Complaint"`` (any letter case).

    Returns:
        The section text, stripped; None when the header is absent or the section is empty.
    """
    return _stripped_or_none(_span_after(normalize_newlines(note), (header,)))


def extract_hpi_only(note: str) -> str | None:
    """Return the History of Present Illness section alone (up to the next top-level header), stripped.

    Any of the history headers starts it (``History of Present Illness:``, ``History of Presenting Illness:``,
    ``___ of Present Illness:``).
    """
    return _stripped_or_none(_span_after(normalize_newlines(note), _HISTORY_HEADERS))


def extract_history(note: str) -> str | None:
    """Return the case's ``patient_history``: from after the history header to ``Physical Exam:``.

    The history header is ``History of Present Illness:``, ``History of Presenting Illness:`` or the
    de-identified ``___ of Present Illness:`` (the first one in the note).

    The past medical, social and family history sections in between are kept with their headers, verbatim.
    Without a ``Physical Exam:`` header the text ends at the next top-level header after those sections.

    Returns:
        The stripped text, or None when the HPI header is absent or nothing follows it.
    """
    note = normalize_newlines(note)
    start = _headers(_HISTORY_HEADERS).search(note)
    if start is None:
        return None
    end = _headers(_EXAM_HEADERS).search(note, start[1])
    if end is None:
        end = _headers(_AFTER_HISTORY).search(note, start[1])
    return _stripped_or_none(note[start[1] : end[0] if end else len(note)])


def extract_physical_exam(note: str) -> str | None:
    """Return the admission physical examination of a discharge note (the case's ``physical_exam_text``).

    The ``Physical Exam:`` section (up to the next top-level header) is cut, as CDMv1 does, at the first
    "discharge" (any letter case, anywhere, with an ``at``/``upon``/``on`` right before it); a first line that announces the admission exam (``ADMISSION PHYSICAL EXAM:``, ``ON ADMISSION:``,
    ``Admission:`` ...) loses that header; the rest is stripped.

    Returns:
        The admission exam text, or None when the section is missing or empty.
    """
    section = _span_after(normalize_newlines(note), _EXAM_HEADERS)
    if section is None:
        return None
    if (cut := _discharge_part_start(section)) is not None:
        section = section[:cut]
    section = section.strip()
    first_line, newline, rest = section.partition("\n")
    header = _ADMISSION_HEADER.match(first_line)
    if header is not None:
        section = first_line[header.end() :] + newline + rest
    return _stripped_or_none(section)


def _discharge_part_start(section: str) -> int | None:
    """Where the discharge part of an exam section starts: its first "discharge", or the at/upon/on before it."""
    found = _DISCHARGE_WORD.search(section)
    if found is None:
        return None
    start = blank = found.start()
    while blank > 0 and section[blank - 1].isspace():  # str.isspace is the regex \s
        blank -= 1
    if blank < start and (word := _WORD_BEFORE_DISCHARGE.search(section, max(blank - 4, 0), blank)) is not None:
        return word.start()
    return start


def _section_lines(note: str, headers: tuple[str, ...]) -> list[str]:
    text = _span_after(normalize_newlines(note), headers)
    return [] if text is None else [line.strip() for line in text.split("\n")]


def discharge_diagnosis_section(note: str) -> str | None:
    """The discharge diagnosis section: after the LAST ``Discharge Diagnosis:`` (or ``___ Diagnosis:``, or
    ``Diagnoses``) header up to the next top-level header, stripped; None when there is none or it is empty."""
    note = normalize_newlines(note)
    last = _headers(_DIAGNOSIS_HEADERS).last(note)
    if last is None:
        return None
    end = _headers(TOP_LEVEL_HEADERS).search(note, last[1])
    return _stripped_or_none(note[last[1] : end[0] if end else len(note)])


def discharge_diagnoses(note: str) -> list[str]:
    """Return the lines of the discharge diagnosis section (the case's ``primary_diagnosis``).

    Each line is stripped of surrounding whitespace and of a leading bullet (``-``, ``*``, ``1.``); empty lines
    and heading lines ending with ``:`` (``PRIMARY DIAGNOSIS:``, ``Secondary:``) are dropped.
    """
    return diagnosis_lines(discharge_diagnosis_section(note))


def diagnosis_lines(section: str | None) -> list[str]:
    """The ``primary_diagnosis`` lines of a discharge diagnosis section (see ``discharge_diagnoses``)."""
    out = []
    for line in (section or "").split("\n"):
        line = _BULLET.sub("", line.strip()).strip()
        if line and not line.endswith(":"):
            out.append(line)
    return out


def discharge_procedures(note: str) -> list[str]:
    """Return the lines of the ``Major Surgical or Invasive Procedure:`` section; empty lines and ``None`` dropped."""
    return [line for line in _section_lines(note, (_PROCEDURE_HEADER,)) if line and line.rstrip(".").lower() != "none"]


@cache
def _dropped_sections() -> tuple[str, ...]:
    return tuple(name.upper() for name in load_reference("imaging.json")["radiology_sections_dropped"])


def clean_radiology_report(text: str) -> str:
    """Remove history, indication, comparison and impression-type sections from a radiology report.

    The report is split at header lines (a line starting with upper-case words followed by ``:``); the text
    before the first header is a section of its own. A section whose header starts with a name of
    ``imaging.json`` ``radiology_sections_dropped`` is dropped; the kept sections (header line included), each
    stripped, are joined with a blank line. Empty sections are left out.

    Args:
        text: the radiology note text.

    Returns:
        The cleaned text; ``""`` when nothing is kept, or only header lines without text ("FINDINGS:" before a
        dropped "IMPRESSION: ..."), as CDMv1 blanks them (the export then drops the report).
    """
    text = normalize_newlines(text)
    starts = [m.start() + 1 for m in _RADIOLOGY_NEXT_HEADER.finditer(text)]
    bounds = [0, *starts, len(text)]
    kept = []
    informative = False
    for begin, end in pairwise(bounds):
        section = text[begin:end]
        header = _RADIOLOGY_HEADER.match(section)
        if header is not None and header.group(1).startswith(_dropped_sections()):
            continue
        informative = informative or bool(section[header.end() if header else 0 :].strip())
        section = section.strip()
        if section:
            kept.append(section)
    return "\n\n".join(kept) if informative else ""
