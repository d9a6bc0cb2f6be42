"""Helpers of the optimize tests: compile a program under the schema LM and save it as a bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dspy

from cdmbench.cases import Case, cases_hash
from cdmbench.optimize import OptimizerResources, compile_program, prepare_optimizer, save_bundle, to_examples
from cdmbench.optimize.examples import gold_case
from cdmbench.optimize.manifest import DataInfo, LMInfo, OptimizerInfo, Score
from cdmbench.optimize.metrics import build_metric
from cdmbench.optimize.program_state import clean_demos
from cdmbench.programs import build_program

TINY: dict[str, dict[str, Any]] = {
    "labeled_fewshot": {"k": 2},
    "bootstrap_fewshot": {"max_bootstrapped_demos": 1},
    "bootstrap_random_search": {"max_bootstrapped_demos": 1, "num_candidate_programs": 1},
    "mipro_v2": {"auto": None, "num_candidates": 2, "num_trials": 2, "max_bootstrapped_demos": 1, "minibatch": False},
    "gepa": {
        "auto": None,
        "max_metric_calls": 16,
        "reflection_minibatch_size": 2,
        "use_merge": False,
        "component_selector": "all",
    },
    "simba": {"num_candidates": 2, "max_steps": 1, "max_demos": 1},
}
"""The smallest settings with which each optimizer does its work."""

PROGRAM_OPTIONS = {"full_info": {}, "cdm_agent": {"max_iters": 4}, "diagnosis_only": {}, "lab_interpretation": {}}
PROGRAM_METRICS = {
    "full_info": "cdm_score",
    "cdm_agent": "cdm_score",
    "diagnosis_only": "gracious_diagnosis",
    "lab_interpretation": "lab_accuracy",
}


def resources_for(program_name: str, lm: dspy.LM, **overrides: Any) -> OptimizerResources:
    """The optimizer resources with the program's registered metric (its default threshold)."""
    metric = build_metric({"name": PROGRAM_METRICS[program_name]})
    fields: dict[str, Any] = {
        "metric": metric.metric,
        "feedback_metric": metric.feedback_metric,
        "task_lm": lm,
        "metric_threshold": metric.metric_threshold,
        "passes": lambda example, pred: metric.passes(gold_case(example), pred),
    }
    fields.update(overrides)
    return OptimizerResources(**fields)


def compile_tiny(
    optimizer: str, program_name: str, train: list[Case], dev: list[Case], lm: dspy.LM, **overrides: Any
) -> dspy.Module:
    """Compile ``program_name`` with ``optimizer``'s tiny settings under ``lm`` (already DSPy's LM)."""
    program = build_program({"name": program_name, **PROGRAM_OPTIONS[program_name]}, cases=train + dev)
    resources = resources_for(program_name, lm, **overrides)
    trainset, devset = to_examples(train), to_examples(dev)
    prepared = prepare_optimizer(optimizer, TINY[optimizer], resources, len(trainset), len(devset))
    compiled = compile_program(prepared, program, trainset, devset)
    clean_demos(compiled)
    return compiled


def write_bundle(directory: Path, compiled: dspy.Module, program_name: str, cases: list[Case], **overrides: Any):
    """Save ``compiled`` as a bundle with plausible provenance (synthetic data, a local LM)."""
    reference = build_program({"name": program_name, **PROGRAM_OPTIONS[program_name]})
    score = Score(mean=0.5, ci_low=0.4, ci_high=0.6, n=len(cases))
    data = DataInfo(file="train.json", source="synthetic", n=len(cases), cases_hash=cases_hash(cases))
    details: dict[str, Any] = {
        "optimizer": OptimizerInfo(name="bootstrap_fewshot", settings={}, seed=0, seconds=0.1),
        "metric": {"weights": {}, "threshold": None},
        "train": data,
        "dev": data,
        "dev_score_before": score,
        "dev_score_after": score,
        "lms": {"task": LMInfo(kind="vllm", model="hosted_vllm/m", api_host="127.0.0.1:8000")},
        "git_commit": None,
    }
    details.update(overrides)
    return save_bundle(
        directory,
        compiled,
        reference,
        program_name=program_name,
        program_options=PROGRAM_OPTIONS[program_name],
        **details,
    )
