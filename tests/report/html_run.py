"""A small but real run directory for the HTML report tests: synthetic demo cases, the real ``cdm_agent`` and
``full_info`` programs driven by DummyLM, the real scorer, a retried case and an error line."""

from __future__ import annotations

import json
from pathlib import Path

import dspy
from dspy.utils.dummies import DummyLM

from cdmbench.cases import save_cases
from cdmbench.metrics import score_case, score_error
from cdmbench.programs import CdmAgent, FullInfo, program_input
from cdmbench.runs.demo import demo_cases
from cdmbench.runs.executor import prediction_to_record
from cdmbench.vocabulary import LabDictionary

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
"""Text that would run if the report did not escape it."""

IMAGING = {"appendicitis": "Ultrasound", "cholecystitis": "Ultrasound", "diverticulitis": "CT", "pancreatitis": "CT"}


def _step(name: str, args: dict) -> dict:
    return {"next_thought": f"I should call {name}.", "next_tool_name": name, "next_tool_args": args}


def _agent_answers(pathology: str, correct: bool, invalid: bool) -> list[dict]:
    steps = [_step("physical_examination", {}), _step("laboratory_tests", {"tests": ["CBC", "CRP", "Lipase"]})]
    if invalid:
        steps.append(_step("order_ct", {"what": "belly"}))
    steps += [_step("imaging", {"region": "Abdomen", "modality": IMAGING[pathology]}), _step("finish", {})]
    diagnosis = f"Acute {pathology}" if correct else "Gastroenteritis"
    return [
        *steps,
        {"reasoning": "r", "findings": "Tender abdomen, raised white cell count."},
        {"summary": f"Abdominal pain with fever; imaging reviewed. {HOSTILE if invalid else ''}"},
        {"reasoning": "r", "diagnosis": diagnosis, "differential": ["Gastroenteritis", "Colitis"]},
        {"reasoning": "r", "treatments": ["IV fluids and analgesia", "IV antibiotics", "Surgical consultation"]},
    ]


def make_html_run(root: Path) -> tuple[Path, Path, dict[int, dict]]:
    """Write ``root/cases.json`` and ``root/run/`` (config, manifest, predictions, scores).

    Returns:
        The run directory, the cases file, and per hadm_id the expected ``pathology`` and ``outcome``.
    """
    cases_file = demo_cases(8, 0)
    cases_path = root / "cases.json"
    save_cases(cases_path, cases_file)
    run_dir = root / "run"
    run_dir.mkdir(parents=True)
    dictionary = LabDictionary.build(cases=cases_file.cases)
    agent, full_info = CdmAgent(dictionary=dictionary, free_tool_names=True), FullInfo()
    predictions, scores, expected = [], [], {}
    for index, case in enumerate(cases_file.cases):
        correct = index % 3 != 1
        if index == 5:  # failed: an error line in both files
            record = {"hadm_id": case.hadm_id, "status": "error", "error": "LMServerError: timed out", "usage": {}}
            predictions.append(record)
            scores.append(score_error(case, record["error"]).to_record())
            expected[case.hadm_id] = {"pathology": case.pathology, "outcome": "error"}
            continue
        if index == 2:  # failed once, then retried: the later line counts
            predictions.append({"hadm_id": case.hadm_id, "status": "error", "error": "first try failed"})
        if index == 7:
            lm = DummyLM(
                [
                    {"summary": "All information at once."},
                    {"reasoning": "r", "diagnosis": HOSTILE, "differential": []},
                    {"reasoning": "r", "treatments": ["Observation"]},
                ]
            )
            program = full_info
            correct = False
        else:
            lm = DummyLM(_agent_answers(case.pathology, correct, invalid=index == 0))
            program = agent
        with dspy.context(lm=lm):
            prediction = program(case=program_input(case))
        record = prediction_to_record(case.hadm_id, prediction, latency_s=1.5)
        predictions.append(record)
        scores.append(score_case(case, record, dictionary).to_record())
        expected[case.hadm_id] = {"pathology": case.pathology, "outcome": "correct" if correct else "incorrect"}
    (run_dir / "predictions.jsonl").write_text("".join(json.dumps(p) + "\n" for p in predictions), encoding="utf-8")
    (run_dir / "scores.jsonl").write_text("".join(json.dumps(s) + "\n" for s in scores), encoding="utf-8")
    (run_dir / "config.yaml").write_text(
        f"program:\n  name: cdm_agent\nlm:\n  preset: dummy\ndata: {cases_path}\n", encoding="utf-8"
    )
    manifest = {"run": "run", "started_at": "2026-01-01T00:00:00+00:00", "lm": "dummy", "git_commit": "abc"}
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir, cases_path, expected
