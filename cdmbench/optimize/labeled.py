"""Labelled demos from the ground truth, for the predictors of multi-stage programs that the labels can reach.

``dspy.LabeledFewShot`` attaches the training examples themselves as demos, and an adapter shows a demo only
through the fields it shares with a predictor's signature. A cdmbench example has just ``case`` and
``gold_case``, which no signature uses, so stock labelled demos reach nothing. ``GroundTruthFewShot`` builds
demos per predictor instead, from the ground truth, shaped like what the predictor receives at inference:

- ``Diagnose`` (input ``summary``) gets the primary discharge diagnosis. Its input depends on the program: in
  ``diagnosis_only`` the summary *is* the rendered record, so the demo holds the record rendered with the
  program's own options (order, abnormal_only, reference_ranges); in ``full_info`` and ``cdm_agent`` the summary
  is what ``SynthesizeFindings`` wrote, so the demo holds a summary-shaped text built from the case: the start of
  the history, the examination, the abnormal lab values with their values, and each imaging report's impression
  (``summary_of``), never the whole record;
- ``PlanTreatment`` (``summary``, ``diagnosis``) gets the same summary, the diagnosis and the treatments of the
  hospital course;
- a lab interpreter (``InterpretLab``) gets a lab value and its low/normal/high reading from the reference range.

Training cases are drawn round-robin across pathologies (seeded), so k demos cover as many pathologies as k
allows. Other predictors (the ReAct agent, its extractor, the synthesizer) have no ground truth for their outputs
and get no demos; ``compile`` logs which predictors were reached and keeps each demo's pathology in
``demo_pathologies``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dspy
from dspy.teleprompt import Teleprompter
from loguru import logger

from cdmbench.cases import Case
from cdmbench.environment.formatting import format_reference_range
from cdmbench.optimize.examples import gold_case
from cdmbench.programs import program_input, render_case
from cdmbench.programs.lab_values import expected_interpretation

__all__ = ["GroundTruthFewShot", "InputShape", "input_shape", "labeler_for", "stratified", "summary_of"]

Labeler = Callable[[Case, int, "InputShape"], dict[str, Any] | None]


def _clip(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[: max(0, max_chars - 6)].rstrip() + " [...]"


def _diagnosis(case: Case) -> str | None:
    truth = case.ground_truth
    return truth.primary_diagnosis[0] if truth and truth.primary_diagnosis else None


def _first_sentences(text: str, n: int, max_chars: int) -> str:
    parts = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return _clip(" ".join(parts[:n]), max_chars)


def _impression(text: str) -> str:
    match = re.search(r"IMPRESSION:?(.*)", text, re.IGNORECASE | re.DOTALL)
    return " ".join((match.group(1) if match else text).split())


def summary_of(case: Case, max_chars: int) -> str:
    """A summary-shaped text of a case (what ``SynthesizeFindings`` is asked to write), from its parts.

    The history's first sentences, the examination, the abnormal lab values with their values and reference
    reading, and the impression of each imaging report; no diagnosis is named but the reports' own words.
    """
    lines = [_first_sentences(case.patient_history, 3, 600)]
    if case.physical_exam_text.strip():
        lines.append("Examination: " + _first_sentences(case.physical_exam_text, 4, 500))
    abnormal = []
    for lab in case.lab_results:
        reading = expected_interpretation(lab)
        if reading in ("low", "high"):
            abnormal.append(f"{lab.test_name} {lab.value} ({reading})")
    if abnormal:
        lines.append("Abnormal labs: " + ", ".join(dict.fromkeys(abnormal[:12])) + ".")
    for report in case.radiology_reports:
        what = " ".join(x for x in (report.modality, report.region) if x) or report.exam_name or "Imaging"
        lines.append(f"{what}: {_clip(_impression(report.text or ''), 400)}")
    return _clip("\n".join(line for line in lines if line), max_chars)


@dataclass(frozen=True)
class InputShape:
    """How the diagnosis step's input looks in the program: the rendered record, or a written summary."""

    record: bool = False
    order: str = "pli"
    abnormal_only: bool = False
    reference_ranges: bool = True

    def summary(self, case: Case, max_chars: int) -> str:
        stripped = program_input(case)
        if self.record:
            text = render_case(stripped, self.order, self.abnormal_only, self.reference_ranges)
            return _clip(text, max_chars)
        return summary_of(stripped, max_chars)


