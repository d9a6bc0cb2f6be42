"""Bundles: tamper, program and DSPy checks, the archive round trip, safe extraction, no secrets, inspect."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import dspy
import pytest

from cdmbench.errors import ConfigError
from cdmbench.optimize import BundleError, export_bundle, format_bundle, load_bundle, read_bundle
from cdmbench.optimize.manifest import DataInfo
from cdmbench.programs import build_program, program_input
from tests.optimize.helpers import compile_tiny, write_bundle
from tests.optimize.schema_lm import SchemaLM

FAKE_KEY = "sk-cdmbench-FAKE-0123456789abcdef"


@pytest.fixture
def bundle_dir(tmp_path, synthetic_cases, schema_lm) -> Path:
    """A bootstrap_fewshot bundle of full_info (one demo per predictor)."""
    train = synthetic_cases[:4]
    compiled = compile_tiny("bootstrap_fewshot", "full_info", train, synthetic_cases[4:6], schema_lm)
    write_bundle(tmp_path / "bundle", compiled, "full_info", train)
    return tmp_path / "bundle"


def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2) + "\n")


def test_edited_program_json_is_refused(bundle_dir) -> None:
    _edit_json(bundle_dir / "program.json", lambda s: s["diagnose.predict"]["signature"].update(instructions="Hack"))
    with pytest.raises(BundleError, match=r"program.json does not match the SHA-256"):
        load_bundle(bundle_dir, "full_info")


def test_changed_signature_hash_is_refused(bundle_dir) -> None:
    _edit_json(
        bundle_dir / "manifest.json", lambda m: m["predictors"]["treat.predict"].update(signature_sha256="0" * 64)
    )
    with pytest.raises(BundleError, match=r"signature of predictor 'treat.predict' is not the one"):
        load_bundle(bundle_dir, "full_info")


def test_state_hash_catches_program_json_and_its_hash_both_edited(bundle_dir) -> None:
    import hashlib

    path = bundle_dir / "program.json"
    _edit_json(path, lambda s: s["synthesize"]["demos"].clear())
    _edit_json(
        bundle_dir / "manifest.json", lambda m: m.update(program_sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    )
    with pytest.raises(BundleError, match="saved state of predictor 'synthesize' does not match"):
        load_bundle(bundle_dir, "full_info")


def test_bundle_of_another_program_is_refused(bundle_dir) -> None:
    with pytest.raises(
        BundleError, match="holds a compiled 'full_info' program, not 'cdm_agent'; use program=full_info"
    ):
        load_bundle(bundle_dir, "cdm_agent")
    with pytest.raises(BundleError, match="not 'diagnosis_only'"):
        build_program({"name": "diagnosis_only", "compiled": str(bundle_dir)})


def test_bundle_of_another_dspy_major_version_is_refused(bundle_dir) -> None:
    _edit_json(bundle_dir / "manifest.json", lambda m: m.update(dspy_version="2.6.27"))
    with pytest.raises(BundleError, match=r"compiled with dspy 2\.6\.27, but dspy 3\.4\.\d+ is installed"):
        load_bundle(bundle_dir, "full_info")


def test_missing_or_malformed_bundles_are_clear_errors(tmp_path, bundle_dir) -> None:
    with pytest.raises(BundleError, match="no compiled-program bundle at"):
        read_bundle(tmp_path / "nope")
    (bundle_dir / "program.json").unlink()
    with pytest.raises(BundleError, match=r"lacks program.json"):
        read_bundle(bundle_dir)
    (bundle_dir / "program.json").write_text("{")
    with pytest.raises(BundleError, match="not valid JSON"):
        read_bundle(bundle_dir)
    (bundle_dir / "program.json").write_text("{}")
    _edit_json(bundle_dir / "manifest.json", lambda m: m.pop("program"))
    with pytest.raises(BundleError, match="field program: Field required"):
        read_bundle(bundle_dir)


def test_program_compiled_hook_loads_the_bundle(bundle_dir) -> None:
    program = build_program({"name": "full_info", "order": "pli", "compiled": str(bundle_dir)})
    assert len(program.diagnose.predict.demos) == 1
    assert build_program({"name": "full_info", "compiled": None}).diagnose.predict.demos == []


def test_export_is_reproducible_and_loads_like_the_directory(tmp_path, bundle_dir, synthetic_cases) -> None:
    first, second = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    export_bundle(bundle_dir, first)
    export_bundle(bundle_dir, second)
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        assert [(m.name, m.mtime, m.uid) for m in tar.getmembers()] == [("manifest.json", 0, 0), ("program.json", 0, 0)]
    from_dir, from_tar = load_bundle(bundle_dir, "full_info"), load_bundle(first, "full_info")
    assert from_tar.dump_state() == from_dir.dump_state()
    case = program_input(synthetic_cases[6])
    with dspy.context(lm=SchemaLM(), adapter=dspy.ChatAdapter()):
        assert from_tar(case=case).treatments == from_dir(case=case).treatments
    build_program({"name": "full_info", "compiled": str(first)})  # evaluate's hook takes the archive too
    with pytest.raises(ConfigError, match=r"\*\.tar\.gz"):
        export_bundle(bundle_dir, tmp_path / "out.zip")


def _tar_with(tmp_path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    out = tmp_path / "evil.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


@pytest.mark.parametrize("name", ["../manifest.json", "/etc/manifest.json", "x/../../program.json"])
def test_archives_with_unsafe_paths_are_refused(tmp_path, name) -> None:
    archive = _tar_with(tmp_path, [(tarfile.TarInfo(name), b"{}")])
    with pytest.raises(BundleError, match="unsafe member path"):
        read_bundle(archive)
    assert not (tmp_path.parent / "manifest.json").exists()


def test_archives_with_links_are_refused(tmp_path) -> None:
    link = tarfile.TarInfo("program.json")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    archive = _tar_with(tmp_path, [(link, b"")])
    with pytest.raises(BundleError, match="link or special file"):
        read_bundle(archive)


def test_export_refuses_a_bundle_trained_on_credentialed_data(tmp_path, synthetic_cases, schema_lm) -> None:
    train = synthetic_cases[:3]
    compiled = compile_tiny("labeled_fewshot", "full_info", train, train, schema_lm)
    real = DataInfo(file="train.json", source="mimic-iv", n=3, cases_hash="x")
    write_bundle(tmp_path / "b", compiled, "full_info", train, train=real)
    with pytest.raises(BundleError, match="credentialed data"):
        export_bundle(tmp_path / "b", tmp_path / "b.tar.gz")
    assert not (tmp_path / "b.tar.gz").exists()
    export_bundle(tmp_path / "b", tmp_path / "b.tar.gz", allow_credentialed=True)


def test_no_secrets_in_bundles(tmp_path, synthetic_cases, schema_lm, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    train = synthetic_cases[:3]
    compiled = compile_tiny("bootstrap_fewshot", "full_info", train, train, schema_lm)
    compiled.diagnose.predict.lm = dspy.LM("openai/m", api_key=FAKE_KEY, api_base="https://user:pw@example.org/v1")
    write_bundle(tmp_path / "b", compiled, "full_info", train, secrets=[FAKE_KEY])
    export_bundle(tmp_path / "b", tmp_path / "b.tar.gz")
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        packed = [tar.extractfile(name).read() for name in ("program.json", "manifest.json")]
    for raw in [*(p.read_bytes() for p in (tmp_path / "b").iterdir()), *packed]:
        assert FAKE_KEY.encode() not in raw and b"user:pw" not in raw and b"example.org" not in raw
    compiled.synthesize.demos[0]["summary"] = f"token {FAKE_KEY}"  # a secret in a demo stops the write
    shutil.rmtree(tmp_path / "b")
    with pytest.raises(BundleError, match="secret environment variable"):
        write_bundle(tmp_path / "b", compiled, "full_info", train, secrets=[FAKE_KEY])
    assert not (tmp_path / "b" / "program.json").exists()


def test_inspect_shows_instructions_and_demos_per_predictor(bundle_dir) -> None:
    text = format_bundle(read_bundle(bundle_dir), max_field_chars=80)
    assert "Compiled program 'full_info'" in text and "program.json intact" in text
    assert "== diagnose.predict (1 demos, instructions as written) ==" in text
    assert "Give the single most likely primary diagnosis" in text
    assert "diagnosis: Acute appendicitis" in text and "more characters]" in text
