"""The quality gate on a small warehouse: what passes, what stops a run, what only warns."""

from __future__ import annotations

import logging

import pytest

from lead_scoring.paths import EXPECTATIONS_DIR
from lead_scoring.quality import QualityGateFailed, run_quality_gate

DAY1, DAY2, DAY3 = "2026-11-20", "2026-11-21", "2026-11-22"


def gate(warehouse, day=DAY1, run_id="scheduled__1", **kwargs):
    return run_quality_gate(warehouse, day, run_id, **kwargs)


def test_clean_warehouse_passes_every_stage_and_builds_data_docs(warehouse, state_dir, recorded, caplog):
    committed = sorted(p for p in EXPECTATIONS_DIR.rglob("*") if "uncommitted" not in p.parts)
    caplog.set_level(logging.INFO, logger="lead_scoring.quality")

    result = gate(warehouse, stage="all")

    assert result.passed, result.report()
    assert result.critical_failures == [] and result.warnings == []
    assert result.data_docs_path == state_dir / "data_docs" / "index.html"
    assert result.data_docs_path.is_file()
    assert result.data_docs_url.startswith("file://") and result.data_docs_url.endswith("/index.html")
    assert "run-over-run comparisons skipped" in caplog.text  # first run: nothing to compare with
    assert {m: v for _, _, m, v in recorded(warehouse)} == {
        "lead_count": 200,
        "junk_pct": 10.0,
        "hot_pct": 20.0,
        "disqualified_pct": 0.0,
        "days_since_last_event": 0,
    }
    result.raise_if_failed()  # no exception
    # the committed project is only read: nothing written next to it
    assert sorted(p for p in EXPECTATIONS_DIR.rglob("*") if "uncommitted" not in p.parts) == committed


def test_a_critical_failure_names_the_check_the_table_and_the_values(warehouse, execute, recorded):
    execute(
        warehouse, "update raw.crm_contacts set hs_object_id = 'abc' where email = 'lead1003@example.com'"
    )

    result = gate(warehouse, stage="all")

    assert not result.passed
    [failure] = result.critical_failures
    assert (failure.suite, failure.table, failure.severity) == (
        "raw_contacts",
        "raw.crm_contacts",
        "critical",
    )
    with pytest.raises(QualityGateFailed) as raised:
        result.raise_if_failed()
    message = str(raised.value)
    assert (
        "[critical] raw_contacts on raw.crm_contacts: expect_column_values_to_match_regex(regex='^[0-9]+$')"
        " on column 'hs_object_id': 1 of 200 rows (0.50%); unexpected values: ['abc']"
    ) in message
    assert result.data_docs_url in message
    assert recorded(warehouse) == []  # a failed run never becomes the baseline


def test_an_empty_mart_fails_critically(warehouse, execute):
    execute(warehouse, "delete from marts.fct_lead_scores")

    result = gate(warehouse)

    [failure] = result.critical_failures
    assert (failure.suite, failure.table, failure.expectation) == (
        "marts_lead_scores",
        "marts.fct_lead_scores",
        "expect_table_row_count_to_be_between",
    )
    assert failure.observed == "observed 0"


def test_tripled_junk_share_fails_against_the_previous_run(tmp_path, make_warehouse, recorded):
    warehouse = make_warehouse(tmp_path / "w.duckdb", DAY1, junk_every=10)  # 10% junk
    assert gate(warehouse, DAY1, "run-1").passed

    make_warehouse(warehouse, DAY2, junk_every=3)  # 33% junk: a form-spam attack
    result = gate(warehouse, DAY2, "run-2")

    assert not result.passed
    assert result.baseline == DAY1
    [failure] = result.critical_failures
    assert (failure.suite, failure.column, failure.sample) == ("run_metrics", "junk_pct", [33.5])
    assert {d for d, *_ in recorded(warehouse)} == {DAY1}  # a failed run is not recorded


def test_run_after_a_failed_run_compares_with_the_last_passing_run(tmp_path, make_warehouse, recorded):
    warehouse = make_warehouse(tmp_path / "w.duckdb", DAY1, contacts=200)
    assert gate(warehouse, DAY1, "run-1").passed
    make_warehouse(warehouse, DAY2, contacts=100)  # halved: fails
    assert not gate(warehouse, DAY2, "run-2").passed

    make_warehouse(warehouse, DAY3, contacts=100)  # same as the failed run: still fails
    result = gate(warehouse, DAY3, "run-3")
    assert result.baseline == DAY1
    assert [(f.suite, f.column) for f in result.critical_failures] == [("run_metrics", "lead_count")]

    make_warehouse(warehouse, DAY3, contacts=190)
    assert gate(warehouse, DAY3, "run-3b").passed
    assert sorted({(d, r) for d, r, *_ in recorded(warehouse)}) == [(DAY1, "run-1"), (DAY3, "run-3b")]


def test_rerunning_a_score_date_replaces_its_metrics(tmp_path, make_warehouse, recorded):
    warehouse = make_warehouse(tmp_path / "w.duckdb", DAY1)
    assert gate(warehouse, DAY1, "run-1").passed
    make_warehouse(warehouse, DAY1, contacts=210)
    assert gate(warehouse, DAY1, "run-1-retry").passed  # compares with nothing before DAY1

    rows = recorded(warehouse)
    assert len(rows) == 5 and {r for _, r, *_ in rows} == {"run-1-retry"}
    assert ("2026-11-20", "run-1-retry", "lead_count", 210) in rows


