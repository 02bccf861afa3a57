"""The Spark connection behind the pipeline's small warehouse interface, on a real local session:
placeholders, fetches, DataFrames, catalog look-ups, and the gate's and the sync's reads."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from lead_scoring.orchestration import steps
from lead_scoring.quality import metrics
from lead_scoring.sync import run_sync
from lead_scoring.sync.warehouse import table_columns, table_exists
from lead_scoring.warehouse import Warehouse

DAY = dt.date(2026, 11, 20)
SCORES = """
select * from values
  (1, 'a@example.com', 80.5, 70.0, cast(76.25 as decimal(6, 2)), 'A1', 'hot', 'sql', false, '', 'fit',
   timestamp'2026-11-20 06:00:00', 'v1'),
  (2, null, 10.0, 0.0, cast(5.00 as decimal(6, 2)), 'D4', 'cold', 'lead', true, 'fake_name', '',
   timestamp'2026-11-20 06:00:00', 'v1')
  as t(contact_id, email, fit_score, engagement_score, lead_score, grade, tier, lifecycle_stage,
       is_junk, junk_reasons, score_reasons, scored_at, model_version)
"""
EVENTS = """
select * from values (1, timestamp'2026-11-18 23:59:00'), (2, timestamp'2026-11-21 01:00:00')
  as t(id, event_timestamp)
"""

pytestmark = pytest.mark.spark


@pytest.fixture
def marts(spark_warehouse, tmp_path):
    """The same two small tables in Spark and in a DuckDB file."""
    duck_path = tmp_path / "scores.duckdb"
    duck = duckdb.connect(str(duck_path))
    with spark_warehouse.opened() as con:
        for schema, table, sql in [
            ("marts", "fct_lead_scores", SCORES),
            ("staging", "stg_web__events", EVENTS),
        ]:
            con.execute(f"drop database if exists {schema} cascade")  # the session's catalog is shared
            con.execute(f"create database {schema}")
            con.execute(f"create table {schema}.{table} using parquet as {sql}")
            duck.execute(f"create schema if not exists {schema}")
            duck_sql = sql.replace("values", "(values").replace(" as t", ") as t")  # DuckDB's form
            duck.execute(f"create table {schema}.{table} as {duck_sql}")
    duck.close()
    return Warehouse("spark", path=tmp_path / "workspace.duckdb"), Warehouse("duckdb", path=duck_path)


def test_placeholders_fetches_and_dataframes(marts):
    spark, _ = marts
    with spark.opened() as con:
        row = con.execute(
            "select contact_id, lead_score, scored_at from marts.fct_lead_scores "
            "where tier = ? and scored_at < ?",
            ["hot", dt.datetime(2026, 11, 21)],
        ).fetchone()
        assert row == (1, 76.25, dt.datetime(2026, 11, 20, 6, 0))  # decimal as float, naive UTC
        assert isinstance(row[1], float)
        named = con.execute("select count(*) from marts.fct_lead_scores where scored_at < $day", {"day": DAY})
        assert named.fetchall() == [(0,)]
        cursor = con.execute("select contact_id, email from marts.fct_lead_scores order by 1")
        assert [d[0] for d in cursor.description] == ["contact_id", "email"]
        frame = con.execute("select * from marts.fct_lead_scores").df()
        assert sorted(frame["lead_score"]) == [5.0, 76.25] and frame["lead_score"].dtype == "float64"
        assert table_exists(con, "marts", "fct_lead_scores") and not table_exists(con, "marts", "nothing")
        assert table_columns(con, "marts", "fct_lead_scores")[:2] == ["contact_id", "email"]
        with pytest.raises(con.error):
            con.execute("select no_such_column from marts.fct_lead_scores").fetchall()


def test_the_gate_figures_and_the_publish_summary_equal_duckdbs(marts):
    spark, duck = marts
    with spark.opened() as sc, duck.opened() as dc:
        figures = metrics.compute(sc, DAY)
        assert figures == metrics.compute(dc, DAY)
    assert figures["days_since_last_event"] == 2  # the event after the score date is ignored
    assert steps.tier_summary(spark) == steps.tier_summary(duck)
    assert steps.history_versions("2026-11-20", spark) == {}  # no history table yet


def test_the_sync_reads_scores_from_spark_and_keeps_its_tables_in_the_workspace(marts):
    spark, _ = marts
    result = run_sync(spark, None, dry_run=True)
    assert (result.total, result.planned) == (2, 2)
    with spark.operational().opened(read_only=True) as con:
        assert con.execute("select count(*), bool_and(dry_run) from sync.crm_sync_runs").fetchone() == (
            1,
            True,
        )
    with spark.opened() as con:
        assert not con.execute("show databases like 'sync'").fetchall()
