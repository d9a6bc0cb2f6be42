"""``cdmbench optimize`` / ``inspect`` / ``export`` end to end under a dummy LM, and the test-split guard."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cdmbench.cases import load_cases_file, save_cases
from cdmbench.config import compose
from cdmbench.errors import ConfigError
from cdmbench.optimize import check_not_test, read_bundle
from cdmbench.optimize.split_guard import find_split_manifest
from cdmbench.programs import build_program
from tests.optimize.conftest import FAKE_KEY


def _overrides(splits: Path, out: Path, *extra: str) -> list[str]:
    return [
        f"train={splits / 'train.json'}",
        f"dev={splits / 'dev.json'}",
        "lm=openai_compatible",
        "lm.model=test-model",
        "lm.api_base=https://api.example.org:8443/v1",
        "lm.api_key_env=CDMBENCH_TEST_API_KEY",
        "lm.cache=false",
        f"output_dir={out}",
        *extra,
    ]


def _optimize(overrides: list[str]) -> int:
    from cdmbench.optimize.command import run

    return run(compose("optimize", overrides))


def test_optimize_writes_a_bundle_without_secrets(tmp_path, splits_dir, dummy_sessions, capsys) -> None:
    overrides = _overrides(
        splits_dir,
        tmp_path,
        "program=cdm_agent",
        "program.max_iters=4",
        "optimizer.max_bootstrapped_demos=1",
        "run=agent",
    )
    assert _optimize(overrides) == 0
    run_dir = tmp_path / "agent"
    assert {p.name for p in run_dir.iterdir()} >= {
        "program.json",
        "manifest.json",
        "config.yaml",
        "optimizer.log",
        "optimize_scores.json",
    }
    manifest = read_bundle(run_dir).manifest
    assert manifest.program == "cdm_agent" and manifest.program_options == {"max_iters": 4, "free_tool_names": False}
    assert manifest.optimizer.name == "bootstrap_fewshot" and manifest.optimizer.settings["max_bootstrapped_demos"] == 1
    assert manifest.train.n == 4 and manifest.dev.n + manifest.val.n == 4 and manifest.train.source == "synthetic"
    assert 0.0 <= manifest.dev_score_before.mean <= 1.0 and manifest.dev_score_after.n == manifest.dev.n
    assert manifest.lms["task"].api_host == "api.example.org:8443" and manifest.lms["task"].model == "openai/test-model"
    assert sum(p.n_demos for p in manifest.predictors.values()) == 5
    assert len(json.loads((run_dir / "optimize_scores.json").read_text())) == 4
    for path in run_dir.iterdir():
        assert FAKE_KEY not in path.read_text(), path.name

    with pytest.raises(ConfigError, match="already holds a compiled program"):
        _optimize(overrides)

    from cdmbench.optimize import describe, export

    assert describe.run(compose("inspect", [f"source={run_dir}"])) == 0
    printed = capsys.readouterr().out
    assert "== gather.react (1 demos" in printed and "optimizer    bootstrap_fewshot" in printed
    archive = tmp_path / "agent.tar.gz"
    assert export.run(compose("export", [f"source={run_dir}", f"out={archive}"])) == 0
    program = build_program({"name": "cdm_agent", "max_iters": 4, "compiled": str(archive)})
    assert len(program.gather.react.demos) == 1


def test_gepa_opens_its_reflection_lm(tmp_path, splits_dir, dummy_sessions) -> None:
    overrides = _overrides(
        splits_dir,
        tmp_path,
        "program=full_info",
        "optimizer=gepa",
        "optimizer.auto=null",
        "optimizer.max_metric_calls=10",
        "optimizer.use_merge=false",
        "reflection_lm=vllm",
        "reflection_lm.cache=false",
        "run=gepa",
    )
    assert _optimize(overrides) == 0
    assert len(dummy_sessions) == 2 and dummy_sessions[1] == "openai/test-model"  # the task LM opens last
    manifest = read_bundle(tmp_path / "gepa").manifest
    assert set(manifest.lms) == {"task", "reflection"} and manifest.lms["reflection"].kind == "vllm"
    assert "gepa" in (tmp_path / "gepa" / "optimizer.log").read_text()


def test_the_test_split_is_refused(tmp_path, splits_dir, dummy_sessions) -> None:
    with pytest.raises(ConfigError, match=r"train=.*test\.json is a test split file"):
        _optimize(_overrides(splits_dir, tmp_path, f"train={splits_dir / 'test.json'}"))
    with pytest.raises(ConfigError, match="is a test split file"):
        _optimize(_overrides(splits_dir, tmp_path, f"dev={splits_dir / 'reader_study.json'}"))

    test = load_cases_file(splits_dir / "test.json")
    renamed = tmp_path / "holdout.json"
    save_cases(renamed, test)
    with pytest.raises(ConfigError, match="holds exactly the test split's cases"):
        _optimize(_overrides(splits_dir, tmp_path, f"dev={renamed}", f"splits={splits_dir}"))
    mixed = tmp_path / "more_train.json"
    train = load_cases_file(splits_dir / "train.json")
    leaked = test.cases[0].model_copy(update={"hadm_id": 1})  # same content under another hadm_id
    save_cases(mixed, [*train.cases, leaked], source="synthetic")
    with pytest.raises(ConfigError, match=r"shares 1 case\(s\) with the test split \(hadm_id 1\)"):
        _optimize(_overrides(splits_dir, tmp_path, f"train={mixed}", f"splits={splits_dir}"))
    assert dummy_sessions == []  # refused before any LM was started


def test_a_splits_json_beside_the_file_is_found(tmp_path, splits_dir) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(splits_dir, copy)
    manifest = json.loads((copy / "splits.json").read_text())
    manifest["splits"]["test"]["file"] = "mine.json"  # a test split under another name
    (copy / "splits.json").write_text(json.dumps(manifest))
    (copy / "test.json").rename(copy / "mine.json")
    found = find_split_manifest(None, [copy / "train.json"])
    assert found is not None and found[1] == copy
    with pytest.raises(ConfigError, match="is the test split of"):
        check_not_test("train", copy / "mine.json", [], found)
    assert find_split_manifest(None, [tmp_path / "elsewhere.json"]) is None
    check_not_test("train", tmp_path / "elsewhere.json", [], None)  # unknown: a warning, not an error


@pytest.mark.parametrize(
    "optimizer", ["labeled_fewshot", "bootstrap_fewshot", "bootstrap_random_search", "mipro_v2", "gepa", "simba"]
)
@pytest.mark.parametrize("extra_lm", ["task", "vllm", "openai_compatible", "embedded"])
def test_configs_compose(optimizer, extra_lm) -> None:
    cfg = compose(
        "optimize",
        [f"optimizer={optimizer}", f"reflection_lm={extra_lm}", f"prompt_lm={extra_lm}", f"teacher_lm={extra_lm}"],
    )
    assert cfg.optimizer.name == optimizer
    assert cfg.reflection_lm.get("same_as_task", False) == (extra_lm == "task")
    assert cfg.teacher_lm.get("same_as_task", False) == (extra_lm == "task")
    if extra_lm != "task":
        assert cfg.prompt_lm.kind == extra_lm
    for name in ("inspect", "export"):
        compose(name, ["source=x", "out=y.tar.gz"] if name == "export" else ["source=x"])


@pytest.mark.parametrize("program", ["cdm_agent", "full_info", "diagnosis_only", "lab_interpretation"])
def test_each_program_names_its_metric_and_the_metric_configs_match_the_registry(program) -> None:
    from cdmbench.optimize.inputs import metric_settings, plain
    from cdmbench.optimize.metrics import build_metric

    cfg = compose("optimize", [f"program={program}"])
    expected = {"cdm_agent": "cdm_score", "full_info": "cdm_score"}.get(program)
    expected = expected or {"diagnosis_only": "gracious_diagnosis", "lab_interpretation": "lab_accuracy"}[program]
    chosen = build_metric(metric_settings(cfg, cfg.program.metric))
    assert chosen.config.name == expected
    from_file = build_metric(plain(compose("optimize", [f"program={program}", f"metric={expected}"]).metric))
    assert from_file.describe() == chosen.describe()  # configs/metric/<name>.yaml states the registered defaults
