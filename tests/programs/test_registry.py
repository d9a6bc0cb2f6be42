"""The program registry, build_program from a config, program_input, and the Hydra configs."""

from __future__ import annotations

import dspy
import pytest

from cdmbench.config import compose, config_dir
from cdmbench.errors import ConfigError, UnknownNameError
from cdmbench.programs import (
    PROGRAMS,
    CdmAgent,
    FullInfo,
    build_program,
    get_program,
    program_input,
    register_program,
)
from tests.environment.conftest import make_case

NAMES = ("full_info", "cdm_agent", "diagnosis_only", "lab_interpretation")


def test_all_programs_are_registered() -> None:
    assert set(NAMES) <= set(PROGRAMS)
    for name in NAMES:
        assert isinstance(get_program(name), dspy.Module)


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownNameError, match=r"unknown program 'react'.*cdm_agent, diagnosis_only"):
        get_program("react")


def test_unknown_option_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"no option 'max_steps'.*max_iters"):
        get_program("cdm_agent", max_steps=3)
    with pytest.raises(ConfigError, match="bad section order 'plx'"):
        get_program("full_info", order="plx")


def test_duplicate_registration_is_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_program("full_info")(type("Other", (dspy.Module,), {}))


def test_build_program_passes_options_and_a_dictionary_from_the_cases() -> None:
    case = make_case()
    case.lab_results[0].test_name = "Zymogen Index Q"
    program = build_program({"name": "cdm_agent", "max_iters": 3}, cases=[case])
    assert isinstance(program, CdmAgent)
    assert program.gather.max_iters == 3
    full = build_program({"name": "full_info", "order": "lip", "abnormal_only": True})
    assert isinstance(full, FullInfo) and full.order == "lip" and full.abnormal_only
    with pytest.raises(ConfigError, match="no 'name'"):
        build_program({"order": "pli"})


def test_program_input_strips_ground_truth_and_pathology() -> None:
    case = make_case()
    stripped = program_input(case)
    assert stripped.ground_truth is None and stripped.pathology is None
    assert case.ground_truth is not None and case.pathology == "cholecystitis"  # the original is untouched
    assert stripped.lab_results == case.lab_results


@pytest.mark.parametrize("name", NAMES)
def test_hydra_configs_compose_and_build(name: str) -> None:
    assert (config_dir() / "program" / f"{name}.yaml").is_file()
    cfg = compose(f"program/{name}").program  # a group file composes under its package, `program`
    assert cfg.name == name
    assert isinstance(build_program(cfg, cases=[make_case()]), PROGRAMS[name])
