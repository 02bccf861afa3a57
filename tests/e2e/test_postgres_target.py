"""The same DAG on a real PostgreSQL warehouse gives the DuckDB run's scores, row for row.

The e2e package already ran the DAG on DuckDB (history to day N-1, then day N). Here the same runs
go to a fresh Postgres database (`LEAD_SCORING_TARGET=postgres`) and a fresh CRM sandbox; then
day N runs again, which must change nothing and send nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from lead_scoring.crm.client import CrmClient
from lead_scoring.crm.sandbox import start_sandbox
from lead_scoring.warehouse import Warehouse
from tests.e2e.conftest import END
from tests.e2e.snapshot import normal, snapshot

pytestmark = pytest.mark.e2e

MARTS = ("marts",)


@pytest.fixture(scope="module")
def postgres_run(pipeline, postgres_server, tmp_path_factory):
    """Day N-1 with history, then day N, on Postgres; then day N again."""
    database = postgres_server.create_database("warehouse_e2e")
    workspace = tmp_path_factory.mktemp("pg_ingest") / "ingest.duckdb"
    with start_sandbox(pipeline.state / "crm_pg.sqlite", load_landing=pipeline.landing) as sandbox:
        env = pipeline.env(warehouse=workspace, sandbox=sandbox) | postgres_server.warehouse_env(database)
        first = min(r[0] for r in pipeline.query("select min(_load_date) from raw.web_events"))
        for day, conf in [(END - dt.timedelta(days=1), {"load_from": first.isoformat()}), (END, None)]:
            ok, output = pipeline.run(day, conf, env=env)
            assert ok, f"Postgres DAG run for {day} failed:\n{output}"
        target = Warehouse("postgres", postgres=postgres_server.settings(database))
        before = snapshot(target)
        writes_before = sandbox.write_counts()
        ok, output = pipeline.run(END, env=env)
        assert ok, f"Postgres re-run of {END} failed:\n{output}"
        yield {
            "target": target,
            "workspace": workspace,
            "sandbox": sandbox,
            "before": before,
            "writes_before": writes_before,
        }


def test_postgres_scores_equal_duckdb_scores_row_for_row(pipeline, postgres_run):
    duck = snapshot(pipeline.warehouse, MARTS)
    pg = snapshot(postgres_run["target"], MARTS)
    assert sorted(pg) == sorted(duck)
    scores = "marts.fct_lead_scores"
    assert len(pg[scores]) == len(pipeline.scores()) > 0
    for table in duck:
        assert normal(pg[table]) == normal(duck[table]), f"{table} differs between Postgres and DuckDB"


def test_ingestion_loads_the_raw_tables_into_postgres(pipeline, postgres_run):
    """Every raw table, quarantine and audit included, holds in Postgres what DuckDB loaded."""
    duck = snapshot(pipeline.warehouse, ("raw",))
    pg = snapshot(postgres_run["target"], ("raw",))
    assert sorted(pg) == sorted(duck)
    assert pg["raw.web_events"], "no events reached Postgres"
    for table in duck:
        assert normal(pg[table]) == normal(duck[table]), f"{table} differs between Postgres and DuckDB"


def test_gate_and_sync_keep_their_tables_in_postgres(postgres_run):
    with postgres_run["target"].opened() as con:
        days = [
            r[0]
            for r in con.execute("select distinct score_date from quality.run_metrics order by 1").fetchall()
        ]
        synced = con.execute("select count(*) from sync.crm_sync_state").fetchone()[0]
        scored = con.execute("select count(*) from marts.fct_lead_scores").fetchone()[0]
    assert days == [END - dt.timedelta(days=1), END]
    assert synced == scored


def test_postgres_rerun_changes_nothing_and_sends_nothing(postgres_run):
    assert snapshot(postgres_run["target"]) == postgres_run["before"]
    sandbox = postgres_run["sandbox"]
    assert sandbox.write_counts() == postgres_run["writes_before"]
    assert sum(postgres_run["writes_before"].values()) > 0, "the first Postgres runs wrote nothing"
    with postgres_run["target"].opened() as con:
        scores = {
            row[0]: row[1]
            for row in con.execute("select contact_id, lead_score from marts.fct_lead_scores").fetchall()
        }
    held = {
        int(c["id"]): c["properties"]
        for c in CrmClient(sandbox.url, sandbox.token).iter_objects("contacts", ["lead_score"])
    }
    assert {cid: float(held[cid]["lead_score"]) for cid in scores} == {
        cid: float(score) for cid, score in scores.items()
    }
