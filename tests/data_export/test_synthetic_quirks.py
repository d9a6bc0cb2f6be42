"""The generator plants the quirks of a real MIMIC-IV download, each at a low rate, in a 2,400-admission data set.

Each quirk exercises one export rule (docs/export-rules.md); the round trip (test_round_trip.py) checks that
create-benchmark handles them as truth.json says.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cdmbench.data_export.rules import DISEASE_NAMES, MANUAL_EXCLUSIONS
from cdmbench.data_export.synthetic.radiology import kept_text
from tests.data_export.test_synthetic import read_table

pytestmark = pytest.mark.slow

N = 2400
PHRASES = ("acute appendicitis", "acute cholecystitis", "diverticulitis", "acute pancreatitis")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cdmbench.data_export.synthetic import generate

    out = tmp_path_factory.mktemp("quirks") / "synthetic"
    generate(out, n_admissions=N, seed=0)
    return out


@pytest.fixture(scope="module")
def truth(dataset: Path) -> dict[str, Any]:
    return json.loads((dataset / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def notes(dataset: Path) -> dict[int, str]:
    return {int(r["hadm_id"]): r["text"] for r in read_table(dataset, "note/discharge.csv.gz")}


def _low(count: int, total: int, most: float) -> bool:
    """Present, and at most ``most`` of ``total``."""
    return 0 < count <= most * total


def test_cohort_quirks(dataset: Path, truth: dict[str, Any]) -> None:
    titles = {
        (r["icd_code"], r["icd_version"]): r["long_title"] for r in read_table(dataset, "hosp/d_icd_diagnoses.csv.gz")
    }
    by_hadm: dict[int, list[str]] = {}
    for r in read_table(dataset, "hosp/diagnoses_icd.csv.gz"):
        by_hadm.setdefault(int(r["hadm_id"]), []).append(titles[(r["icd_code"], r["icd_version"])].lower())
    cases = [c["hadm_id"] for c in truth["cases"]]
    later = sum(1 for h in cases if not any(p in by_hadm[h][0] for p in PHRASES))
    assert _low(later, len(cases), 0.1)  # the pathology's code only at a later seq_num
    two = sum(1 for h in cases if sum(any(p in t for t in by_hadm[h]) for p in PHRASES) > 1)
    assert _low(two, len(cases), 0.05)  # two cohort pathologies: the first discharge diagnosis decides
    assert {e["hadm_id"] for e in truth["excluded"] if e["reason"] == "manual_exclusion"} == set(MANUAL_EXCLUSIONS)


def test_every_exclusion_is_a_low_rate(truth: dict[str, Any]) -> None:
    counts = Counter(e["reason"] for e in truth["excluded"])
    assert len(counts) == 9 and all(0 < n <= 0.1 * N for n in counts.values()), counts


def test_note_quirks(notes: dict[int, str], truth: dict[str, Any]) -> None:
    texts = list(notes.values())
    for header in ("___ of Present Illness:", "History of Presenting Illness:", "___ Diagnosis:"):
        assert _low(sum(header in t for t in texts), len(texts), 0.06), header
    twice = sum(len(re.findall(r"^(?:Discharge|___) Diagnosis:", t, re.MULTILINE)) > 1 for t in texts)
    assert _low(twice, len(texts), 0.03)  # two diagnosis sections: the export reads the last one
    for header in ("UPON DISCHARGE:", "On discharge:", "Exam prior to discharge:"):
        assert _low(sum(header in t for t in texts), len(texts), 0.05), header
    cases = truth["cases"]
    assert _low(sum(c["physical_exam_text"].endswith("Exam prior to") for c in cases), len(cases), 0.05)
    other_named = sum(
        any(
            w in c["patient_history"].lower()
            for w in ("appendicitis", "cholecystitis", "diverticulitis", "pancreatitis")
        )
        for c in cases
    )
    assert _low(other_named, len(cases), 0.08)  # another pathology named in the past history: still a case
    inside = sum(bool(re.search(r"peri___", c["physical_exam_text"])) for c in cases)
    assert _low(inside, len(cases), 0.1)  # "periappendicitis": masked inside the word
    in_reports = sum(any("peri___" in r["text"] for r in c["radiology_reports"]) for c in cases)
    assert _low(in_reports, len(cases), 0.1)
    not_primary = {e["hadm_id"] for e in truth["excluded"] if e["reason"] == "not_primary_diagnosis"}
    cut_inside = {h for h, t in notes.items() if re.search(r"secondary to [^\n]*\nsecondary\n", t)}
    assert cut_inside and cut_inside <= not_primary and len(cut_inside) < len(not_primary)  # CDMv1 cuts at "sepsis "
    upper_and = [c for c in cases if any(" AND " in line for line in c["ground_truth"]["primary_diagnosis"])]
    assert _low(len(upper_and), len(cases), 0.05)  # kept: CDMv1 does not cut at an upper-case AND
    named = [e["hadm_id"] for e in truth["excluded"] if e["reason"] == "history_names_disease"]
    hpis = [re.split(r"Past Medical History:", notes[h])[0].lower() for h in named]
    in_pmh_only = sum(not any(name in hpi for names in DISEASE_NAMES.values() for name in names) for hpi in hpis)
    assert 0 < in_pmh_only < len(named)  # the disease named in the HPI, or only in the past history


def test_lab_quirks(dataset: Path, truth: dict[str, Any]) -> None:
    rows = read_table(dataset, "hosp/labevents.csv.gz")
    deidentified = sum(r["value"] == "___" and not r["valuenum"] for r in rows)
    empty = sum(not (r["value"] or r["valuenum"] or r["flag"] or r["comments"]) for r in rows)
    assert _low(deidentified, len(rows), 0.01) and _low(empty, len(rows), 0.01)
    values = [lab["value"] for c in truth["cases"] for lab in c["lab_results"]]
    assert any(v.startswith("NEG ") for v in values)  # a text result keeps its unit
    assert "___" not in values


def test_microbiology_quirks(dataset: Path, truth: dict[str, Any]) -> None:
    rows = read_table(dataset, "hosp/microbiologyevents.csv.gz")
    cancelled = sum(r["org_itemid"] == "90760" and r["org_name"] == "CANCELLED" for r in rows)
    untimed = sum(not r["charttime"] for r in rows)
    assert _low(cancelled, len(rows), 0.05) and _low(untimed, len(rows), 0.05)
    events = [e for c in truth["cases"] for e in c["microbiology_events"]]
    assert any(", " in (e["organism_name"] or "") for e in events)  # organisms of one result merged
    assert not any(e["organism_name"] == "CANCELLED" for e in events)


def test_radiology_quirks(dataset: Path, truth: dict[str, Any]) -> None:
    reports = read_table(dataset, "note/radiology.csv.gz")
    addenda = {r["note_id"] for r in reports if r["note_type"] == "AR"}
    assert _low(len(addenda), len(reports), 0.05)
    dropped = ("CLINICAL", "MEDICAL", "COMPARISON", "HISTORY", "IMPRESSION", "INDICATION")
    empty = sum(not kept_text([s for s in r["text"].split("\n\n") if not s.startswith(dropped)]) for r in reports)
    assert _low(empty, len(reports), 0.1)  # empty after cleaning: dropped before the abdominal-imaging rule
    kept = {r["note_id"] for c in truth["cases"] for r in c["radiology_reports"]}
    assert kept & addenda  # an addendum keeps its parent's exam name
    bare = {r["note_id"] for r in reports if "FINDINGS:\n\nIMPRESSION:" in r["text"]}  # a header, nothing under it
    assert bare and _low(len(bare), len(reports), 0.05) and not bare & kept  # empty after cleaning, as in CDMv1
