"""Portable bundles: a newer DSPy minor loads with a warning; the hash covers only cdmbench's declared signatures."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest
from loguru import logger

from cdmbench.optimize import BundleError, apply_bundle, load_bundle
from cdmbench.optimize.compat import declared_hashes, declared_signature
from cdmbench.optimize.fingerprint import predictor_hashes
from cdmbench.programs import build_program
from cdmbench.signatures import Diagnose, GatherInformation
from tests.optimize.helpers import PROGRAM_OPTIONS, compile_tiny, write_bundle


@pytest.fixture
def agent_bundle(tmp_path, synthetic_cases, schema_lm) -> Path:
    train = synthetic_cases[:4]
    compiled = compile_tiny("labeled_fewshot", "cdm_agent", train, train[:2], schema_lm)
    write_bundle(tmp_path / "bundle", compiled, "cdm_agent", train)
    return tmp_path / "bundle"


def _edit_manifest(path: Path, change) -> None:
    data = json.loads((path / "manifest.json").read_text())
    change(data)
    (path / "manifest.json").write_text(json.dumps(data, indent=2) + "\n")


@pytest.fixture
def warnings():
    messages: list[str] = []
    sink = logger.add(lambda m: messages.append(str(m)), level="WARNING", format="{message}")
    yield messages
    logger.remove(sink)


def test_a_bundle_from_an_older_dspy_minor_loads_with_a_warning(agent_bundle, warnings) -> None:
    major, minor = (int(x) for x in version("dspy").split(".")[:2])
    older = f"{major}.{minor - 1}.0"
    _edit_manifest(agent_bundle, lambda m: m.update(dspy_version=older))
    program = load_bundle(agent_bundle, "cdm_agent", PROGRAM_OPTIONS["cdm_agent"])
    assert len(program.diagnose.predict.demos) == 2
    assert any(older in w and version("dspy") in w for w in warnings)


def test_a_bundle_from_a_newer_dspy_is_refused(agent_bundle) -> None:
    major, minor = (int(x) for x in version("dspy").split(".")[:2])
    _edit_manifest(agent_bundle, lambda m: m.update(dspy_version=f"{major}.{minor + 1}.0"))
    with pytest.raises(BundleError, match=r"same major version and the same or a newer minor"):
        load_bundle(agent_bundle, "cdm_agent", PROGRAM_OPTIONS["cdm_agent"])


def test_the_hash_ignores_text_dspy_generates(agent_bundle) -> None:
    program = build_program({"name": "cdm_agent", **PROGRAM_OPTIONS["cdm_agent"]})
    before = declared_hashes(program)
    # a newer DSPy words ReAct's agent instructions and ChainOfThought's reasoning field differently
    react = program.gather.react
    react.signature = react.signature.with_instructions(react.signature.instructions + "\nReworded by DSPy.")
    cot = program.diagnose.predict
    cot.signature = cot.signature.with_updated_fields("reasoning", prefix="Think:", desc="reworded")
    assert declared_hashes(program) == before
    assert predictor_hashes(program) != predictor_hashes(build_program({"name": "cdm_agent"}))
    apply_bundle(program, agent_bundle, "cdm_agent")  # still loads
    assert declared_signature(program, "gather.react") is GatherInformation
    assert declared_signature(program, "gather.extract.predict") is GatherInformation
    assert declared_signature(program, "diagnose.predict") is Diagnose


def test_a_changed_declared_signature_is_refused(agent_bundle) -> None:
    program = build_program({"name": "cdm_agent", **PROGRAM_OPTIONS["cdm_agent"]})
    program.gather.signature = GatherInformation.with_instructions("Something else entirely.")
    with pytest.raises(BundleError, match=r"signature of predictor 'gather\.react' is not the one"):
        apply_bundle(program, agent_bundle, "cdm_agent")


def test_a_bundle_of_an_older_cdmbench_with_the_same_signatures_loads(agent_bundle) -> None:
    reference = predictor_hashes(build_program({"name": "cdm_agent", **PROGRAM_OPTIONS["cdm_agent"]}))

    def legacy(manifest: dict) -> None:  # written before the declared-signature hash: full hashes, no scheme
        manifest.pop("signature_scheme")
        for name, info in manifest["predictors"].items():
            info["signature_sha256"] = reference[name]

    _edit_manifest(agent_bundle, legacy)
    program = load_bundle(agent_bundle, "cdm_agent", PROGRAM_OPTIONS["cdm_agent"])
    assert len(program.treat.predict.demos) == 2
