"""`lead-scoring`: expected failures are one readable line; `--debug` shows the traceback."""

from __future__ import annotations

import argparse
import importlib
import json
import socket
import subprocess
import sys
from pathlib import Path

from lead_scoring.cli import COMMANDS, main

DAY = "2026-11-20"
GOOD = "{i},c{i}@example.com,2026-01-01T00:00:00Z,2026-11-20T08:00:00Z"


def _ingest(tmp_path: Path, contacts_csv: str, *extra: str) -> subprocess.CompletedProcess:
    day = tmp_path / "landing" / "crm" / f"date={DAY}"
    day.mkdir(parents=True)
    (day / "contacts.csv").write_text(contacts_csv)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "lead_scoring.cli",
            *extra,
            "ingest",
            "--date",
            DAY,
            "--landing",
            str(tmp_path / "landing"),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "LEAD_SCORING_STATE_DIR": str(tmp_path / "state")},
    )


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error:" in line]


def test_a_missing_column_is_one_line_naming_file_row_and_field(tmp_path):
    done = _ingest(tmp_path, "hs_object_id,createdate,lastmodifieddate\n1,2026-01-01,2026-01-01\n")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (line,) = _error_lines(done.stderr)
    assert "contacts.csv: line 1 (header): missing required column(s) email" in line


def test_too_many_bad_rows_is_one_line_naming_file_row_and_field(tmp_path):
    rows = [GOOD.format(i=i) for i in range(1, 10)] + ["x,bad@example.com,2026-01-01,2026-01-01"]
    done = _ingest(tmp_path, "hs_object_id,email,createdate,lastmodifieddate\n" + "\n".join(rows) + "\n")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (line,) = _error_lines(done.stderr)
    assert 'contacts.csv: line 11, field hs_object_id: invalid value "x"' in line
    assert "1 of 10 rows" in line


def test_debug_shows_the_traceback(tmp_path):
    done = _ingest(tmp_path, "hs_object_id\n1\n", "--debug")
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "MissingColumnsError" in done.stderr


def _crm_env(monkeypatch, host: str, token: str) -> None:
    monkeypatch.delenv("LEAD_SCORING_CRM_URL", raising=False)
    monkeypatch.delenv("LEAD_SCORING_CRM_TOKEN", raising=False)
    monkeypatch.setenv(
        "AIRFLOW_CONN_CRM_DEFAULT",
        json.dumps(
            {
                "conn_type": "http",
                "host": host,
                "password": token,
                "extra": {"max_attempts": 2, "backoff_base": 0.01, "backoff_max": 0.02},
            }
        ),
    )


def test_a_bad_token_is_one_line(tmp_path, monkeypatch, capsys):
    from lead_scoring.crm.sandbox import start_sandbox

    sandbox = start_sandbox(tmp_path / "crm.sqlite", token="right", rate_limit=10_000)
    try:
        _crm_env(monkeypatch, sandbox.url, "wrong")
        code = main(["crm-show"])
    finally:
        sandbox.stop()
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err
    assert [line for line in err.splitlines() if "HTTP 401" in line], err


def test_an_unreachable_crm_is_one_line(monkeypatch, capsys):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _crm_env(monkeypatch, f"http://127.0.0.1:{port}", "t")
    assert main(["crm-show"]) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if "could not connect" in line], err


def test_every_option_of_every_command_has_help_text():
    for name, (module_name, _) in COMMANDS.items():
        parser = argparse.ArgumentParser()
        importlib.import_module(module_name).add_arguments(parser)
        for action in parser._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"lead-scoring {name} {'/'.join(action.option_strings)}"
