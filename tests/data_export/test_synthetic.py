"""The synthetic MIMIC-IV generator: determinism, layout, mix, realism and the truth it writes."""

from __future__ import annotations

import csv
import gzip
import json
import re
import statistics
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from loguru import logger
from omegaconf import OmegaConf

from cdmbench.cases import PATHOLOGIES, load_cases_file
from cdmbench.data_export.rules import REASONS
from cdmbench.data_export.synthetic import (
    distractor_counts,
    generate,
    n_distractors,
    pathology_counts,
    plan_admissions,
)
from cdmbench.data_export.synthetic.catalog import EXAMS, masking_keywords, vocabulary
from cdmbench.data_export.synthetic.command import run
from cdmbench.data_export.synthetic.mix import DISTRACTOR_KINDS, largest_remainder
from cdmbench.data_export.synthetic.writer import TABLES
from cdmbench.errors import ConfigError, OutputError

N = 150

EXPECTED_COLUMNS = {
    "hosp/patients.csv.gz": "subject_id, gender, anchor_age, anchor_year, anchor_year_group, dod",
    "hosp/admissions.csv.gz": "subject_id, hadm_id, admittime, dischtime, deathtime, admission_type, "
    "admit_provider_id, admission_location, discharge_location, insurance, language, marital_status, race, "
    "edregtime, edouttime, hospital_expire_flag",
    "hosp/transfers.csv.gz": "subject_id, hadm_id, transfer_id, eventtype, careunit, intime, outtime",
    "hosp/diagnoses_icd.csv.gz": "subject_id, hadm_id, seq_num, icd_code, icd_version",
    "hosp/d_icd_diagnoses.csv.gz": "icd_code, icd_version, long_title",
    "hosp/procedures_icd.csv.gz": "subject_id, hadm_id, seq_num, chartdate, icd_code, icd_version",
    "hosp/d_icd_procedures.csv.gz": "icd_code, icd_version, long_title",
    "hosp/labevents.csv.gz": "labevent_id, subject_id, hadm_id, specimen_id, itemid, order_provider_id, charttime, "
    "storetime, value, valuenum, valueuom, ref_range_lower, ref_range_upper, flag, priority, comments",
    "hosp/d_labitems.csv.gz": "itemid, label, fluid, category",
    "hosp/microbiologyevents.csv.gz": "microevent_id, subject_id, hadm_id, micro_specimen_id, order_provider_id, "
    "chartdate, charttime, spec_itemid, spec_type_desc, test_seq, storedate, storetime, test_itemid, test_name, "
    "org_itemid, org_name, isolate_num, quantity, ab_itemid, ab_name, dilution_text, dilution_comparison, "
    "dilution_value, interpretation, comments",
    "note/discharge.csv.gz": "note_id, subject_id, hadm_id, note_type, note_seq, charttime, storetime, text",
    "note/radiology.csv.gz": "note_id, subject_id, hadm_id, note_type, note_seq, charttime, storetime, text",
    "note/radiology_detail.csv.gz": "note_id, subject_id, field_name, field_value, field_ordinal",
}
TIMESTAMP = re.compile(r"^2[12]\d\d-\d\d-\d\d \d\d:\d\d:\d\d$")


