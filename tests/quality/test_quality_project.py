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
    required = {"raw_contacts", "raw_web_events", "marts_lead_scores", "run_metrics"}
    assert required <= set(suites)
    severities = {e["severity"] for s in suites.values() for e in s["expectations"]}
    assert severities == {"critical", "warning"}


def test_limits_file_matches_the_defaults():
    assert Limits.load() == Limits()


def test_cli_exits_1_on_a_critical_failure(warehouse, execute, capsys):
    argv = ["quality", "--warehouse", str(warehouse), "--date", "2026-11-20", "--run-id", "cli"]
    assert main(argv) == 0
    assert "Quality gate passed" in capsys.readouterr().out

    execute(warehouse, "delete from marts.fct_lead_scores")
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "marts_lead_scores on marts.fct_lead_scores: expect_table_row_count_to_be_between" in out
    assert "Data Docs: file://" in out


# GX expectation -> the dbt test that checks the same thing
SAME_CHECK = {
    "expect_column_values_to_not_be_null": {"not_null", "not_null_if_exists"},
    "expect_column_values_to_be_unique": {"unique"},
    "expect_column_values_to_be_in_set": {"accepted_values"},
    "expect_column_values_to_be_between": {"accepted_range"},
}


def _dbt_column_tests() -> set[tuple[str, str, str]]:
    """(schema.table, column, test name) of every dbt column test on a model or a source."""
    import yaml

    from lead_scoring.paths import DBT_PROJECT_DIR

    found = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("_*.yml"):
        doc = yaml.safe_load(path.read_text()) or {}
        tables = [
            (f"{path.relative_to(DBT_PROJECT_DIR / 'models').parts[0]}.{m['name']}", m)
            for m in doc.get("models", [])
        ]
        for source in doc.get("sources", []):
            tables += [(f"{source['schema']}.{t.get('identifier', t['name'])}", t) for t in source["tables"]]
        for table, node in tables:
            for column in node.get("columns", []):
                for test in column.get("data_tests", []):
                    found.add((table, column["name"], test if isinstance(test, str) else next(iter(test))))
    return found


def test_each_check_has_one_owner():
    """dbt tests own the models' row-level checks, GX the raw loads and the figures (docs/quality.md):
    no column is checked the same way by both."""
    from lead_scoring.quality.suites import SUITES

    dbt_tests = _dbt_column_tests()
    assert ("marts.fct_lead_scores", "contact_id", "unique") in dbt_tests
    assert ("raw.crm_companies", "hs_object_id", "not_null_if_exists") in dbt_tests
    both = [
        (suite.name, table, e.column, e.expectation_type)
        for suite in SUITES
        for table in suite.table.split(", ")
        for e in suite.expectations
        if any(
            (table, getattr(e, "column", None), t) in dbt_tests
            for t in SAME_CHECK.get(e.expectation_type, ())
        )
    ]
    assert both == []
