"""The closing table of ``cdmbench evaluate``: per pathology n, errors and diagnosis accuracy.

Diagnosis accuracy here is CDMv1's pathology-word test (a word of the answer within fuzzy ratio > 90
of the pathology word); the full CDMv1 scoring lives in ``cdmbench.metrics``.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from rapidfuzz import fuzz

__all__ = ["mentions_pathology", "summary_table"]

_PUNCT = str.maketrans("", "", string.punctuation)


def mentions_pathology(diagnosis: str, pathology: str) -> bool:
    """True when some word of the answer is within fuzzy ratio > 90 of the pathology word."""
    words = diagnosis.lower().translate(_PUNCT).split()
    return any(round(fuzz.ratio(word, pathology)) > 90 for word in words)


def summary_table(records: Iterable[Mapping[str, Any]], pathologies: Mapping[int, str | None]) -> pd.DataFrame:
    """One row per pathology (and 'all'): cases, errors, diagnosis accuracy among all cases."""
    rows = []
    for record in records:
        pathology = pathologies.get(int(record["hadm_id"])) or "unknown"
        ok = record.get("status") == "ok"
        correct = ok and pathology != "unknown" and mentions_pathology(str(record.get("diagnosis", "")), pathology)
        rows.append({"pathology": pathology, "error": not ok, "correct": correct})
    frame = pd.DataFrame(rows, columns=["pathology", "error", "correct"])
    if frame.empty:
        return pd.DataFrame(columns=["pathology", "n", "errors", "diagnosis_accuracy"])
    grouped = frame.groupby("pathology").agg(n=("error", "size"), errors=("error", "sum"), acc=("correct", "mean"))
    grouped.loc["all"] = [len(frame), int(frame["error"].sum()), frame["correct"].mean()]
    grouped = grouped.reset_index().rename(columns={"acc": "diagnosis_accuracy"})
    grouped["errors"] = grouped["errors"].astype(int)
    grouped["n"] = grouped["n"].astype(int)
    grouped["diagnosis_accuracy"] = grouped["diagnosis_accuracy"].round(3)
    return grouped
