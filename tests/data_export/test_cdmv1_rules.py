"""Each CDMv1 cohort, exclusion and extraction rule, through db-load and create-benchmark on real PostgreSQL.

The data set (``rules_mimic.py``) has one admission per rule; hosp/ and note/ are written to two folders, as
PhysioNet ships them, and loaded with ``note_source``.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from pytest_postgresql.executors.noop import NoopExecutor

from cdmbench.cases import Case
from cdmbench.data_export.export import ExportResult, export_cases
from cdmbench.data_export.load import load_mimic
from cdmbench.data_export.rules import REASONS
from tests.data_export.rules_mimic import EXAM, write_rules_mimic
from tests.postgres import connect_to, fresh_database

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def conn(pg_server: NoopExecutor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[psycopg.Connection]:
    root = tmp_path_factory.mktemp("rules")
    hosp, notes = root / "mimiciv" / "3.1", root / "mimic-iv-note" / "2.2"
    write_rules_mimic(hosp, note_root=notes)
    with fresh_database(pg_server, "cdmbench_rules") as dbname, connect_to(pg_server, dbname) as connection:
        summary = load_mimic(connection, hosp, note_source=notes, progress=False)
        assert summary.rows["mimiciv_note.discharge"] == 20
        yield connection


@pytest.fixture(scope="module")
def result(conn: psycopg.Connection) -> ExportResult:
    return export_cases(conn, progress=False)


def _case(result: ExportResult, hadm_id: int) -> Case:
    found = [c for c in result.cases if c.hadm_id == hadm_id]
    assert found, f"{hadm_id} was excluded as {result.excluded.get(hadm_id)}"
    return found[0]


def test_every_reason_is_counted_in_rule_order(result: ExportResult) -> None:
    assert list(result.exclusions) == list(REASONS)
    assert result.excluded == {
        26769588: "manual_exclusion",
        31000002: "not_in_cohort",
        31000004: "history_names_disease",
        31000006: "short_exam",
        31000008: "not_primary_diagnosis",
        31000010: "not_first_diagnosis",
        31000015: "no_labs",
        31000017: "no_abdominal_imaging",
        31000019: "no_history",
        31000020: "not_primary_diagnosis",
    }
    assert all(n == (2 if r == "not_primary_diagnosis" else 1) for r, n in result.exclusions.items())


def test_cohort_takes_any_diagnosis_not_only_the_first(result: ExportResult) -> None:
    case = _case(result, 31000001)
    assert case.pathology == "appendicitis"
    assert case.ground_truth is not None and case.ground_truth.icd_diagnoses[0] == "Unspecified abdominal pain"


def test_history_rule_is_per_pathology(result: ExportResult) -> None:
    case = _case(result, 31000005)  # a cholecystitis case whose past history names an appendectomy
    assert case.pathology == "cholecystitis" and "s/p appendectomy" in case.patient_history
    assert result.excluded[31000004] == "history_names_disease"  # the appendectomy is in the PAST history


def test_exam_cut_at_discharge_and_masked_inside_words(result: ExportResult) -> None:
    assert _case(result, 31000007).physical_exam_text == f"{EXAM}\nConcern for peri___."
    assert _case(result, 31000001).physical_exam_text == EXAM


def test_secondary_to_is_not_the_secondary_heading(result: ExportResult) -> None:
    case = _case(result, 31000009)
    assert case.ground_truth is not None
    assert case.ground_truth.primary_diagnosis == ["Sepsis secondary to acute appendicitis", "Hypertension"]


def test_the_primary_part_ends_where_the_secondary_lines_text_first_occurs(result: ExportResult) -> None:
    # CDMv1 splits "sepsis secondary to acute appendicitis\nsecondary\n..." at the first "secondary": "sepsis "
    assert result.excluded[31000020] == "not_primary_diagnosis"


def test_the_first_diagnosis_is_cut_at_lower_case_words_only(result: ExportResult) -> None:
    assert _case(result, 31000021).pathology == "appendicitis"


def test_a_report_left_with_header_lines_only_is_dropped(result: ExportResult) -> None:
    assert result.excluded[31000017] == "no_abdominal_imaging"  # its CT ABDOMEN keeps only "FINDINGS:"


def test_two_pathologies_are_assigned_by_the_first_discharge_diagnosis(result: ExportResult) -> None:
    assert _case(result, 31000011).pathology == "pancreatitis"


def test_deidentified_headers_and_the_last_diagnosis_section(result: ExportResult) -> None:
    case = _case(result, 31000012)
    assert case.patient_history.startswith("Ms. ___ is a 30 year old woman")
    assert case.ground_truth is not None and case.ground_truth.primary_diagnosis == ["Acute appendicitis", "Asthma"]
    assert _case(result, 31000013).patient_history.startswith("Ms. ___")


def test_unusable_lab_values_are_dropped_before_the_first_value(result: ExportResult) -> None:
    labs = _case(result, 31000014).lab_results
    assert [(lab.itemid, lab.value, lab.charttime) for lab in labs] == [
        (51301, "12.0 K/uL", "2150-01-02T10:00:00"),
        (51492, "NEG mg/dL", "2150-01-02T10:00:00"),
        (50889, "8.0 mg/L", "2150-01-02T11:00:00"),
    ]


def test_microbiology_earliest_result_per_test_with_organisms_merged(result: ExportResult) -> None:
    events = _case(result, 31000016).microbiology_events
    assert [(e.test_itemid, e.organism_name, e.comments, e.charttime) for e in events] == [
        (90201, "ESCHERICHIA COLI, KLEBSIELLA PNEUMONIAE", None, "2150-01-02T11:00:00"),
        (90039, None, "NO GROWTH.", "2150-01-02T12:00:00"),
    ]


def test_addendum_takes_the_parent_exam_name(result: ExportResult) -> None:
    reports = _case(result, 31000018).radiology_reports
    assert [(r.note_id, r.exam_name, r.modality) for r in reports] == [
        ("11000017-RR-1", "CT ABD & PELVIS WITH CONTRAST", "CT"),
        ("11000017-RR-2", "CT ABD & PELVIS WITH CONTRAST", "CT"),
    ]  # RR-3 has neither an exam name nor a parent: dropped


def test_create_benchmark_adds_missing_indexes(conn: psycopg.Connection) -> None:
    conn.execute("DROP INDEX mimiciv_hosp.labevents_hadm_idx")
    conn.commit()
    export_cases(conn, progress=False)
    found = conn.execute("SELECT to_regclass('mimiciv_hosp.labevents_hadm_idx') IS NOT NULL").fetchone()
    assert found is not None and found[0]
