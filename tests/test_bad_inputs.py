"""The bad-input corpus (issue 6, item 3): every entry through the real command line.

Each entry of ``CORPUS`` is one line: a name, the command line (with placeholders), the fragments its one error
line must contain, and optionally a generated input, an output file that must survive untouched, or a database.
Every entry must give exactly one ERROR line containing the fragments, exit code 2, no traceback, and leave the
scratch directory exactly as it was (no partial output, no temporary file, pre-existing output untouched).
``tests/data/bad_inputs/README.md`` describes each entry; a test keeps the two in step.

Placeholders: ``{corpus}`` the committed corpus directory, ``{seed}`` the seed cases file (two valid synthetic
cases), ``{tmp}`` the scratch directory (also the working directory), ``{port}`` a TCP port nobody listens on.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cdmbench.cli import COMMANDS, main
from tests.bad_input_makers import BIG_HISTORY_BYTES, MAKERS, write_big_history_cases
from tests.data_export.test_cli import WRONG_PASSWORD, password_role  # noqa: F401  (password_role: a fixture)
from tests.postgres import db_overrides, fresh_database

CORPUS_DIR = Path(__file__).resolve().parent / "data" / "bad_inputs"
SEED = Path(__file__).resolve().parent / "data" / "seed_benchmark_data.json"
KEEP = "an earlier output that a failed command must leave alone\n"


@dataclass(frozen=True)
class Bad:
    """One corpus entry."""

    name: str
    command: str
    expect: tuple[str, ...]
    make: str | None = None  # a maker in tests/bad_input_makers.py that writes a generated input into {tmp}
    keep: str | None = None  # an output file (relative to {tmp}) pre-created with KEEP; it must stay as it was
    db: str | None = None  # "empty", "no_database" or "wrong_password": add db overrides for the test server


def bad(name: str, command: str, *expect: str, **options: str) -> pytest.param:
    marks = [pytest.mark.postgres] if options.get("db") else []
    return pytest.param(Bad(name, command, expect, **options), id=name, marks=marks)


EVAL = "evaluate output_dir={tmp}/outputs"
SCORE = "score cases={seed} output={tmp}/scores.jsonl predictions={corpus}/"
SCORE_TO = "score cases={seed} predictions={corpus}/predictions.jsonl output={tmp}/"
BUNDLE = EVAL + " data={seed} program=diagnosis_only program.compiled={tmp}/"
CREATE = "create-benchmark out={tmp}/cases.json"
SCORES, CASES, A_FILE = "scores.jsonl", "cases.json", "a_file_in_the_way"

# one entry a line, however long:
# fmt: off
CORPUS = [
    # cases files
    bad("broken_json", EVAL + " data={corpus}/broken_json.json", "broken_json.json", "broken JSON at line 2"),
    bad("truncated_json", EVAL + " data={corpus}/truncated.json", "truncated.json", "broken JSON", "Unterminated"),
    bad("broken_jsonl_line", EVAL + " data={corpus}/broken_line.jsonl", "broken_line.jsonl", "broken JSON on line 2"),
    bad("empty_file", EVAL + " data={corpus}/empty_file.json", "empty_file.json", "the file is empty"),
    bad("not_a_cases_file", EVAL + " data={corpus}/not_a_cases_file.json", "expected a JSON object with 'cases'"),
    bad("cases_not_a_list", EVAL + " data={corpus}/cases_not_a_list.json", "'cases' must be a list, got dict"),
    bad("wrong_type_hadm_id", EVAL + " data={corpus}/wrong_type_hadm_id.json", "field 'hadm_id'", "'twenty'"),
    bad("wrong_type_lab_results", EVAL + " data={corpus}/wrong_type_lab_results.json", "'lab_results'", "valid list"),
    bad("unknown_pathology", EVAL + " data={corpus}/unknown_pathology.json", "'pathology'", "'gastritis'", "appendic"),
    bad("unknown_source", EVAL + " data={corpus}/unknown_source.json", "unknown source 'mimic-v'", "synthetic"),
    bad("empty_case_list", EVAL + " data={corpus}/empty_case_list.json", "holds no cases"),
    bad("duplicate_hadm_id", EVAL + " data={corpus}/duplicate_hadm_id.json", "duplicate hadm_id 20000001", "case 1"),
    bad("missing_cases_file", EVAL + " data={tmp}/nowhere.json", "nowhere.json", "does not exist"),
    bad("invalid_utf8", "split cases={tmp}/invalid_utf8.json out={tmp}/splits", "not valid UTF-8", make="invalid_utf8"),
    bad("binary_cases_file", EVAL + " data={tmp}/cases.json.gz.json", "not valid UTF-8", make="binary_garbage"),
    bad("bad_cases_for_score", "score cases={corpus}/unknown_pathology.json predictions={corpus}/predictions.jsonl output={tmp}/s.jsonl", "'gastritis'"),
    # predictions files (cdmbench score): the earlier scores.jsonl must survive
    bad("predictions_unknown_hadm_id", SCORE + "predictions_unknown_hadm_id.jsonl", "99999999 is not in", keep=SCORES),
    bad("predictions_broken_line", SCORE + "predictions_broken_line.jsonl", "line 2: broken JSON", keep=SCORES),
    bad("predictions_bad_status", SCORE + "predictions_bad_status.jsonl", "'status' must be 'ok' or", keep=SCORES),
    bad("predictions_bad_hadm_id", SCORE + "predictions_bad_hadm_id.jsonl", "'hadm_id' must be an int", keep=SCORES),
    bad("predictions_wrong_type", SCORE + "predictions_wrong_type.jsonl", "field 'tool_calls'", keep=SCORES),
    bad("predictions_missing", "score cases={seed} output={tmp}/scores.jsonl predictions={tmp}/nothing_here.jsonl", "nothing_here.jsonl", "does not exist", keep=SCORES),
    bad("score_without_files", "score cases={seed}", "score needs cases=FILE", "predictions=FILE"),
    # names
    bad("unknown_command", "frobnicate limit=1", "unknown command 'frobnicate'", "evaluate", "cdmbench --help"),
    bad("unknown_program", EVAL + " program=nope", "unknown program 'nope'", "cdm_agent", "program="),
    bad("unknown_lm", EVAL + " lm=nope", "unknown lm 'nope'", "embedded, openai_compatible, vllm"),
    bad("unknown_preset", EVAL + " data={seed} lm=vllm lm.preset=nope", "unknown vLLM preset 'nope'", "qwen3_4b"),
    bad("unknown_serve_preset", "serve model=nope dry_run=true", "unknown vLLM preset 'nope'", "configs/vllm/"),
    bad("unknown_optimizer", "optimize optimizer=nope train={seed} dev={seed}", "unknown optimizer 'nope'", "gepa"),
    bad("unknown_program_option", EVAL + " data={seed} +program.nope=3", "has no option 'nope'", "max_iters"),
    # overrides and settings
    bad("malformed_override", EVAL + " limit=[1", "malformed override", "key=value"),
    bad("override_without_key", EVAL + " =3", "malformed override '=3'", "key=value"),
    bad("unknown_setting", EVAL + " limt=3", "unknown setting 'limt'", "cdmbench evaluate --help"),
    bad("bad_interpolation", EVAL + " limit=${nope}", "reference in limit", "'nope' not found"),
    bad("missing_required", EVAL + " lm=openai_compatible", "needs lm.api_base=..., lm.model=..."),
    bad("not_a_number", EVAL + " data={seed} limit=abc", "limit must be a whole number", "'abc'"),
    bad("zero_threads", EVAL + " data={seed} num_threads=0", "num_threads must be a whole number >= 1"),
    bad("bad_lm_setting", EVAL + " data={seed} lm.temperature=hot", "lm.temperature", "valid number"),
    # databases
    bad("unreachable_db", CREATE + " db.host=127.0.0.1 db.port={port}", "127.0.0.1:{port}", "is the server running", keep=CASES),
    bad("missing_tables", CREATE, "mimiciv_hosp.patients", "cdmbench db-load", keep=CASES, db="empty"),
    bad("missing_database", CREATE, "no database 'cdmbench_no_such_db'", "createdb", keep=CASES, db="no_database"),
    bad("wrong_password", CREATE, "refused the login", "db.password", keep=CASES, db="wrong_password"),
    bad("missing_db_load_source", "db-load source={tmp}/nowhere db.port=1", "nowhere", "does not exist"),
    # compiled-program bundles (evaluate program.compiled=..., cdmbench inspect)
    bad("tampered_bundle", BUNDLE + "tampered_bundle", "tampered_bundle", "does not match", make="tampered_bundle"),
    bad("bundle_of_other_program", BUNDLE + "full_info_bundle", "'full_info'", "not 'diagnosis_only'", make="other_program_bundle"),
    bad("corrupt_bundle_archive", BUNDLE + "bundle.tar.gz", "bundle.tar.gz", "not a readable .tar.gz", make="corrupt_archive"),
    bad("truncated_bundle_archive", BUNDLE + "truncated.tar.gz", "truncated.tar.gz", "export it again", make="truncated_archive"),
    bad("not_a_bundle", BUNDLE + "not_a_bundle", "not_a_bundle", "lacks manifest.json", make="not_a_bundle"),
    bad("inspect_corrupt_archive", "inspect source={tmp}/bundle.tar.gz", "bundle.tar.gz", "not a readable .tar.gz", make="corrupt_archive"),
    bad("export_tampered_bundle", "export source={tmp}/tampered_bundle out={tmp}/b.tar.gz", "program.json was modified", make="tampered_bundle"),
    bad("export_not_an_archive_name", "export source={tmp}/full_info_bundle out={tmp}/b.zip", "name the archive *.tar.gz", make="other_program_bundle"),
    # run directories (plot, merge, report, compare)
    bad("plot_missing_run", "plot runs=[{tmp}/nope] out={tmp}/plots", "'{tmp}/nope' does not exist", "run"),
    bad("merge_not_a_run", "merge runs=[{tmp}/nope] out={tmp}/merged", "is not a run directory", "runs=["),
    bad("report_missing_run", "report run={tmp}/nope", "'{tmp}/nope' does not exist"),
    bad("compare_one_run", "compare runs=[{seed}]", "compare takes at least two runs, got 1", "runs=["),
    # outputs that cannot be written
    bad("output_under_a_file", SCORE_TO + "a_file/scores.jsonl", "a_file' is a file, not a directory", make=A_FILE),
    bad("output_is_a_directory", SCORE_TO + "scores_dir", "it is a directory", make="a_directory_as_output"),
    bad("output_dir_under_a_file", "evaluate data={seed} output_dir={tmp}/a_file/outputs", "a_file' is a file", make=A_FILE),
    bad("split_out_under_a_file", "split cases={seed} out={tmp}/a_file/splits", "a_file' is a file", make=A_FILE),
    bad("synthesize_out_under_a_file", "synthesize n_admissions=4 out={tmp}/a_file/syn", "a_file' is a file", make=A_FILE),
    bad("read_only_output_dir", SCORE_TO + "read_only/scores.jsonl", "read_only", "not writable", make="read_only_dir"),
    # input edges (issue 12)
    bad("huge_hadm_id", EVAL + " data={tmp}/huge_id.json", "huge_id.json", "too long", "64 bits", make="huge_hadm_id"),
    bad("hadm_id_out_of_range", EVAL + " data={corpus}/hadm_id_out_of_range.json", "field 'hadm_id'", "less than or equal to 9223372036854775807"),
    bad("deep_nesting", EVAL + " data={tmp}/deep.json", "deep.json", "nested too deeply", make="deep_nesting"),
    bad("lone_surrogate", EVAL + " data={corpus}/lone_surrogate.json", "case 0 (hadm_id=20000001)", "'patient_history'", "lone surrogate"),
    bad("device_file", EVAL + " data=/dev/zero", "'/dev/zero'", "not a regular file"),
    bad("fifo", EVAL + " data={tmp}/cases.fifo", "cases.fifo", "is a FIFO", make="fifo"),
    bad("oversized_file", EVAL + " data={tmp}/big.json max_input_mb=1", "big.json", "over the 1 MiB limit", "max_input_mb", make="oversized"),
    bad("predictions_duplicate", SCORE + "predictions_duplicate.jsonl", "lines 1 and 3", "hadm_id 20000001", keep=SCORES),
    bad("not_a_boolean", EVAL + " data={seed} retry_errors=maybe", "retry_errors must be true or false", "'maybe'"),
    bad("lm_not_a_boolean", EVAL + " data={seed} lm.cache=yes", "lm.cache", "valid boolean"),
    bad("run_escapes_output_dir", EVAL + " data={seed} run=../..", "run='../..'", "inside output_dir"),
    bad("run_without_manifest", EVAL + " data={seed} run=old", "old", "no manifest.json", "run=NAME", make="run_without_manifest"),
    # the data-use guard and the LM endpoint (the seed cases carry no source: credentialed); nothing is written
    bad("credentialed_to_numeric_ip", EVAL + " data={seed} lm=vllm lm.model=m lm.api_base=http://0x08080808/v1", "refusing to send credentialed", "'0x08080808'", "8.8.8.8"),
    bad("credentialed_to_mapped_ipv6", EVAL + " data={seed} lm=vllm lm.model=m lm.api_base='http://[::ffff:8.8.8.8]/v1'", "refusing to send credentialed", "8.8.8.8"),
    bad("credentialed_bundle_to_public_ip", EVAL + " data={tmp}/synthetic.json program=diagnosis_only program.compiled={tmp}/credentialed_bundle lm=vllm lm.model=m lm.api_base=http://0x08080808/v1", "refusing to send credentialed", "8.8.8.8", make="credentialed_bundle"),
    bad("relabeled_bundle", BUNDLE + "relabeled_bundle", "relabeled_bundle", "provenance hash", make="relabeled_bundle"),
    bad("unreachable_lm", EVAL + " data={seed} lm=vllm lm.model=m lm.api_base=http://127.0.0.1:{port}/v1", "no LM server answers", "127.0.0.1:{port}"),
    bad("password_in_api_base", EVAL + " data={seed} lm=vllm lm.model=m lm.api_base=http://user:hunter2@127.0.0.1:{port}/v1", "no LM server answers", "***@127.0.0.1:{port}"),
    bad("password_in_bad_api_base", EVAL + " data={seed} lm=vllm lm.model=m lm.api_base=ftp://user:hunter2@127.0.0.1/v1", "lm.api_base", "***@127.0.0.1"),
]
# fmt: on


# --------------------------------------------------------------------------- helpers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _snapshot(root: Path) -> dict[str, str]:
    """Every file and directory under ``root`` with its content hash (directories as 'dir')."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_dir():
            found[rel] = "dir"
        elif not path.is_file():  # a FIFO entry: reading it would block
            found[rel] = "special"
        else:
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d \| ")