def test_a_first_run_of_junk_leads_fails_on_the_absolute_limit(tmp_path, make_warehouse, execute, recorded):
    warehouse = make_warehouse(tmp_path / "w.duckdb", DAY1)
    execute(warehouse, "update marts.fct_lead_scores set is_junk = true")  # every lead is junk

    result = gate(warehouse, DAY1, "first")

    assert result.baseline is None  # nothing to compare with: only absolute limits apply
    assert not result.passed
    [failure] = result.critical_failures
    assert (failure.suite, failure.column, failure.sample) == ("run_metrics", "junk_pct", [100.0])
    assert failure.kwargs["max_value"] == 50.0  # the limits file's junk_pct_abs_max
    assert recorded(warehouse) == []


def test_more_than_half_disqualified_fails_on_a_first_run(tmp_path, make_warehouse, execute):
    warehouse = make_warehouse(tmp_path / "w.duckdb", DAY1)
    execute(warehouse, "update marts.fct_lead_scores set tier = 'disqualified' where contact_id <= 1120")

    result = gate(warehouse, DAY1, "first")

    [failure] = result.critical_failures
    assert (failure.suite, failure.column, failure.sample) == ("run_metrics", "disqualified_pct", [60.0])


@pytest.mark.parametrize(
    ("update", "hot_pct"),
    [
        ("update marts.fct_lead_scores set tier = 'warm' where tier = 'hot'", 0.0),
        ("update marts.fct_lead_scores set tier = if(contact_id <= 1120, 'hot', 'cold')", 60.0),
    ],
    ids=["no_hot_lead", "most_leads_hot"],
)
def test_hot_share_of_0_or_above_half_warns_on_a_first_run(
    tmp_path, make_warehouse, execute, update, hot_pct
):
    warehouse = make_warehouse(tmp_path / "w.duckdb", DAY1)
    execute(warehouse, update)

    result = gate(warehouse, DAY1, "first")

    assert result.passed, result.report()
    [warning] = result.warnings
    assert (warning.suite, warning.column, warning.sample) == ("run_metrics", "hot_pct", [hot_pct])


def test_absolute_limits_come_from_the_limits_file(tmp_path, make_warehouse):
    from lead_scoring.quality.metrics import Limits

    limits_file = tmp_path / "limits.yml"
    limits_file.write_text("junk_pct_abs_max: 5.0\n")
    warehouse = make_warehouse(tmp_path / "w.duckdb", DAY1, junk_every=10)  # 10% junk

    result = gate(warehouse, DAY1, "first", limits=Limits.load(limits_file))

    assert [(f.column, f.sample) for f in result.critical_failures] == [("junk_pct", [10.0])]


def test_warnings_are_reported_but_do_not_fail(tmp_path, make_warehouse, execute, caplog):
    warehouse = make_warehouse(tmp_path / "w.duckdb", DAY1, hot_every=5)  # 20% hot
    assert gate(warehouse, DAY1, "run-1").passed
    make_warehouse(warehouse, DAY2, hot_every=2)  # 50% hot: more than 10 points up
    execute(warehouse, "update marts.fct_lead_scores set score_reasons = null where contact_id = 1001")
    caplog.set_level(logging.WARNING, logger="lead_scoring.quality")

    result = gate(warehouse, DAY2, "run-2")

    assert result.passed, result.report()
    assert sorted((f.suite, f.column) for f in result.warnings) == [
        ("marts_lead_scores", "score_reasons"),
        ("run_metrics", "hot_pct"),
    ]
    # each warning on a line of its own: the check, the table and what was observed
    assert (
        "Quality gate warning: marts_lead_scores on marts.fct_lead_scores: "
        "expect_column_values_to_not_be_null() on column 'score_reasons': 1 of 200 rows (0.50%)\n"
    ) in caplog.text
    assert (
        "Quality gate warning: run_metrics on marts.fct_lead_scores: expect_column_values_to_be_between("
    ) in caplog.text
    assert "on column 'hot_pct': observed hot_pct = 50.0\n" in caplog.text
    result.raise_if_failed()


def test_stale_events_fail_the_freshness_check(tmp_path, make_warehouse):
    warehouse = make_warehouse(tmp_path / "w.duckdb", DAY1)
    result = gate(warehouse, "2026-11-25", "late")  # newest event is 5 days old

    [failure] = result.critical_failures
    assert (failure.column, failure.sample) == ("days_since_last_event", [5])


def test_raw_stage_checks_the_days_load(warehouse, execute):
    execute(
        warehouse,
        "update raw.crm_contacts set hs_object_id = 'abc' where email = 'lead1001@example.com'",
        "alter table raw.web_events drop column page_url",
        "update raw.crm_contacts set email = null",  # a warning (mostly 95%)
    )

    result = gate(warehouse, stage="raw")

    assert sorted((f.suite, f.column, f.sample[:1]) for f in result.critical_failures) == [
        ("raw_contacts", "hs_object_id", ["abc"]),
        ("raw_web_events", "page_url", []),
    ]
    assert [(f.suite, f.column) for f in result.warnings] == [("raw_contacts", "email")]
    other_day = gate(warehouse, "2026-11-19", stage="raw")  # nothing loaded that day: schema only
    assert [(f.suite, f.column) for f in other_day.critical_failures] == [("raw_web_events", "page_url")]
    assert other_day.warnings == []


def test_missing_mart_fails_critically(warehouse, execute):
    execute(warehouse, "drop table marts.fct_lead_scores")

    result = gate(warehouse)

    assert sorted((f.suite, f.expectation) for f in result.critical_failures) == [
        ("marts_lead_scores", "read_table"),
        ("run_metrics", "read_table"),
    ]
    assert all("fct_lead_scores" in f.observed for f in result.critical_failures)
