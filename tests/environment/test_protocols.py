"""Each environment difference of docs/protocols.md: the same request under ``cdmbench`` and ``cdmv1``."""

from __future__ import annotations

import pytest

from cdmbench.cases import Case
from cdmbench.environment import CaseEnvironment
from cdmbench.protocols import get_protocol
from tests.environment.conftest import make_case


def _env(protocol: str, case: Case | None = None) -> CaseEnvironment:
    case = case or make_case()
    return CaseEnvironment(case, get_protocol(protocol).lab_dictionary([case]), protocol)


def _endoscopy_case() -> Case:
    data = make_case().model_dump()
    data["radiology_reports"] = [
        {"note_id": "2-RR-1", "exam_name": "EUS", "region": "Abdomen", "modality": "EUS", "text": "EUS findings."},
        {"note_id": "2-RR-2", "exam_name": "ERCP BILIARY&PANCREAS BY GI UNIT", "region": "Abdomen",
         "modality": "ERCP", "text": "ERCP findings."},
        {"note_id": "2-RR-3", "exam_name": "MRCP", "region": "Abdomen", "modality": "MRCP", "text": "MRCP findings."},
    ]  # fmt: skip
    return Case.model_validate(data)


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("cdmbench", "(Blood) Lipase: 32.0 IU/L | RR: [0.0 - 60.0]"),
        ("cdmv1", "Laboratory Tests:\n(Blood) Lipase: 32.0 IU/L"),
    ],
)
def test_reference_ranges(protocol: str, expected: str) -> None:
    assert _env(protocol).laboratory_tests(["Lipase"]) == expected


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("cdmbench", "(Blood) Lipase: 32.0 IU/L | RR: [0.0 - 60.0]\nNot available for this patient: Amylase."),
        ("cdmv1", "Laboratory Tests:\n(Blood) Lipase: 32.0 IU/L"),  # a recognized test the patient lacks: omitted
    ],
)
def test_recognized_tests_the_patient_lacks(protocol: str, expected: str) -> None:
    assert _env(protocol).laboratory_tests(["Lipase", "Amylase"]) == expected


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("cdmbench", "(Blood) Lipase: 32.0 IU/L | RR: [0.0 - 60.0]\nNot recognized as laboratory tests: frobnicase."),
        ("cdmv1", "Laboratory Tests:\nfrobnicase: N/A\n(Blood) Lipase: 32.0 IU/L"),  # in request order
    ],
)
def test_unrecognized_names(protocol: str, expected: str) -> None:
    env = _env(protocol)
    assert env.laboratory_tests(["frobnicase", "Lipase"]) == expected
    assert env.calls[-1].valid and env.calls[-1].normalized_args["unrecognized"] == ["frobnicase"]


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("cdmbench", "(Blood) Blood Culture, Routine: No growth."),
        ("cdmv1", "Laboratory Tests:"),  # CDMv1's retrieval only read lab tests
    ],
)
def test_microbiology_in_lab_answers(protocol: str, expected: str) -> None:
    assert _env(protocol).laboratory_tests(["Blood Culture"]) == expected


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("cdmbench", "(Blood) Bilirubin, Total: 2.1 mg/dL | RR: [0.0 - 1.5]"),
        ("cdmv1", "Laboratory Tests:"),  # CDMv1's label 'Bilirubin' is the urine test; no bare-name addition
    ],
)
def test_bare_lab_names(protocol: str, expected: str) -> None:
    assert _env(protocol).laboratory_tests(["Bilirubin"]) == expected


@pytest.mark.parametrize("protocol", ["cdmbench", "cdmv1"])
def test_panels_are_not_expanded_by_synonyms_in_both(protocol: str) -> None:
    dictionary = get_protocol(protocol).lab_dictionary([make_case()])
    assert 51108 in dictionary.itemids("Urinalysis") and 51109 not in dictionary.itemids("Urinalysis")
    assert 51109 not in dictionary.itemids("Urine Analysis (UA)") and 51109 not in dictionary.itemids("UA")
    assert dictionary.itemids("Direct Bilirubin") == (50883,)
    assert {50883, 50884, 50885} <= set(dictionary.itemids("Bilirubin, Total"))  # an itemid label is expanded


@pytest.mark.parametrize(
    ("protocol", "valid", "start"),
    [("cdmbench", True, "Exam: LIVER OR GALLBLADDER US"), ("cdmv1", False, "Provide a diagnosis and treatment")],
)
def test_ruq_has_no_region_in_cdmv1(protocol: str, valid: bool, start: str) -> None:
    env = _env(protocol)
    assert env.imaging("RUQ", "Ultrasound").startswith(start)
    assert env.calls[-1].valid is valid


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("cdmbench", "Exam: LIVER OR GALLBLADDER US\nModality: Ultrasound\nRegion: Abdomen\nFindings:\n"
                     "First ultrasound findings."),
        ("cdmv1", "Imaging:\nAbdomen Ultrasound: First ultrasound findings."),
    ],
)  # fmt: skip
def test_imaging_answer_format(protocol: str, expected: str) -> None:
    assert _env(protocol).imaging("Abdomen", "Ultrasound") == expected


