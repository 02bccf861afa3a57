"""The committed GX project under expectations/ and the `lead-scoring quality` command."""

from __future__ import annotations

import json

from lead_scoring.cli import main
from lead_scoring.paths import EXPECTATIONS_DIR
from lead_scoring.quality.metrics import Limits
from lead_scoring.quality.project import render_project


def test_committed_project_is_generated_from_suites_py():
    expected = render_project()
    committed = {
        str(p.relative_to(EXPECTATIONS_DIR)): p.read_text()
        for p in EXPECTATIONS_DIR.rglob("*")
        if p.is_file()
        and p.suffix in (".json", ".yml")
        and p.name != "run_metrics_limits.yml"
        and "uncommitted" not in p.parts
    }
    stale = sorted(k for k in expected if committed.get(k) != expected[k])
    assert set(committed) == set(expected) and not stale, (
        f"expectations/ is out of date ({stale or sorted(set(committed) ^ set(expected))}):"
        " run `lead-scoring quality --write-project`"
    )


def test_every_expectation_is_critical_or_warning():
    folder = EXPECTATIONS_DIR / "expectations"
    suites = {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}
    required = {"raw_contacts", "raw_web_events", "staging_contacts", "marts_lead_scores", "run_metrics"}
    assert required <= set(suites)
    severities = {e["severity"] for s in suites.values() for e in s["expectations"]}
    assert severities == {"critical", "warning"}


def test_limits_file_matches_the_defaults():
    assert Limits.load() == Limits()


def test_cli_exits_1_on_a_critical_failure(warehouse, execute, capsys):
    argv = ["quality", "--warehouse", str(warehouse), "--date", "2026-11-20", "--run-id", "cli"]
    assert main(argv) == 0
    assert "Quality gate passed" in capsys.readouterr().out

    execute(warehouse, "update marts.fct_lead_scores set grade = 'Z9' where contact_id = 1001")
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "expect_column_values_to_match_regex" in out and "['Z9']" in out
    assert "Data Docs: file://" in out
