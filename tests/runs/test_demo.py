"""A bare `cdmbench evaluate` (no data=): the demo keeps its generated cases, so its report shows every history,
and its agent takes at most demo.max_iters steps."""

from __future__ import annotations

import html
import json

from cdmbench.cases import load_cases_file
from cdmbench.config import compose
from cdmbench.runs import evaluate


def test_the_demo_keeps_its_cases_and_caps_the_agent(tmp_path, loopback):
    overrides = [
        "lm=vllm",
        "lm.model=loopback-model",
        f"lm.api_base={loopback.api_base}",
        f"lm.cache_dir={tmp_path / 'cache'}",
        f"output_dir={tmp_path}",
        "run=demo",
        "plots=false",
    ]
    assert evaluate.run(compose("evaluate", overrides)) == 0
    run_dir = tmp_path / "demo"
    cases = load_cases_file(run_dir / "cases.json").cases
    predicted = [json.loads(line)["hadm_id"] for line in (run_dir / "predictions.jsonl").read_text().splitlines()]
    assert [c.hadm_id for c in cases] == predicted and len(cases) == 2  # demo.limit
    report = (run_dir / "report.html").read_text()
    for case in cases:
        assert html.escape(case.patient_history.split("\n")[0][:40]) in report
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["identity"]["program"]["max_iters"] == 4


def test_demo_max_iters_never_raises_the_programs_own_limit(tmp_path, loopback):
    cfg = compose("evaluate", ["program.max_iters=2", "demo.max_iters=4"])
    evaluate._demo_program(cfg)
    assert cfg.program.max_iters == 2
    cfg = compose("evaluate", ["demo.max_iters=null"])
    evaluate._demo_program(cfg)
    assert cfg.program.max_iters == 10
