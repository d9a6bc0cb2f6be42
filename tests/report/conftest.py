"""Synthetic score and prediction lines in the DESIGN.md formats, built independently of the scorers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

TREATMENTS = {
    "appendicitis": ("appendectomy", "antibiotics", "support"),
    "cholecystitis": ("cholecystectomy", "antibiotics", "support"),
    "diverticulitis": ("colectomy", "colonoscopy", "drainage", "antibiotics", "support"),
    "pancreatitis": ("cholecystectomy", "drainage", "ercp", "support"),
}
CATEGORIES = {
    "appendicitis": ("inflammation",),
    "cholecystitis": ("inflammation", "liver", "gallbladder"),
    "diverticulitis": ("inflammation",),
    "pancreatitis": ("inflammation", "pancreas", "seriousness"),
}
IMAGING = {"appendicitis": "Ultrasound", "cholecystitis": "HIDA", "diverticulitis": "CT", "pancreatitis": "CT"}


def score_line(
    hadm_id: int,
    pathology: str = "appendicitis",
    *,
    diagnosis: int = 1,
    gracious: int | None = None,
    labs: int | None = None,
    imaging: int = 2,
    invalid_tools: int = 0,
    rounds: int = 3,
    required: dict[str, bool] | None = None,
    requested: dict[str, bool] | None = None,
    first_imaging: str | None = None,
    unnecessary_labs: int = 0,
    unnecessary_imaging: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    """One scores.jsonl line; by default a fully correct case of ``pathology``."""
    categories = CATEGORIES[pathology]
    hit = categories if labs is None else categories[:labs]
    keys = TREATMENTS[pathology]
    modality = first_imaging or IMAGING[pathology]
    line = {
        "hadm_id": hadm_id,
        "pathology": pathology,
        "scores": {
            "diagnosis": diagnosis,
            "gracious_diagnosis": diagnosis if gracious is None else gracious,
            "physical_examination": 1,
            "late_physical_examination": 1,
            "laboratory_tests": len(hit),
            "imaging": imaging,
            "invalid_tools": invalid_tools,
            "rounds": rounds,
        },
        "answers": {
            "diagnosis": f"Acute {pathology}",
            "correct_laboratory_tests": {c: [51301] for c in hit},
            "unnecessary_laboratory_tests": [50000 + i for i in range(unnecessary_labs)],
            "correct_imaging": [{"region": "Abdomen", "modality": modality}] if imaging else [],
            "unnecessary_imaging": [{"region": "Chest", "modality": "Radiograph"}] * unnecessary_imaging,
            "treatment_required": required if required is not None else dict.fromkeys(keys, True),
            "treatment_requested": requested if requested is not None else dict.fromkeys(keys, True),
        },
        "explanations": {"diagnosis": "synthetic"},
    }
    line.update(extra)
    return line


def prediction_line(
    hadm_id: int,
    *,
    status: str = "ok",
    prompt_tokens: int = 100,
    completion_tokens: int = 10,
    latency_s: float = 1.0,
    tool_calls: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One predictions.jsonl line with usage split over two LMs (tokens are summed per case)."""
    line = {
        "hadm_id": hadm_id,
        "status": status,
        "diagnosis": "Acute appendicitis",
        "treatments": ["Laparoscopic appendectomy"],
        "tool_calls": tool_calls if tool_calls is not None else [{"name": "physical_examination", "args": {}}],
        "latency_s": latency_s,
        "usage": {
            "main": {"prompt_tokens": prompt_tokens - 40, "completion_tokens": completion_tokens - 4},
            "judge": {"prompt_tokens": 40, "completion_tokens": 4},
        },
    }
    if status == "error":
        line["error"] = "LM timed out"
    return line


def mixed_lines(n_per_pathology: int = 12) -> list[dict[str, Any]]:
    """A small run over the four pathologies with varied scores."""
    lines = []
    hadm_id = 1000
    for pathology in TREATMENTS:
        for i in range(n_per_pathology):
            hadm_id += 1
            lines.append(
                score_line(
                    hadm_id,
                    pathology,
                    diagnosis=int(i % 3 != 0),
                    labs=i % (len(CATEGORIES[pathology]) + 1),
                    imaging=i % 3,
                    rounds=1 + i % 5,
                    requested={k: bool((i + j) % 2) for j, k in enumerate(TREATMENTS[pathology])},
                    first_imaging=("Ultrasound", "CT", "MRI")[(i // 2) % 3],
                )
            )
    return lines


def write_jsonl(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def make_run(tmp_path: Path):
    """Create ``tmp_path/<name>/`` with scores.jsonl (and predictions.jsonl when given)."""

    def make(name: str, scores: list[dict[str, Any]], predictions: list[dict[str, Any]] | None = None) -> Path:
        run_dir = tmp_path / name
        write_jsonl(run_dir / "scores.jsonl", scores)
        if predictions is not None:
            write_jsonl(run_dir / "predictions.jsonl", predictions)
        return run_dir

    return make
