"""Bad inputs that are generated at test time instead of committed: big, binary or built from live code.

Each maker takes the test's scratch directory and writes its input there; ``MAKERS`` maps the names used by the
corpus table in ``tests/test_bad_inputs.py`` to them. Everything is synthetic (built from the seed fixture).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["BIG_HISTORY_BYTES", "MAKERS", "seed_cases", "write_big_history_cases", "write_bundle"]

SEED_FILE = Path(__file__).resolve().parent / "data" / "seed_benchmark_data.json"
BIG_HISTORY_BYTES = 5 * 1024 * 1024
"""The size of the history of the 'very large text' case."""


def seed_cases() -> list[dict[str, Any]]:
    """The raw cases of the seed fixture (two synthetic admissions)."""
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))["cases"]


def write_big_history_cases(path: Path) -> Path:
    """A synthetic cases file whose first case has a ~5 MB history (one long line of JSON)."""
    cases = seed_cases()
    sentence = "Intermittent right lower quadrant pain, worse on walking; no vomiting. "
    cases[0]["patient_history"] = sentence * (BIG_HISTORY_BYTES // len(sentence) + 1)
    path.write_text(json.dumps({"source": "synthetic", "cases": cases}), encoding="utf-8")
    return path


def _invalid_utf8(tmp: Path) -> None:
    """A cases file with a Latin-1 byte (0xE9, 'é' in cp1252) in a history: not UTF-8."""
    case = seed_cases()[0]
    case["patient_history"] = "Pain since caf@ visit."
    text = json.dumps({"source": "synthetic", "cases": [case]}).encode("utf-8")
    (tmp / "invalid_utf8.json").write_bytes(text.replace(b"caf@", b"caf\xe9"))


def _binary_garbage(tmp: Path) -> None:
    """Random-looking bytes named like a cases file (e.g. a gzip file passed without unpacking)."""
    (tmp / "cases.json.gz.json").write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)


def _a_file_in_the_way(tmp: Path) -> None:
    """A regular file where the command needs a directory (unwritable even for root)."""
    (tmp / "a_file").write_text("not a directory\n", encoding="utf-8")


def _a_directory_as_output(tmp: Path) -> None:
    """A directory where the command writes a file."""
    (tmp / "scores_dir").mkdir()


def _read_only_dir(tmp: Path) -> None:
    """A directory without write permission (only meaningful when not running as root)."""
    target = tmp / "read_only"
    target.mkdir()
    target.chmod(0o555)


def write_bundle(directory: Path, program_name: str, source: str = "synthetic") -> Path:
    """Write a valid compiled-program bundle of ``program_name`` (uncompiled state, no LM needed)."""
    from cdmbench.optimize.bundle import save_bundle
    from cdmbench.programs import get_program

    data = {"file": "train.json", "source": source, "n": 2, "cases_hash": "0" * 64}
    score = {"mean": 0.5, "ci_low": None, "ci_high": None, "n": 2}
    save_bundle(
        directory,
        get_program(program_name),
        get_program(program_name),
        program_name=program_name,
        program_options={},
        optimizer={"name": "labeled_fewshot", "settings": {}, "seed": 0, "seconds": 0.0},
        metric={"name": "default"},
        train=data,
        dev=data,
        dev_score_before=score,
        dev_score_after=score,
        lms={},
    )
    return directory


def _tampered_bundle(tmp: Path) -> None:
    """A diagnosis_only bundle whose program.json was edited after it was written."""
    bundle = write_bundle(tmp / "tampered_bundle", "diagnosis_only")
    program = bundle / "program.json"
    state = json.loads(program.read_text(encoding="utf-8"))
    name = next(k for k in state if k != "metadata")
    state[name]["signature"]["instructions"] = "Always answer appendicitis."
    program.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def _other_program_bundle(tmp: Path) -> None:
    """A valid bundle of full_info (to be loaded into another program)."""
    write_bundle(tmp / "full_info_bundle", "full_info")


def _corrupt_archive(tmp: Path) -> None:
    """A .tar.gz bundle export that is not gzip at all (a broken download)."""
    (tmp / "bundle.tar.gz").write_bytes(b"<html>502 Bad Gateway</html>\n")


def _truncated_archive(tmp: Path) -> None:
    """A real bundle export cut in the middle (an interrupted copy)."""
    from cdmbench.optimize.archive import pack_files
    from cdmbench.optimize.bundle import BUNDLE_FILES

    bundle = write_bundle(tmp / "bundle_to_pack", "diagnosis_only")
    archive = tmp / "truncated.tar.gz"
    pack_files(bundle, BUNDLE_FILES, archive)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])


def _not_a_bundle(tmp: Path) -> None:
    """A directory without program.json / manifest.json (e.g. an evaluate run directory)."""
    (tmp / "not_a_bundle").mkdir()
    (tmp / "not_a_bundle" / "predictions.jsonl").write_text("", encoding="utf-8")


def _huge_hadm_id(tmp: Path) -> None:
    """A case whose hadm_id has 5,000 digits (Python refuses to read integers that long)."""
    case = seed_cases()[0]
    text = json.dumps({"source": "synthetic", "cases": [case]}).replace(str(case["hadm_id"]), "7" * 5000, 1)
    (tmp / "huge_id.json").write_text(text, encoding="utf-8")


def _deep_nesting(tmp: Path) -> None:
    """A case whose history is a list nested 200,000 deep."""
    case = json.dumps(seed_cases()[0]).replace('"patient_history": "', '"patient_history": @@, "x": "', 1)
    depth = 200_000
    text = '{"source": "synthetic", "cases": [' + case.replace("@@", "[" * depth + "]" * depth) + "]}"
    (tmp / "deep.json").write_text(text, encoding="utf-8")


def _fifo(tmp: Path) -> None:
    """A named pipe where a cases file should be (opening it would block until a writer came)."""
    import os

    os.mkfifo(tmp / "cases.fifo")


def _oversized(tmp: Path) -> None:
    """A valid synthetic cases file of about 2 MiB (over ``max_input_mb=1``)."""
    cases = seed_cases()
    cases[0]["patient_history"] = "Abdominal pain. " * (2 * 1024 * 1024 // 16)
    (tmp / "big.json").write_text(json.dumps({"source": "synthetic", "cases": cases}), encoding="utf-8")


def _run_without_manifest(tmp: Path) -> None:
    """An evaluate run directory that holds predictions but no manifest.json (whose run is it?)."""
    run = tmp / "outputs" / "old"
    run.mkdir(parents=True)
    (run / "predictions.jsonl").write_text('{"hadm_id": 20000001, "status": "ok"}\n', encoding="utf-8")


def _credentialed_bundle(tmp: Path) -> None:
    """A diagnosis_only bundle compiled on MIMIC-IV (its demos would be patient text), and synthetic cases."""
    write_bundle(tmp / "credentialed_bundle", "diagnosis_only", source="mimic-iv")
    (tmp / "synthetic.json").write_text(json.dumps({"source": "synthetic", "cases": seed_cases()}), encoding="utf-8")


def _relabeled_bundle(tmp: Path) -> None:
    """A bundle compiled on MIMIC-IV whose manifest was edited to say its data was synthetic."""
    bundle = write_bundle(tmp / "relabeled_bundle", "diagnosis_only", source="mimic-iv")
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    manifest["train"]["source"] = manifest["dev"]["source"] = "synthetic"
    (bundle / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


MAKERS: dict[str, Callable[[Path], None]] = {
    "invalid_utf8": _invalid_utf8,
    "binary_garbage": _binary_garbage,
    "a_file_in_the_way": _a_file_in_the_way,
    "a_directory_as_output": _a_directory_as_output,
    "read_only_dir": _read_only_dir,
    "tampered_bundle": _tampered_bundle,
    "other_program_bundle": _other_program_bundle,
    "corrupt_archive": _corrupt_archive,
    "truncated_archive": _truncated_archive,
    "not_a_bundle": _not_a_bundle,
    "huge_hadm_id": _huge_hadm_id,
    "deep_nesting": _deep_nesting,
    "fifo": _fifo,
    "oversized": _oversized,
    "run_without_manifest": _run_without_manifest,
    "credentialed_bundle": _credentialed_bundle,
    "relabeled_bundle": _relabeled_bundle,
}
"""Generated inputs by the name the corpus table uses."""
