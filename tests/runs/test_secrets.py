"""Secrets and patient text stay out of run directories and logs: URL user info is redacted everywhere."""

from __future__ import annotations

import pytest

from cdmbench.cli import main
from tests.runs.conftest import evaluate_overrides

SECRET = "hunter2-not-a-real-password"


@pytest.mark.slow
def test_a_password_in_api_base_is_never_written_or_logged(tmp_path, cases_file, loopback, capsys):
    api_base = loopback.api_base.replace("http://", f"http://cdm-user:{SECRET}@")
    args = evaluate_overrides(cases_file, api_base, tmp_path, "secret", "program=diagnosis_only", "limit=2")
    # the LM client may not accept URL user info (the cases then fail): what matters here is where it ends up
    main(["evaluate", *args, "html_report=false", "log_level=DEBUG"])
    output = capsys.readouterr()
    assert loopback.stats["chat"] + loopback.stats.get("answered", 0) >= 0
    run_dir = tmp_path / "secret"
    assert (run_dir / "config.yaml").read_text().count("cdm-user") == 0
    assert "***@127.0.0.1" in (run_dir / "config.yaml").read_text()
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path
    assert SECRET not in output.out + output.err


def test_redact_urls_replaces_user_info_only():
    from cdmbench.config import redact, redact_urls

    assert redact_urls("see http://u:p@h:1/v1 and https://tok@x.org/") == "see http://***@h:1/v1 and https://***@x.org/"
    assert redact_urls("mail me@example.org, http://host/v1?a=b@c") == "mail me@example.org, http://host/v1?a=b@c"
    assert redact({"lm": {"api_base": "http://u:p@h/v1", "n": 1}}) == {"lm": {"api_base": "http://***@h/v1", "n": 1}}
