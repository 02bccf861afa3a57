"""Which DAG runs may write to the CRM: only the latest (steps.sync_skip_reason)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from lead_scoring.orchestration.steps import newest_score_date, sync_skip_reason


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_lead_score_history (score_date date, contact_id bigint)")
        con.execute("insert into marts.fct_lead_score_history values ('2026-11-19', 1), ('2026-11-20', 1)")
    return path


def test_a_past_score_date_is_skipped_whatever_the_run_type(warehouse):
    assert newest_score_date(warehouse).isoformat() == "2026-11-20"
    for run_type in ("manual", "scheduled", "backfill", None):
        reason = sync_skip_reason("2026-11-19", run_type=run_type, warehouse=warehouse)
        assert reason and "older than the newest scored date 2026-11-20" in reason
    assert sync_skip_reason("2026-11-20", run_type="manual", warehouse=warehouse) is None
    assert sync_skip_reason("2026-11-21", warehouse=warehouse) is None


def test_a_first_build_has_no_newest_date(tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert newest_score_date(empty) is None
    assert sync_skip_reason("2026-11-01", warehouse=empty) is None


@pytest.mark.parametrize(
    ("run_type", "skipped"),
    [("scheduled", True), ("backfill", True), ("manual", False), ("asset_triggered", False)],
)
def test_latest_only_for_scheduled_and_backfill_runs(warehouse, run_type, skipped):
    start = datetime(2026, 11, 20, tzinfo=UTC)
    end = start + timedelta(days=1)
    two_days_later = end + timedelta(days=1, hours=3)  # the next interval has ended too
    reason = sync_skip_reason(
        "2026-11-20",
        run_type=run_type,
        interval_start=start,
        interval_end=end,
        now=two_days_later,
        warehouse=warehouse,
    )
    assert (reason is not None) == skipped
    if skipped:
        assert "not the latest schedule interval" in reason
    # the run of the current interval (it started at the end of its interval) may sync
    assert (
        sync_skip_reason(
            "2026-11-20",
            run_type=run_type,
            interval_start=start,
            interval_end=end,
            now=end + timedelta(minutes=5),
            warehouse=warehouse,
        )
        is None
    )