@pytest.mark.parametrize(
    ("protocol", "ultrasound", "radiograph"),
    [
        ("cdmbench", "Ultrasound of the abdomen is not available", "Radiograph of the abdomen is not available"),
        ("cdmv1", "Imaging:\nAbdomen Ultrasound: EUS findings.", "Imaging:\nAbdomen Radiograph: ERCP findings."),
    ],
)
def test_endoscopic_reports_answer_broad_modalities_in_cdmv1(protocol: str, ultrasound: str, radiograph: str) -> None:
    env = _env(protocol, _endoscopy_case())
    assert env.imaging("Abdomen", "Ultrasound").startswith(ultrasound)
    assert env.imaging("Abdomen", "Radiograph").startswith(radiograph)
    assert "MRCP findings." in env.imaging("Abdomen", "MRI")  # both: an MRCP answers an MRI request


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("cdmbench", "No further CT of the abdomen is available: all 1 such report(s) were already given. "
                     "Try another modality or region."),
        ("cdmv1", "Imaging:\nAbdomen CT: Cannot repeat this scan anymore. Try a different imaging modality."),
    ],
)  # fmt: skip
def test_repeat_after_the_last_report(protocol: str, expected: str) -> None:
    env = _env(protocol)
    assert "CT findings." in env.imaging("Abdomen", "CT")
    assert env.imaging("Abdomen", "CT") == expected


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("cdmbench", "Head CT is not available for this patient. Try another modality or region."),
        ("cdmv1", "Imaging:\nHead CT: Not available. Try a different imaging modality."),
    ],
)
def test_no_matching_report(protocol: str, expected: str) -> None:
    assert _env(protocol).imaging("Head", "CT") == expected.replace("Head CT is", "CT of the head is", 1)


@pytest.mark.parametrize(("protocol", "valid"), [("cdmbench", False), ("cdmv1", True)])
def test_free_text_tool_names(protocol: str, valid: bool) -> None:
    env = _env(protocol)
    observation = env.call("Laboratory Test", {"tests": ["Lipase"]})
    call = env.calls[-1]
    assert call.valid is valid
    if valid:  # CDMv1's fuzzy ratio above 80: recorded under the tool's name
        assert call.name == "laboratory_tests" and call.requested_name == "Laboratory Test"
        assert observation == "Laboratory Tests:\n(Blood) Lipase: 32.0 IU/L"
    else:
        assert call.name == "Laboratory Test" and "Unknown tool" in observation
    env.call("order labs", {"tests": ["Lipase"]})  # CDMv1's shortcut: 'labs' in the name
    assert env.calls[-1].valid is valid


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("cdmbench", "T 38.4 HR 104. Tender on deep palpation below the right costal margin."),
        ("cdmv1", "Physical Examination:\nT 38.4 HR 104. Tender on deep palpation below the right costal margin."),
    ],
)
def test_observation_title(protocol: str, expected: str) -> None:
    assert _env(protocol).physical_examination() == expected


@pytest.mark.parametrize(
    ("protocol", "parsed"), [("cdmbench", "Hepatitis A Antibody"), ("cdmv1", "Hepatitis Antibody")]
)
def test_capital_article_removed_anywhere_in_cdmv1(protocol: str, parsed: str) -> None:
    env = _env(protocol)
    env.laboratory_tests(["Hepatitis A Antibody"])  # CDMv1 removed every "A " (\bA\s), cdmbench only a leading one
    assert env.calls[-1].normalized_args["unrecognized"] == [parsed]


@pytest.mark.parametrize("protocol", ["cdmbench", "cdmv1"])
def test_lab_items_file_joins_the_label_set(tmp_path, protocol: str) -> None:
    from cdmbench.config import compose
    from cdmbench.protocols import protocol_from_config

    (tmp_path / "d_labitems.csv").write_text("itemid,label,fluid,category\n99901,Frobnicase,Blood,Chemistry\n")
    cfg = compose("evaluate", [f"protocol={protocol}", f"protocol.lab_items={tmp_path / 'd_labitems.csv'}"])
    chosen = protocol_from_config(cfg)
    assert chosen.name == protocol and chosen.lab_dictionary([make_case()]).itemids("Frobnicase") == (99901,)
    env = CaseEnvironment(make_case(), chosen.lab_dictionary([make_case()]), chosen)
    env.laboratory_tests(["Frobnicase"])  # recognized, though no case has it
    assert env.calls[-1].normalized_args == {"itemids": [99901], "unrecognized": []}


@pytest.mark.parametrize(
    ("name", "cdmv1", "cdmbench"),
    [
        ("finish", True, True),
        ("Final Diagnosis", True, False),
        ("FINAL DIAGNOSIS", True, False),
        ("final_diagnosis", True, False),
        ("Final Diagnosis - acute appendicitis", True, False),
        ("Diagnosis: acute appendicitis", True, False),  # CDMv1's parser ended on "diagnosis:" anywhere
        ("Physical Examination", False, False),  # a tool's name stays the tool
        ("Laboratory Tests", False, False),
        ("Abdominal Ultrasound", False, False),
        ("Treatment", False, False),
    ],
)
def test_which_step_names_end_the_episode(name: str, cdmv1: bool, cdmbench: bool) -> None:
    assert get_protocol("cdmv1").is_finish(name) is cdmv1
    assert get_protocol("cdmbench").is_finish(name) is cdmbench
