"""convert-cdmv1: the hand-made PhysioNet-layout fixture converts field by field; broken inputs fail clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from cdmbench.cases import Case, load_cases_file
from cdmbench.config import compose
from cdmbench.data_export.convert_cdmv1 import TABLES, convert_cdmv1, run
from cdmbench.errors import DataSourceError


@pytest.fixture
def source(data_dir: Path) -> Path:
    return data_dir / "cdmv1_physionet"


@pytest.fixture
def converted(source: Path) -> dict[int, Case]:
    cases, _ = convert_cdmv1(source, progress=False)
    return {c.hadm_id: c for c in cases}


@pytest.fixture
def broken_copy(source: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "cdm"
    shutil.copytree(source, copy)
    return copy


def test_cases_and_summary(source: Path) -> None:
    cases, summary = convert_cdmv1(source, progress=False)
    assert [c.hadm_id for c in cases] == [29000001, 29000002, 29000003, 29000004]  # sorted, 29000005 skipped
    assert [c.pathology for c in cases] == ["appendicitis", "cholecystitis", "diverticulitis", "pancreatitis"]
    assert summary.cases_per_pathology == {
        "appendicitis": 1,
        "cholecystitis": 1,
        "diverticulitis": 1,
        "pancreatitis": 1,
    }
    assert summary.total == 4
    assert summary.skipped_no_hpi == 1
    assert summary.duplicate_lab_rows == 1
    assert summary.unmapped_lab_itemids == [99999]
    assert summary.unmapped_imaging == {"region Scrotum": 1}


def test_history_and_exam(converted: dict[int, Case]) -> None:
    first = converted[29000001]
    assert first.patient_history.startswith("SYNTHETIC TEST PATIENT A.")
    assert first.patient_history.endswith("Past Medical History:\nNone (made up).")
    assert converted[29000004].patient_history == (
        "SYNTHETIC TEST PATIENT D. Fictional adult with invented epigastric pain radiating to the back."
    )
    assert first.physical_exam_text == "VS: T 38.0 (invented)\nAbd: tender at McBurney's point (fictional finding)."
    assert converted[29000004].physical_exam_text == ""  # no pe row
    assert all(c.demographics is None for c in converted.values())


def test_labs_join_the_mapping(converted: dict[int, Case]) -> None:
    labs = converted[29000001].lab_results
    assert [(lab.itemid, lab.test_name, lab.value) for lab in labs] == [
        (51301, "White Blood Cells", "14.2 K/uL"),  # the repeated 51301 row is dropped: first value kept
        (50889, "C-Reactive Protein", "45.1 mg/L"),
    ]
    wbc = labs[0]
    assert (wbc.fluid, wbc.category, wbc.ref_range_lower, wbc.ref_range_upper) == ("Blood", "Hematology", 4.0, 10.0)
    assert [lab.sequence_num for lab in labs] == [0, 1]
    assert wbc.charttime is None
    # itemids found only through corresponding_ids
    names = {lab.itemid: lab.test_name for lab in converted[29000002].lab_results}
    assert names == {53089: "Bilirubin, Total", 51755: "White Blood Cells"}
    lipase, unknown = converted[29000004].lab_results
    assert (lipase.ref_range_lower, lipase.ref_range_upper) == (None, None)
    assert (unknown.itemid, unknown.test_name, unknown.fluid, unknown.value) == (99999, "itemid 99999", None, "NA")


def test_microbiology(converted: dict[int, Case]) -> None:
    (event,) = converted[29000001].microbiology_events
    assert event.test_itemid == 90201
    assert event.test_name == "Blood Culture, Routine"
    assert event.spec_type_desc == "BLOOD CULTURE"
    assert event.comments == "No growth (synthetic)."
    assert event.organism_name is None
    (multi_line,) = converted[29000003].microbiology_events
    assert multi_line.comments == "ESCHERICHIA COLI (invented). \nSensitivities: synthetic."
    assert multi_line.spec_type_desc is None  # empty spec_itemid
    (unknown,) = converted[29000004].microbiology_events
    assert (unknown.test_itemid, unknown.test_name, unknown.spec_type_desc) == (90999, None, None)
    assert converted[29000002].microbiology_events == []


def test_radiology_names_are_canonical(converted: dict[int, Case]) -> None:
    us, ctu = converted[29000001].radiology_reports
    assert (us.note_id, us.modality, us.region, us.exam_name) == (
        "29000001-RR-1",
        "Ultrasound",
        "Abdomen",
        "US ABD LIMIT SINGLE ORGAN",
    )
    assert us.text == "FINDINGS: Invented dilated appendix (synthetic)."
    assert (ctu.modality, ctu.region) == ("CT", "Abdomen")  # CTU -> CT, Pelvis -> Abdomen
    assert ctu.text == "FINDINGS: Invented normal kidneys.\n\nSynthetic second paragraph."
    assert [r.sequence_num for r in converted[29000001].radiology_reports] == [0, 1]
    (hida,) = converted[29000002].radiology_reports
    assert (hida.modality, hida.region) == ("HIDA", "Abdomen")
    drainage = converted[29000003].radiology_reports[1]
    assert (drainage.modality, drainage.region) == ("CT", "Extremity")  # Drainage: from the exam name; Knee
    (scrotal,) = converted[29000004].radiology_reports
    assert (scrotal.modality, scrotal.region) == ("Ultrasound", None)  # Scrotum has no canonical region


def test_ground_truth(converted: dict[int, Case]) -> None:
    truth = converted[29000001].ground_truth
    assert truth.primary_diagnosis == ["Acute appendicitis (synthetic)", "Invented dehydration"]
    assert truth.icd_diagnoses == ["Acute appendicitis without mention of peritonitis", "Dehydration"]
    assert [(t.title, t.icd_code, t.is_coded) for t in truth.treatments] == [
        ("Laparoscopic appendectomy", "4701", True),
        ("Closed [endoscopic] biopsy of bronchus", "0331", True),  # ICD-9 zero-padded to 4
        ("Laparoscopic appendectomy (synthetic)", None, False),
    ]
    cholecystitis = converted[29000002].ground_truth
    assert [(t.icd_code, t.is_coded) for t in cholecystitis.treatments] == [("0FT44ZZ", True)]  # 'None' dropped
    assert converted[29000003].ground_truth.primary_diagnosis == ["Sigmoid diverticulitis (synthetic)"]
    assert converted[29000003].ground_truth.treatments[0].icd_code == "4701"  # dot removed
    pancreatitis = converted[29000004].ground_truth
    assert pancreatitis.icd_diagnoses == ["Acute pancreatitis", "Calculus of gallbladder (biliary origin)"]
    assert [(t.title, t.is_coded) for t in pancreatitis.treatments] == [("ERCP with sphincterotomy (synthetic)", False)]


def test_run_writes_a_marked_cases_file(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "cases.json"
    assert run(OmegaConf.create({"source": str(source), "out": str(out)})) == 0
    written = load_cases_file(out)
    assert written.source == "mimic-iv-ext-cdm"
    assert [c.hadm_id for c in written.cases] == [29000001, 29000002, 29000003, 29000004]
    assert [p.name for p in out.parent.iterdir()] == ["cases.json"]  # no temp files left behind


@pytest.mark.parametrize("name", [*TABLES, "pathology_ids.json"])
def test_missing_file_is_named(broken_copy: Path, tmp_path: Path, name: str) -> None:
    (broken_copy / name).unlink()
    out = tmp_path / "cases.json"
    with pytest.raises(DataSourceError, match=rf"{name} is missing from .*MIMIC-IV-Ext-CDM 1\.1"):
        run(OmegaConf.create({"source": str(broken_copy), "out": str(out)}))
    assert not out.exists()


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="does not exist"):
        convert_cdmv1(tmp_path / "nowhere", progress=False)


@pytest.mark.parametrize(
    ("name", "column"),
    [("laboratory_tests.csv", "valuestr"), ("radiology_reports.csv", "modality"), ("lab_test_mapping.csv", "label")],
)
def test_missing_column_is_named(broken_copy: Path, name: str, column: str) -> None:
    path = broken_copy / name
    header, rest = path.read_text().split("\n", 1)
    path.write_text(header.replace(column, "renamed") + "\n" + rest)
    with pytest.raises(DataSourceError, match=rf"{name}: column '{column}' is missing"):
        convert_cdmv1(broken_copy, progress=False)


def test_bad_cells_name_the_line(broken_copy: Path) -> None:
    path = broken_copy / "laboratory_tests.csv"
    path.write_text(path.read_text().replace("29000003,51301", "29000003,WBC"))
    with pytest.raises(DataSourceError, match=r"laboratory_tests.csv, line 7: column 'itemid'"):
        convert_cdmv1(broken_copy, progress=False)


def test_bad_corresponding_ids(broken_copy: Path) -> None:
    path = broken_copy / "lab_test_mapping.csv"
    path.write_text(path.read_text().replace("[50889]", "fifty"))
    with pytest.raises(DataSourceError, match=r"lab_test_mapping.csv, line 3: column 'corresponding_ids'"):
        convert_cdmv1(broken_copy, progress=False)


def test_unknown_pathology(broken_copy: Path) -> None:
    (broken_copy / "pathology_ids.json").write_text('{"gastritis": [29000001]}')
    with pytest.raises(DataSourceError, match="unknown pathology 'gastritis'"):
        convert_cdmv1(broken_copy, progress=False)


def test_nothing_to_convert(broken_copy: Path, tmp_path: Path) -> None:
    (broken_copy / "pathology_ids.json").write_text('{"appendicitis": [29000005]}')
    with pytest.raises(DataSourceError, match="nothing to write"):
        run(OmegaConf.create({"source": str(broken_copy), "out": str(tmp_path / "c.json")}))


def test_category_column_is_optional(broken_copy: Path) -> None:
    (broken_copy / "lab_test_mapping.csv").write_text(
        'label,itemid,fluid,corresponding_ids\nWhite Blood Cells,51301,Blood,"[51301, 51755]"\n'
    )
    cases, summary = convert_cdmv1(broken_copy, progress=False)
    wbc = cases[0].lab_results[0]
    assert (wbc.test_name, wbc.fluid, wbc.category) == ("White Blood Cells", "Blood", None)
    assert 50889 in summary.unmapped_lab_itemids


def test_composed_config_runs(source: Path, tmp_path: Path) -> None:
    cfg = compose("convert_cdmv1", [f"source={source}", f"out={tmp_path / 'cases.json'}"])
    assert run(cfg) == 0
    assert len(load_cases_file(tmp_path / "cases.json").cases) == 4
