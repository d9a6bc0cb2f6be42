"""Labelled demos from the ground truth, for the predictors of multi-stage programs that the labels can reach.

``dspy.LabeledFewShot`` attaches the training examples themselves as demos, and an adapter shows a demo only
through the fields it shares with a predictor's signature. A cdmbench example has just ``case`` and
``gold_case``, which no signature uses, so stock labelled demos reach nothing. ``GroundTruthFewShot`` builds
demos per predictor instead, from the ground truth:

- a predictor that diagnoses from a ``summary`` (``Diagnose``) gets the complete record (as ``render_case``
  shows it, history first) and the primary discharge diagnosis;
- a predictor that plans treatment from ``summary`` and ``diagnosis`` (``PlanTreatment``) gets the record, the
  diagnosis and the treatments of the hospital course;
- a lab interpreter (``InterpretLab``) gets a lab value and its low/normal/high reading from the reference range.

Other predictors (the ReAct agent, its extractor, the synthesizer) have no ground truth for their outputs and
get no demos; ``compile`` logs which predictors were reached.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import dspy
from dspy.teleprompt import Teleprompter
from loguru import logger

from cdmbench.cases import Case
from cdmbench.environment.formatting import format_reference_range
from cdmbench.optimize.examples import gold_case
from cdmbench.programs import program_input, render_case
from cdmbench.programs.lab_values import expected_interpretation

__all__ = ["GroundTruthFewShot", "labeler_for"]

Labeler = Callable[[Case, int], dict[str, Any] | None]


def _clip(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[: max(0, max_chars - 6)].rstrip() + " [...]"


def _diagnosis(case: Case) -> str | None:
    truth = case.ground_truth
    return truth.primary_diagnosis[0] if truth and truth.primary_diagnosis else None


def _diagnosis_demo(case: Case, max_chars: int) -> dict[str, Any] | None:
    diagnosis = _diagnosis(case)
    if diagnosis is None:
        return None
    return {"summary": _clip(render_case(program_input(case)), max_chars), "diagnosis": diagnosis}


def _treatment_demo(case: Case, max_chars: int) -> dict[str, Any] | None:
    diagnosis = _diagnosis(case)
    treatments = [t.title for t in case.ground_truth.treatments] if case.ground_truth else []
    if diagnosis is None or not treatments:
        return None
    summary = _clip(render_case(program_input(case)), max_chars)
    return {"summary": summary, "diagnosis": diagnosis, "treatments": treatments}


def _lab_demo(case: Case, max_chars: int) -> dict[str, Any] | None:
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


class GroundTruthFewShot(Teleprompter):
    """Attach up to ``k`` ground-truth demos to every predictor the ground truth can label.

    Args:
        k: demos per predictor.
        max_field_chars: longer input texts (the rendered record) are cut to this many characters.
        seed: which training cases are drawn.
    """

    def __init__(self, k: int = 3, max_field_chars: int = 4000, seed: int = 0) -> None:
        self.k = int(k)
        self.max_field_chars = int(max_field_chars)
        self.seed = int(seed)
        self.reached: dict[str, int] = {}

    def compile(self, student: dspy.Module, *, trainset: list[dspy.Example]) -> dspy.Module:
        """Return a copy of ``student`` with labelled demos; ``self.reached`` maps predictor -> demo count."""
        program = student.reset_copy()
        cases = [gold_case(example) for example in trainset]
        random.Random(self.seed).shuffle(cases)
        self.reached = {}
        for name, predictor in program.named_predictors():
            labeler = labeler_for(predictor.signature)
            demos: list[dspy.Example] = []
            if labeler is not None:
                for case in cases:
                    demo = labeler(case, self.max_field_chars)
                    if demo is not None:
                        demos.append(dspy.Example(**demo))
                    if len(demos) >= self.k:
                        break
            predictor.demos = demos
            self.reached[name] = len(demos)
        got = [f"{name} ({n})" for name, n in self.reached.items() if n]
        missed = [name for name, n in self.reached.items() if not n]
        logger.info("labelled demos from the ground truth: {}", ", ".join(got) or "no predictor")
        if missed:
            logger.info("no labelled demos (no ground truth for their outputs): {}", ", ".join(missed))
        return program