def read_table(root: Path, relpath: str) -> list[dict[str, str]]:
    with gzip.open(root / relpath, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def all_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic") / "seed0"
    generate(out, n_admissions=N, seed=0)
    return out


@pytest.fixture(scope="module")
def truth(dataset: Path) -> dict[str, Any]:
    return json.loads((dataset / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def windows(dataset: Path) -> dict[str, tuple[int, datetime, datetime]]:
    """subject_id -> (hadm_id, first transfer intime - 1 day, last transfer intime)."""
    intimes: dict[str, list[datetime]] = {}
    hadm: dict[str, int] = {}
    for row in read_table(dataset, "hosp/transfers.csv.gz"):
        intimes.setdefault(row["subject_id"], []).append(datetime.fromisoformat(row["intime"]))
        hadm[row["subject_id"]] = int(row["hadm_id"])
    return {s: (hadm[s], min(t) - timedelta(days=1), max(t)) for s, t in intimes.items()}


# ------------------------------------------------------------------------------------------- mix


def test_split_matches_mimic_cdm_for_2400() -> None:
    assert pathology_counts(2400) == {
        "appendicitis": 957,
        "cholecystitis": 648,
        "diverticulitis": 257,
        "pancreatitis": 538,
    }


@pytest.mark.parametrize("n", [1, 7, 40, 150, 1000, 2399, 4800])
def test_split_sums_and_stays_proportional(n: int) -> None:
    counts = pathology_counts(n)
    assert sum(counts.values()) == n
    for name, weight in {"appendicitis": 957, "cholecystitis": 648, "diverticulitis": 257, "pancreatitis": 538}.items():
        assert abs(counts[name] - n * weight / 2400) < 1


def test_largest_remainder_gives_leftovers_to_largest_fractions() -> None:
    assert largest_remainder(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert largest_remainder(5, {"a": 7, "b": 3}) == {"a": 4, "b": 1}  # 3.5 / 1.5: the tie goes to the first key


def test_distractor_count_is_a_robust_ceiling() -> None:
    assert n_distractors(2400, 0.25) == 600
    assert n_distractors(30, 0.1) == 3
    assert n_distractors(10, 0.25) == 3
    assert n_distractors(10, 0.0) == 0
    counts = distractor_counts(len(DISTRACTOR_KINDS))
    assert sum(counts.values()) == len(DISTRACTOR_KINDS) and min(counts.values()) == 1
    many = distractor_counts(600)
    assert sum(many.values()) == 600 and many["manual_exclusion"] == 4  # CDMv1 removed four ids by hand


def test_plan_has_unique_realistic_ids() -> None:
    specs = plan_admissions(100, seed=3, distractor_fraction=0.25)
    assert len(specs) == 125
    assert len({s.hadm_id for s in specs}) == 125 and len({s.subject_id for s in specs}) == 125
    assert all(10_000_000 <= s.subject_id < 20_000_000 and 20_000_000 <= s.hadm_id < 30_000_000 for s in specs)
    assert [s.subject_id for s in specs] == sorted(s.subject_id for s in specs)


# ------------------------------------------------------------------------------------------- files


def test_same_seed_gives_identical_bytes_and_other_seed_differs(dataset: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, n_admissions=N, seed=0)
    assert all_files(again) == all_files(dataset)
    other = tmp_path / "other"
    generate(other, n_admissions=N, seed=1)
    first, second = all_files(dataset), all_files(other)
    assert first.keys() == second.keys()
    assert first["hosp/labevents.csv.gz"] != second["hosp/labevents.csv.gz"]
    assert first["truth.json"] != second["truth.json"]


def test_columns_are_mimic_iv_in_order(dataset: Path) -> None:
    assert {path for path, _ in TABLES.values()} == set(EXPECTED_COLUMNS)
    for relpath, columns in EXPECTED_COLUMNS.items():
        with gzip.open(dataset / relpath, "rt", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == columns.split(", "), relpath


def test_gzip_headers_carry_no_time_and_no_name(dataset: Path) -> None:
    for relpath in EXPECTED_COLUMNS:
        head = (dataset / relpath).read_bytes()[:10]
        assert head[:3] == b"\x1f\x8b\x08"
        assert head[3] & 0x08 == 0, f"{relpath}: embedded file name"
        assert head[4:8] == b"\x00\x00\x00\x00", f"{relpath}: embedded mtime"


def test_marker_and_readme(dataset: Path) -> None:
    marker = (dataset / "SYNTHETIC").read_text(encoding="utf-8")
    assert marker.count("\n") == 1
    assert json.loads(marker) == {"generator": "cdmbench", "seed": 0, "n_admissions": N}
    readme = (dataset / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "no real patient" in readme.lower() and "seed: 0" in readme


def test_times_dates_and_numbers_are_written_like_mimic(dataset: Path) -> None:
    labs = read_table(dataset, "hosp/labevents.csv.gz")
    for row in labs:
        assert TIMESTAMP.match(row["charttime"]) and TIMESTAMP.match(row["storetime"])
        if row["valuenum"]:
            assert row["valuenum"] == repr(float(row["valuenum"]))
            assert len(row["valuenum"].split(".")[1]) <= 2
        for key in ("ref_range_lower", "ref_range_upper"):
            assert not row[key] or row[key] == repr(float(row[key]))
    years = [int(r["charttime"][:4]) for r in labs]
    assert min(years) >= 2110 and max(years) <= 2208
    for row in read_table(dataset, "hosp/procedures_icd.csv.gz"):
        assert re.fullmatch(r"2[12]\d\d-\d\d-\d\d", row["chartdate"])
    transfers = read_table(dataset, "hosp/transfers.csv.gz")
    discharge_rows = [r for r in transfers if r["eventtype"] == "discharge"]
    assert discharge_rows and all(r["careunit"] == "" and r["outtime"] == "" for r in discharge_rows)
    assert {r["eventtype"] for r in transfers} >= {"ED", "admit", "discharge"}


def test_ids_and_note_ids_look_like_mimic(dataset: Path) -> None:
    types = []
    for row in read_table(dataset, "note/radiology.csv.gz"):
        assert row["note_id"] == f"{row['subject_id']}-RR-{row['note_seq']}" and row["note_type"] in ("RR", "AR")
        types.append(row["note_type"])
    assert 0 < types.count("AR") < 0.06 * len(types)  # addenda: their exam name is on the parent note
    for row in read_table(dataset, "note/discharge.csv.gz"):
        assert row["note_id"] == f"{row['subject_id']}-DS-{row['note_seq']}" and row["note_type"] == "DS"
    detail = read_table(dataset, "note/radiology_detail.csv.gz")
    assert {r["field_name"] for r in detail} == {"exam_name", "exam_code", "cpt_code", "parent_note_id"}


def test_rewriting_replaces_files_and_leaves_no_temporaries(tmp_path: Path) -> None:
    out = tmp_path / "data"
    generate(out, n_admissions=8, seed=0)
    before = (out / "truth.json").read_bytes()
    generate(out, n_admissions=8, seed=5)
    assert (out / "truth.json").read_bytes() != before
    assert not [p for p in out.rglob("*.tmp")]


def test_unwritable_output_is_a_clear_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    with pytest.raises(OutputError, match="a_file"):
        generate(blocker, n_admissions=5, seed=0)


def test_bad_arguments_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="n_admissions"):
        generate(tmp_path, n_admissions=0)
    with pytest.raises(ConfigError, match="distractor_fraction"):
        generate(tmp_path, n_admissions=5, distractor_fraction=-1.0)


def test_command_runner_writes_and_logs_a_summary(tmp_path: Path) -> None:
    messages: list[str] = []
    sink = logger.add(messages.append, level="INFO", format="{message}")
    try:
        cfg = OmegaConf.create(
            {"out": str(tmp_path / "cli"), "n_admissions": 12, "seed": 2, "distractor_fraction": 0.5}
        )
        assert run(cfg) == 0
    finally:
        logger.remove(sink)
    truth = json.loads((tmp_path / "cli" / "truth.json").read_text(encoding="utf-8"))
    assert len(truth["cases"]) == 12 and len(truth["excluded"]) == 6
    summary = "".join(messages)
    assert "synthesized 12 cases" in summary and " s; rows:" in summary and "labevents" in summary


# ------------------------------------------------------------------------------------------- truth


def test_truth_is_a_valid_sorted_cases_file(dataset: Path, truth: dict[str, Any]) -> None:
    assert (truth["source"], truth["seed"], truth["n_admissions"]) == ("synthetic", 0, N)
    cases = load_cases_file(dataset / "truth.json")
    assert cases.is_synthetic and len(cases.cases) == N
    assert [c.hadm_id for c in cases.cases] == sorted(c.hadm_id for c in cases.cases)
    assert [e["hadm_id"] for e in truth["excluded"]] == sorted(e["hadm_id"] for e in truth["excluded"])
    counts = {p: sum(c.pathology == p for c in cases.cases) for p in PATHOLOGIES}
    assert counts == pathology_counts(N)


def test_every_distractor_reason_is_present(truth: dict[str, Any]) -> None:
    reasons = [e["reason"] for e in truth["excluded"]]
    assert set(reasons) == set(REASONS)
    assert len(reasons) == n_distractors(N, 0.25)


def test_cohort_first_diagnoses(dataset: Path, truth: dict[str, Any]) -> None:
    titles = {
        (r["icd_code"], r["icd_version"]): r["long_title"] for r in read_table(dataset, "hosp/d_icd_diagnoses.csv.gz")
    }
    rows = read_table(dataset, "hosp/diagnoses_icd.csv.gz")
    first = {int(r["hadm_id"]): titles[(r["icd_code"], r["icd_version"])] for r in rows if r["seq_num"] == "1"}
    every: dict[int, str] = {}
    for r in rows:
        every[int(r["hadm_id"])] = every.get(int(r["hadm_id"]), "") + "|" + titles[(r["icd_code"], r["icd_version"])]
    phrase = {
        "appendicitis": "acute appendicitis",
        "cholecystitis": "acute cholecystitis",
        "diverticulitis": "diverticulitis",
        "pancreatitis": "acute pancreatitis",
    }
    for case in truth["cases"]:  # any diagnosis, not only the first, puts an admission in the cohort
        assert phrase[case["pathology"]] in every[case["hadm_id"]].lower()
        assert case["ground_truth"]["icd_diagnoses"][0] == first[case["hadm_id"]]
    for excluded in truth["excluded"]:
        if excluded["reason"] == "not_in_cohort":
            assert not any(p in every[excluded["hadm_id"]].lower() for p in phrase.values())


def test_lab_items_match_labs_json(dataset: Path) -> None:
    items = {int(r["itemid"]): r for r in read_table(dataset, "hosp/d_labitems.csv.gz")}
    reference = vocabulary("labs")["itemid_labels"]
    for itemid, ref in reference.items():
        if ref["fluid"] is None:
            assert int(itemid) not in items  # microbiology test ids are not d_labitems rows
            continue
        row = items[int(itemid)]
        assert (row["label"], row["fluid"], row["category"]) == (ref["label"], ref["fluid"], ref["category"])
    used = {int(r["itemid"]) for r in read_table(dataset, "hosp/labevents.csv.gz")}
    assert used <= set(items)
    wbc = next(r for r in read_table(dataset, "hosp/labevents.csv.gz") if r["itemid"] == "51301" and r["valuenum"])
    assert (wbc["valueuom"], wbc["ref_range_lower"], wbc["ref_range_upper"]) == ("K/uL", "4.0", "10.0")


def test_lab_results_are_realistic(dataset: Path, truth: dict[str, Any]) -> None:
    per_case = [len(c["lab_results"]) for c in truth["cases"]]
    assert 48 <= statistics.median(per_case) <= 66
    assert min(per_case) >= 1
    values = [lab["value"] for c in truth["cases"] for lab in c["lab_results"]]
    assert "NEG" in values  # text-only results
    lipase = {
        p: statistics.median(
            float(lab["value"].split()[0]) for c in truth["cases"] if c["pathology"] == p
            for lab in c["lab_results"] if lab["itemid"] == 50956 and lab["value"][0].isdigit()
        )
        for p in ("pancreatitis", "appendicitis")
    }  # fmt: skip
    assert lipase["pancreatitis"] > 5 * lipase["appendicitis"]
    rows = read_table(dataset, "hosp/labevents.csv.gz")
    flagged = [
        r for r in rows if r["valuenum"] and r["ref_range_upper"] and float(r["valuenum"]) > float(r["ref_range_upper"])
    ]
    assert flagged and all(r["flag"] == "abnormal" for r in flagged)


def _usable(r: dict[str, str]) -> bool:
    """A lab row the export counts: a value that is not NULL and not '___'."""
    return bool(r["valuenum"] or r["value"] not in ("", "___") or (r["flag"] or r["comments"]) not in ("", "___"))


def test_later_lab_values_are_not_the_truth(dataset: Path, truth: dict[str, Any], windows) -> None:
    subject = {int(r["hadm_id"]): r["subject_id"] for r in read_table(dataset, "hosp/admissions.csv.gz")}
    rows = read_table(dataset, "hosp/labevents.csv.gz")
    by_subject: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_subject.setdefault(r["subject_id"], []).append(r)
    repeated = 0
    for case in truth["cases"]:
        sid = subject[case["hadm_id"]]
        _, start, end = windows[sid]
        for lab in case["lab_results"]:
            times = sorted(
                r["charttime"]
                for r in by_subject[sid]
                if int(r["itemid"]) == lab["itemid"] and _usable(r)
                and (r["hadm_id"] == str(case["hadm_id"]) or (not r["hadm_id"] and start <= datetime.fromisoformat(r["charttime"]) <= end))
            )  # fmt: skip
            assert lab["charttime"] == times[0].replace(" ", "T")
            repeated += len(times) > 1
    assert repeated > 100


def test_null_hadm_events_inside_and_outside_windows(dataset: Path, truth: dict[str, Any], windows) -> None:
    inside = outside = 0
    for table in ("hosp/labevents.csv.gz", "hosp/microbiologyevents.csv.gz", "note/radiology.csv.gz"):
        for r in read_table(dataset, table):
            if r["hadm_id"]:
                continue
            _, start, end = windows[r["subject_id"]]
            if start <= datetime.fromisoformat(r["charttime"]) <= end:
                inside += 1
            else:
                outside += 1
    assert inside > 50 and outside > 50
    case_ids = {c["hadm_id"] for c in truth["cases"]}
    for sid, (hadm_id, start, end) in windows.items():
        if hadm_id not in case_ids:
            continue
        case = next(c for c in truth["cases"] if c["hadm_id"] == hadm_id)
        for item in case["lab_results"] + case["microbiology_events"] + case["radiology_reports"]:
            assert start <= datetime.fromisoformat(item["charttime"]) <= end, (sid, item["charttime"])


def test_microbiology_share_and_cancelled_rows(dataset: Path, truth: dict[str, Any]) -> None:
    share = sum(bool(c["microbiology_events"]) for c in truth["cases"]) / len(truth["cases"])
    assert 0.7 <= share <= 0.92
    rows = read_table(dataset, "hosp/microbiologyevents.csv.gz")
    assert any("CANCELLED" in r["comments"] for r in rows)
    assert all("CANCEL" not in (e["comments"] or "").upper() for c in truth["cases"] for e in c["microbiology_events"])
    groups: dict[tuple[str, str, str], int] = {}
    for r in rows:
        key = (r["micro_specimen_id"], r["test_itemid"], r["org_name"])
        groups[key] = groups.get(key, 0) + 1
    assert max(groups.values()) > 1  # several antibiotic rows per organism


def test_radiology_uses_the_catalogue_and_every_case_has_abdominal_imaging(
    dataset: Path, truth: dict[str, Any]
) -> None:
    catalogue = {e.name: (e.modality, e.region) for e in EXAMS}
    detail = read_table(dataset, "note/radiology_detail.csv.gz")
    assert {r["field_value"] for r in detail if r["field_name"] == "exam_name"} <= set(catalogue)
    for case in truth["cases"]:
        assert any(r["region"] == "Abdomen" for r in case["radiology_reports"])
        for report in case["radiology_reports"]:
            assert catalogue[report["exam_name"]] == (report["modality"], report["region"])
            assert report["text"].startswith(("EXAMINATION:", "ADDENDUM:"))
            assert not re.search(r"^(INDICATION|COMPARISON|IMPRESSION|HISTORY)", report["text"], re.MULTILINE)
    reports = [r for c in truth["cases"] for r in c["radiology_reports"]]
    assert 1.5 <= len(reports) / len(truth["cases"]) <= 3.5


def test_catalogue_agrees_with_the_vocabulary() -> None:
    imaging = pytest.importorskip("cdmbench.vocabulary.imaging")
    for entry in EXAMS:
        assert tuple(imaging.classify_exam(entry.name)) == (entry.modality, entry.region), entry.name


def test_histories_never_name_the_pathology_but_masking_is_exercised(truth: dict[str, Any]) -> None:
    masked = 0
    for case in truth["cases"]:
        pathology = case["pathology"]
        assert pathology not in case["patient_history"].lower()
        assert case["patient_history"].startswith(("Ms. ___", "Mr. ___"))
        texts = [case["physical_exam_text"]] + [r["text"] for r in case["radiology_reports"]]
        for keyword in masking_keywords(pathology):
            assert not any(re.search(rf"\b{re.escape(keyword)}\b", t, re.IGNORECASE) for t in texts)
        masked += any("___" in t for t in texts)
    assert masked >= 10


def test_history_names_disease_distractors_do(dataset: Path, truth: dict[str, Any]) -> None:
    notes = {int(r["hadm_id"]): r["text"] for r in read_table(dataset, "note/discharge.csv.gz")}
    named = [e["hadm_id"] for e in truth["excluded"] if e["reason"] == "history_names_disease"]
    for hadm_id in named:
        history = re.split(r"of Present(?:ing)? Illness:", notes[hadm_id])[1].split("Physical Exam:")[0].lower()
        assert any(p in history for p in PATHOLOGIES)


def test_exam_and_ground_truth_come_from_the_note(dataset: Path, truth: dict[str, Any]) -> None:
    notes = {int(r["hadm_id"]): r["text"] for r in read_table(dataset, "note/discharge.csv.gz")}
    for case in truth["cases"][:40]:
        note = notes[case["hadm_id"]]
        assert case["patient_history"] in note
        first_exam_line = case["physical_exam_text"].splitlines()[0]
        assert first_exam_line.startswith(("VS", "Vitals"))
        dx = re.split(r"(?:Discharge|___) Diagnosis:", note)[-1].split("Discharge Condition:")[0]
        for line in case["ground_truth"]["primary_diagnosis"]:
            assert line in dx
        coded = [t for t in case["ground_truth"]["treatments"] if t["is_coded"]]
        assert all(t["icd_code"] for t in coded)