def _error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "| ERROR" in line]


def assert_clean_failure(code: int, output: str, expect: tuple[str, ...]) -> str:
    """Exit code 2, no traceback, exactly one one-line ERROR holding every fragment; return that line."""
    assert "Traceback" not in output, output
    assert "This is a bug in cdmbench" not in output, output
    errors = _error_lines(output)
    assert len(errors) == 1, output
    after = output.split(errors[0], 1)[1].lstrip("\n").splitlines()
    assert not after or LOG_LINE.match(after[0]), f"the error message goes on over several lines:\n{output}"
    for fragment in expect:
        assert fragment in errors[0], f"{fragment!r} not in {errors[0]!r}"
    assert code == 2, output
    return errors[0]


def _skip_unless_available(entry: Bad) -> None:
    name = entry.command.split()[0]
    if name != "frobnicate" and name not in COMMANDS:
        pytest.skip(f"`cdmbench {name}` is not registered in cdmbench/cli.py yet")
    if entry.name == "read_only_output_dir" and os.geteuid() == 0:
        pytest.skip("root writes into read-only directories; the a_file_in_the_way entries cover root")
    if "program.compiled" in entry.command or (entry.make or "").endswith("bundle"):
        pytest.importorskip("cdmbench.optimize.bundle", reason="compiled-program bundles are not there yet")
        from cdmbench.config import compose

        if "compiled" not in compose("evaluate", ["program=diagnosis_only"]).program:
            pytest.skip("the program configs have no 'compiled' key yet")


