"""The signatures: fields, types, instructions, and a DummyLM round trip through dspy.Predict."""

from __future__ import annotations

import dspy
import pytest
from dspy.utils.dummies import DummyLM

from cdmbench.cases import PATHOLOGIES
from cdmbench.signatures import Diagnose, GatherInformation, InterpretLab, PlanTreatment, SynthesizeFindings

ALL = (GatherInformation, SynthesizeFindings, Diagnose, PlanTreatment, InterpretLab)
# word stems that would tell the model which conditions the benchmark holds
LEAKY_STEMS = ("append", "cholecyst", "divertic", "pancrea", "gallbladder", "biliary", "colon", "abdom")


def _all_text(signature: type[dspy.Signature]) -> str:
    parts = [signature.instructions]
    parts += [str(field.json_schema_extra.get("desc", "")) for field in signature.fields.values()]
    return " ".join(parts).lower()


@pytest.mark.parametrize("signature", ALL, ids=lambda s: s.__name__)
def test_instructions_never_name_the_benchmark_conditions(signature: type[dspy.Signature]) -> None:
    text = _all_text(signature)
    assert len(signature.instructions) > 80, "the docstring is the instruction and must say what to do"
    for stem in (*PATHOLOGIES, *LEAKY_STEMS):
        assert stem not in text, f"{signature.__name__} mentions {stem!r}"


def test_field_names_and_types() -> None:
    assert list(GatherInformation.input_fields) == ["patient_history"]
    assert list(GatherInformation.output_fields) == ["findings"]
    assert list(SynthesizeFindings.input_fields) == ["patient_history", "findings"]
    assert list(SynthesizeFindings.output_fields) == ["summary"]
    assert list(Diagnose.input_fields) == ["summary"]
    assert Diagnose.output_fields["differential"].annotation == list[str]
    assert list(PlanTreatment.input_fields) == ["summary", "diagnosis"]
    assert PlanTreatment.output_fields["treatments"].annotation == list[str]
    assert list(InterpretLab.input_fields) == ["test", "value", "reference_range"]


def test_synthesize_and_gather_predict_strings() -> None:
    with dspy.context(lm=DummyLM([{"summary": "Short summary."}, {"findings": "WBC 14.2 K/uL."}])):
        summary = dspy.Predict(SynthesizeFindings)(patient_history="pain", findings="WBC 14.2").summary
        findings = dspy.Predict(GatherInformation)(patient_history="pain").findings
    assert summary == "Short summary."
    assert findings == "WBC 14.2 K/uL."


def test_diagnose_parses_a_differential_list() -> None:
    lm = DummyLM([{"diagnosis": "Acute condition X", "differential": ["Condition Y", "Condition Z"]}])
    with dspy.context(lm=lm):
        prediction = dspy.Predict(Diagnose)(summary="a summary")
    assert prediction.diagnosis == "Acute condition X"
    assert prediction.differential == ["Condition Y", "Condition Z"]
    prompt = lm.history[-1]["messages"][0]["content"]
    assert "primary diagnosis" in prompt


def test_plan_treatment_parses_a_list() -> None:
    with dspy.context(lm=DummyLM([{"treatments": ["IV fluids", "Analgesia"]}])):
        prediction = dspy.Predict(PlanTreatment)(summary="s", diagnosis="d")
    assert prediction.treatments == ["IV fluids", "Analgesia"]


@pytest.mark.parametrize("answer", ["low", "normal", "high"])
def test_interpret_lab_accepts_the_three_labels(answer: str) -> None:
    with dspy.context(lm=DummyLM([{"interpretation": answer}])):
        prediction = dspy.Predict(InterpretLab)(test="(Blood) Sodium", value="150 mEq/L", reference_range="[135 - 145]")
    assert prediction.interpretation == answer


def test_interpret_lab_rejects_other_labels() -> None:
    # ChatAdapter falls back to JSONAdapter on a parse failure, so give two bad answers
    with (
        dspy.context(lm=DummyLM([{"interpretation": "elevated"}] * 2)),
        pytest.raises((ValueError, dspy.utils.exceptions.AdapterParseError)),
    ):
        dspy.Predict(InterpretLab)(test="(Blood) Sodium", value="150 mEq/L", reference_range="[135 - 145]")