def input_shape(program: dspy.Module) -> InputShape:
    """The diagnosis input of ``program``: the record (no synthesizer, e.g. diagnosis_only) or a summary."""
    if hasattr(program, "synthesize") or not hasattr(program, "order"):
        return InputShape()
    return InputShape(True, program.order, bool(program.abnormal_only), bool(program.reference_ranges))


def _diagnosis_demo(case: Case, max_chars: int, shape: InputShape) -> dict[str, Any] | None:
    diagnosis = _diagnosis(case)
    if diagnosis is None:
        return None
    return {"summary": shape.summary(case, max_chars), "diagnosis": diagnosis}


def _treatment_demo(case: Case, max_chars: int, shape: InputShape) -> dict[str, Any] | None:
    diagnosis = _diagnosis(case)
    treatments = list(dict.fromkeys(t.title for t in case.ground_truth.treatments)) if case.ground_truth else []
    if diagnosis is None or not treatments:
        return None
    return {"summary": shape.summary(case, max_chars), "diagnosis": diagnosis, "treatments": treatments}


def _lab_demo(case: Case, max_chars: int, shape: InputShape) -> dict[str, Any] | None:
    for lab in case.lab_results:
        expected = expected_interpretation(lab)
        if expected is not None:
            return {
                "test": f"({lab.fluid}) {lab.test_name}" if lab.fluid else lab.test_name,
                "value": lab.value or "",
                "reference_range": format_reference_range(lab.ref_range_lower, lab.ref_range_upper) or "",
                "interpretation": expected,
            }
    return None


_LABELERS: tuple[tuple[frozenset[str], str, Labeler], ...] = (
    (frozenset({"summary"}), "diagnosis", _diagnosis_demo),
    (frozenset({"summary", "diagnosis"}), "treatments", _treatment_demo),
    (frozenset({"test", "value", "reference_range"}), "interpretation", _lab_demo),
)


def labeler_for(signature: type[dspy.Signature]) -> Labeler | None:
    """The ground-truth demo builder for a signature, or None when the ground truth cannot label it."""
    inputs, outputs = set(signature.input_fields), set(signature.output_fields)
    for wanted_inputs, output, labeler in _LABELERS:
        if inputs == wanted_inputs and output in outputs:
            return labeler
    return None


def stratified(cases: list[Case], seed: int) -> list[Case]:
    """The cases in a seeded order that takes one of each pathology in turn (round-robin)."""
    rng = random.Random(seed)
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(str(case.pathology), []).append(case)
    order = sorted(groups)
    rng.shuffle(order)
    for name in order:
        rng.shuffle(groups[name])
    drawn: list[Case] = []
    while any(groups.values()):
        for name in order:
            if groups[name]:
                drawn.append(groups[name].pop(0))
    return drawn


class GroundTruthFewShot(Teleprompter):
    """Attach up to ``k`` ground-truth demos to every predictor the ground truth can label.

    Args:
        k: demos per predictor.
        max_field_chars: longer input texts are cut to this many characters.
        seed: which training cases are drawn (round-robin across pathologies).
    """

    def __init__(self, k: int = 3, max_field_chars: int = 4000, seed: int = 0) -> None:
        self.k = int(k)
        self.max_field_chars = int(max_field_chars)
        self.seed = int(seed)
        self.reached: dict[str, int] = {}
        self.demo_pathologies: dict[str, list[str | None]] = {}

    def compile(self, student: dspy.Module, *, trainset: list[dspy.Example]) -> dspy.Module:
        """Return a copy of ``student`` with labelled demos; ``self.reached`` maps predictor -> demo count."""
        program = student.reset_copy()
        cases = stratified([gold_case(example) for example in trainset], self.seed)
        shape = input_shape(student)
        self.reached, self.demo_pathologies = {}, {}
        for name, predictor in program.named_predictors():
            labeler = labeler_for(predictor.signature)
            demos: list[dspy.Example] = []
            pathologies: list[str | None] = []
            if labeler is not None:
                for case in cases:
                    demo = labeler(case, self.max_field_chars, shape)
                    if demo is not None:
                        demos.append(dspy.Example(**demo))
                        pathologies.append(case.pathology)
                    if len(demos) >= self.k:
                        break
            predictor.demos = demos
            self.reached[name] = len(demos)
            self.demo_pathologies[name] = pathologies
        got = [f"{name} ({n})" for name, n in self.reached.items() if n]
        missed = [name for name, n in self.reached.items() if not n]
        logger.info("labelled demos from the ground truth: {}", ", ".join(got) or "no predictor")
        if missed:
            logger.info("no labelled demos (no ground truth for their outputs): {}", ", ".join(missed))
        return program