def _loopback_only(real_connect):
    """socket.connect that refuses anything but unix sockets and loopback (entries name public addresses)."""

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = str(address[0]).split("%", 1)[0]
            if not ipaddress.ip_address(host).is_loopback:
                raise AssertionError(f"a bad-input entry tried to connect to {host}")
        return real_connect(self, address)

    return connect


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The scratch directory, also the working directory (so a stray relative output would be seen)."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only(socket.socket.connect))
    for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.delenv(variable.lower(), raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for variable in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
        monkeypatch.delenv(variable, raising=False)
    return work


@contextlib.contextmanager
def _db_args(request: pytest.FixtureRequest, kind: str | None) -> Iterator[list[str]]:
    """The db overrides of an entry: none, or a test database (dropped afterwards)."""
    if kind is None:
        yield []
        return
    server = request.getfixturevalue("pg_server")
    if kind == "no_database":
        yield db_overrides(server, "cdmbench_no_such_db")
        return
    with fresh_database(server, f"cdmbench_bad_{kind}") as dbname:
        args = db_overrides(server, dbname)
        if kind == "wrong_password":
            role = request.getfixturevalue("password_role")
            args += [f"db.user={role}", f"db.password={WRONG_PASSWORD}"]
        yield args


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("entry", CORPUS)
def test_bad_input(
    entry: Bad, scratch: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    _skip_unless_available(entry)
    values = {"corpus": str(CORPUS_DIR), "seed": str(SEED), "tmp": str(scratch), "port": str(_free_port())}
    if entry.make:
        MAKERS[entry.make](scratch)
    if entry.keep:
        (scratch / entry.keep).write_text(KEEP, encoding="utf-8")
    args = [_fill(token, values) for token in entry.command.split()]
    expect = tuple(_fill(fragment, values) for fragment in entry.expect)
    before = _snapshot(scratch)
    with _db_args(request, entry.db) as db:
        code = main([*args, *db])
    captured = capsys.readouterr()
    line = assert_clean_failure(code, captured.out + captured.err, expect)
    assert WRONG_PASSWORD not in captured.out + captured.err
    assert "hunter2" not in captured.out + captured.err  # URL user info is redacted everywhere
    assert _snapshot(scratch) == before, "the failed command changed the scratch directory"
    assert len(line) < 800, "one readable line, not a dump"


def test_debug_true_shows_the_traceback(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["evaluate", f"data={CORPUS_DIR / 'broken_json.json'}", f"output_dir={scratch}/outputs", "debug=true"])
    output = capsys.readouterr().err
    assert code == 2
    assert "Traceback" in output and "CaseFormatError" in output
    assert "broken JSON at line 2" in _error_lines(output)[0]
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        "evaluate data={corpus}/broken_json.json",
        "evaluate program=nope",
        "evaluate limit=[1",
        "score cases={seed} predictions={corpus}/predictions_unknown_hadm_id.jsonl output={tmp}/scores.jsonl",
    ],
    ids=["broken_json", "unknown_program", "malformed_override", "predictions_unknown_hadm_id"],
)
def test_end_to_end_in_a_subprocess(command: str, tmp_path: Path) -> None:
    """The console entry point itself: exit status 2 and one line on stderr, nothing written."""
    values = {"corpus": str(CORPUS_DIR), "seed": str(SEED), "tmp": str(tmp_path)}
    args = [_fill(token, values) for token in command.split()]
    proc = subprocess.run(
        [sys.executable, "-m", "cdmbench", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert_clean_failure(proc.returncode, proc.stdout + proc.stderr, ())
    assert list(tmp_path.iterdir()) == []


def test_very_large_history_loads_and_scores(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 5 MB history is an odd input, not an error: the case loads and is scored."""
    cases = write_big_history_cases(scratch / "big.json")
    assert cases.stat().st_size > BIG_HISTORY_BYTES
    out = scratch / "scores.jsonl"
    code = main(["score", f"cases={cases}", f"predictions={CORPUS_DIR / 'predictions.jsonl'}", f"output={out}"])
    output = capsys.readouterr().err
    assert code == 0, output
    assert _error_lines(output) == []
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["hadm_id"] for line in lines] == [20000001, 20000002]
    assert "Intermittent right lower quadrant pain" not in output  # patient text never reaches the log


def test_readme_describes_every_entry() -> None:
    """README.md names every corpus entry and every committed file, and every file the table uses exists."""
    readme = (CORPUS_DIR / "README.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([\w.]+)` \|", readme, flags=re.MULTILINE))
    names = {param.values[0].name for param in CORPUS}
    assert names <= rows, f"entries missing from README.md: {sorted(names - rows)}"
    committed = {p.name for p in CORPUS_DIR.iterdir() if p.name != "README.md"}
    for name in committed:
        assert f"`{name}`" in readme, f"{name} is not described in README.md"
    used = {m for param in CORPUS for m in re.findall(r"\{corpus\}/([\w.]+)", param.values[0].command)}
    assert used <= committed, f"missing corpus files: {sorted(used - committed)}"
    assert len(CORPUS) >= 20
