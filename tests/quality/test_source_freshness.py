"""`dbt source freshness` as of the score date, and the gate's verdict on it."""

from __future__ import annotations

import datetime as dt
import logging

import duckdb

from lead_scoring.quality import run_quality_gate
from lead_scoring.quality.freshness import SourceFreshness, check_source_freshness

DAY = dt.date(2026, 11, 20)


def _audit(path, loads: dict[str, list[dt.date]]) -> None:
    """raw.load_audit as ingestion writes it: one row per landed file and load date."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists raw")
        con.execute(
            "create or replace table raw.load_audit (_load_date date, _loaded_at timestamp,"
            " _dag_run_id varchar, source_file varchar, entity varchar, rows_read bigint,"
            " rows_loaded bigint, rows_quarantined bigint, rows_duplicate bigint, note varchar)"
        )
        for entity, days in loads.items():
            for day in days:
                con.execute(
                    "insert into raw.load_audit values (?, now(), 'test', ?, ?, 0, 0, 0, 0, null)",
                    [day, f"{entity}/date={day}/f", entity],
                )
    finally:
        con.close()


def test_freshness_is_judged_as_of_the_score_date_and_stops_a_stale_run(warehouse, monkeypatch, caplog):
    days = lambda *offsets: [DAY + dt.timedelta(days=o) for o in offsets]  # noqa: E731
    # contacts loaded every day up to the score date, and once after it (a later run's load);
    # web events last loaded 3 days before the score date; an empty export is still a load
    _audit(warehouse, {"contacts": days(-2, -1, 0, 3), "web_events": days(-5, -4, -3)})
    monkeypatch.setenv("LEAD_SCORING_WAREHOUSE", str(warehouse))

    results = check_source_freshness(DAY.isoformat())

    assert [(r.source, r.table, r.status, r.age_hours) for r in results] == [
        ("crm.contacts", "raw.crm_contacts", "pass", 24.0),  # the load after the score date is ignored
        ("web.events", "raw.web_events", "error", 96.0),
    ]
    assert results[1].max_loaded_at.startswith("2026-11-17") and results[1].snapshotted_at.startswith(
        "2026-11-21T00:00:00"
    )
    assert (results[1].warn_after, results[1].error_after) == ("36 hours", "72 hours")

    caplog.set_level(logging.INFO, logger="lead_scoring.quality")
    gate = run_quality_gate(
        warehouse, DAY.isoformat(), "run-1", source_freshness=[r.as_dict() for r in results]
    )

    assert not gate.passed
    [failure] = gate.critical_failures
    assert (failure.suite, failure.table, failure.severity) == (
        "source_freshness",
        "raw.web_events",
        "critical",
    )
    assert (
        "Quality gate critical: source_freshness on raw.web_events: dbt_source_freshness[web.events]"
        "(warn_after='36 hours', error_after='72 hours') on table: error: newest load 2026-11-17,"
        " 96 h before the end of the score date"
    ) in caplog.text
    assert "web.events" in gate.data_docs_path.read_text()


def test_a_source_past_warn_after_is_a_named_warning(warehouse, caplog):
    stale = SourceFreshness(
        source="crm.contacts",
        table="raw.crm_contacts",
        status="warn",
        max_loaded_at="2026-11-19T00:00:00+00:00",
        snapshotted_at="2026-11-21T00:00:00+00:00",
        age_hours=48.0,
        warn_after="36 hours",
        error_after="72 hours",
    )
    fresh = SourceFreshness("web.events", "raw.web_events", "pass", None, None, 24.0, "36 hours", None)
    caplog.set_level(logging.WARNING, logger="lead_scoring.quality")

    gate = run_quality_gate(
        warehouse, DAY.isoformat(), "run-1", source_freshness=[stale.as_dict(), fresh.as_dict()]
    )

    assert gate.passed, gate.report()
    [warning] = gate.warnings
    assert (warning.suite, warning.table) == ("source_freshness", "raw.crm_contacts")
    assert (
        "Quality gate warning: source_freshness on raw.crm_contacts: dbt_source_freshness[crm.contacts]"
        in (caplog.text)
    )
    assert "warn: newest load 2026-11-19, 48 h before the end of the score date" in caplog.text
