"""create-benchmark on the hand-made mini data set: every export rule checked against known values."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pytest_postgresql.executors.noop import NoopExecutor

from cdmbench.data_export.assemble import lab_value
from cdmbench.data_export.export import ExportResult, export_cases
from cdmbench.data_export.load import load_mimic
from cdmbench.data_export.rules import REASONS
from cdmbench.errors import DatabaseError
from tests.data_export.mini_mimic import write_mini_mimic
from tests.postgres import connect_to, fresh_database

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def mini_conn(pg_server: NoopExecutor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[psycopg.Connection]:
    source = write_mini_mimic(tmp_path_factory.mktemp("mini") / "synthetic")
    with fresh_database(pg_server, "cdmbench_mini") as dbname, connect_to(pg_server, dbname) as conn:
        load_mimic(conn, source, progress=False)
        yield conn


@pytest.fixture(scope="module")
def result(mini_conn: psycopg.Connection) -> ExportResult:
    return export_cases(mini_conn, progress=False)


def test_cohort_and_exclusions(result: ExportResult) -> None:
    assert [c.hadm_id for c in result.cases] == [20000001]
    # 20000003: pancreatitis only as a later ICD diagnosis is still a candidate, but it has no discharge note
    assert result.excluded == {20000002: "history_names_disease", 20000003: "no_history"}
    assert result.exclusions == {reason: 0 for reason in REASONS} | {"history_names_disease": 1, "no_history": 1}
    assert result.source == "synthetic"


def test_case_text_and_demographics(result: ExportResult) -> None:
    case = result.cases[0]
    assert case.pathology == "appendicitis"
    assert case.demographics is not None and (case.demographics.age, case.demographics.gender) == (34, "F")
    assert case.patient_history.startswith("Ms. ___ is a 34 year old woman")
    assert case.patient_history.endswith("Family History:\nNon-contributory")
    assert case.physical_exam_text == (
        "Vitals: T 38.1 HR 96 BP 122/76\nAbdomen: tender at McBurney's point, guarding; ___ suspected clinically."
    )


def test_labs_first_value_window_and_order(result: ExportResult) -> None:
    labs = result.cases[0].lab_results
    # the NULL-hadm WBC one day before the first transfer is the first WBC; the glucose two days before is outside
    assert [(lab.itemid, lab.value, lab.charttime, lab.sequence_num) for lab in labs] == [
        (51301, "13.1 K/uL", "2151-03-01T09:00:00", 0),
        (50889, "12", "2151-03-02T10:00:00", 1),
        (51221, "38.0", "2151-03-02T10:00:00", 2),
    ]
    assert (labs[0].test_name, labs[0].fluid, labs[0].category) == ("White Blood Cells", "Blood", "Hematology")
    assert (labs[0].ref_range_lower, labs[0].ref_range_upper) == (4.0, 11.0)


def test_lab_value_rules() -> None:
    assert lab_value("14.2", 14.2, "K/uL", "abnormal", None) == "14.2 K/uL"
    assert lab_value("7", 7, None, None, None) == "7.0"
    assert lab_value("NEG", None, None, "abnormal", "x") == "NEG"
    assert lab_value("NEG", None, "mg/dL", None, None) == "NEG mg/dL"
    assert lab_value("___", None, "mg/dL", None, "see comment") == "see comment"
    assert lab_value(None, None, None, "abnormal", "x") == "abnormal"
    assert lab_value(None, None, None, None, "see comment") == "see comment"
    assert lab_value(None, None, None, None, None) is None


def test_microbiology_cancel_and_dedup(result: ExportResult) -> None:
    events = result.cases[0].microbiology_events
    assert [(e.test_itemid, e.comments, e.charttime, e.sequence_num) for e in events] == [
        (90201, "No growth.", "2151-03-02T10:30:00", 0)
    ]


def test_radiology_classified_cleaned_masked(result: ExportResult) -> None:
    (report,) = result.cases[0].radiology_reports
    assert (report.note_id, report.exam_name, report.modality, report.region) == (
        "10000001-RR-1",
        "CT ABD & PELVIS WITH CONTRAST",
        "CT",
        "Abdomen",
    )
    assert "INDICATION" not in report.text and "IMPRESSION" not in report.text
    assert "FINDINGS:\nThe appendix is dilated" in report.text
    assert report.charttime == "2151-03-02T12:00:00"


def test_ground_truth(result: ExportResult) -> None:
    truth = result.cases[0].ground_truth
    assert truth is not None
    assert truth.primary_diagnosis == ["Acute appendicitis"]
    assert truth.icd_diagnoses == ["Unspecified acute appendicitis", "Unspecified asthma, uncomplicated"]
    assert [(t.title, t.icd_code, t.is_coded) for t in truth.treatments] == [
        ("Resection of Appendix, Percutaneous Endoscopic Approach", "0DTJ4ZZ", True),
        ("Laparoscopic appendectomy", None, False),
    ]


def test_extended_mode_and_procedure_cutoff(mini_conn: psycopg.Connection) -> None:
    extended = export_cases(mini_conn, extended=True, progress=False)
    labs = extended.cases[0].lab_results
    assert [(lab.itemid, lab.value, lab.sequence_num) for lab in labs] == [
        (51301, "13.1 K/uL", 0),
        (50889, "12", 0),
        (51221, "38.0", 0),
        (51301, "14.2 K/uL", 1),
    ]
    # move the first procedure before the admission: nothing is charted before it any more
    with mini_conn.transaction():
        mini_conn.execute("UPDATE mimiciv_hosp.procedures_icd SET chartdate = '2151-03-02' WHERE hadm_id = 20000001")
        cut = export_cases(mini_conn, extended=True, progress=False)
        plain = export_cases(mini_conn, progress=False)
        mini_conn.execute("UPDATE mimiciv_hosp.procedures_icd SET chartdate = '2151-03-03' WHERE hadm_id = 20000001")
    case = cut.cases[0]
    assert [lab.itemid for lab in case.lab_results] == [51301]  # only the NULL-hadm WBC of 2151-03-01
    assert case.microbiology_events == [] and case.radiology_reports == []
    assert len(plain.cases[0].lab_results) == 3


def test_limit(mini_conn: psycopg.Connection) -> None:
    assert export_cases(mini_conn, limit=0, progress=False).cases == []
    assert len(export_cases(mini_conn, limit=5, progress=False).cases) == 1


def test_the_garbage_collector_is_restored(mini_conn: psycopg.Connection) -> None:
    # the export pauses the cyclic collector while it runs (speed); it must leave it as it found it
    assert gc.isenabled()
    export_cases(mini_conn, progress=False)
    assert gc.isenabled()
    gc.disable()
    try:
        export_cases(mini_conn, progress=False)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_missing_table_is_named(pg_conn: psycopg.Connection, tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match=r"lacks tables mimiciv_hosp\.patients.*cdmbench db-load"):
        export_cases(pg_conn, progress=False)
