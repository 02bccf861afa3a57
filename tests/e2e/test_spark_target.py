"""The same DAG on Apache Spark gives the DuckDB run's scores, row for row.

The e2e package already ran the DAG on DuckDB (history to day N-1, then day N). Here the same runs
go to a fresh local Spark catalog (`LEAD_SCORING_TARGET=spark`) and a fresh CRM sandbox; then day
N runs again, which must change nothing and send nothing.

Spark runs as a Thrift server started once for the module (the pyspark wheel's HiveThriftServer2
on loopback, `tests/spark_server.py`), as a deployment beside a cluster would: the DAG runs' Python
steps and dbt (`method: thrift`) connect to it, and so do the test's own reads. In session mode
each `airflow dags test` process would start a JVM of its own (one SparkSession serves a DAG run's
tasks, which that command runs in one process) and so would every read by the test; the server
pays that once. Session mode is proven by `tests/ingest/test_spark_mirror.py` and
`tests/test_spark_connection.py`.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from lead_scoring.crm.client import CrmClient
from lead_scoring.crm.sandbox import start_sandbox
from lead_scoring.warehouse import Warehouse
from tests.e2e.conftest import END
from tests.e2e.snapshot import RUN_METADATA, normal, snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.spark]

MARTS = ("marts",)


@pytest.fixture(scope="module")
def spark_server(tmp_path_factory):
    pytest.importorskip("pyspark")
    from tests.spark_server import running_thrift_server

    with running_thrift_server(
        tmp_path_factory.mktemp("spark_server"), {"spark.sql.shuffle.partitions": "1"}
    ) as server:
        yield server


def _spark_snapshot(server, workspace) -> dict[str, list[tuple]]:
    with pytest.MonkeyPatch.context() as mp:
        for key, value in server.env().items():
            mp.setenv(key, value)
        return snapshot(Warehouse("spark", path=workspace))


@pytest.fixture(scope="module")
def spark_run(pipeline, spark_server, tmp_path_factory):
    """Day N-1 with history, then day N, on Spark; then day N again."""
    root = tmp_path_factory.mktemp("spark_target")
    workspace = root / "workspace.duckdb"
    timings = {}
    with start_sandbox(root / "crm.sqlite", load_landing=pipeline.landing) as sandbox:
        env = pipeline.env(warehouse=workspace, sandbox=sandbox) | spark_server.env()
        env.pop("LEAD_SCORING_SPARK_LAKE_DIR", None)
        first = min(r[0] for r in pipeline.query("select min(_load_date) from raw.web_events"))
        for day, conf in [(END - dt.timedelta(days=1), {"load_from": first.isoformat()}), (END, None)]:
            started = time.perf_counter()
            ok, output = pipeline.run(day, conf, env=env)
            timings[str(day)] = time.perf_counter() - started
            assert ok, f"Spark DAG run for {day} failed:\n{output}"
        before = _spark_snapshot(spark_server, workspace)
        operational_before = snapshot(workspace, ("sync", "quality"))
        writes_before = sandbox.write_counts()
        started = time.perf_counter()
        ok, output = pipeline.run(END, env=env)
        timings["rerun"] = time.perf_counter() - started
        assert ok, f"Spark re-run of {END} failed:\n{output}"
        after = _spark_snapshot(spark_server, workspace)
        print(f"\nSpark DAG runs (s): { {k: round(v) for k, v in timings.items()} }")
        yield {
            "workspace": Warehouse("duckdb", path=workspace),
            "sandbox": sandbox,
            "before": before,
            "after": after,
            "operational_before": operational_before,
            "writes_before": writes_before,
        }


def test_spark_scores_equal_duckdb_scores_row_for_row(pipeline, spark_run):
    duck = snapshot(pipeline.warehouse, MARTS)
    spark = {t: rows for t, rows in spark_run["after"].items() if t.startswith("marts.")}
    assert sorted(spark) == sorted(duck)
    scores = "marts.fct_lead_scores"
    assert len(spark[scores]) == len(pipeline.scores()) > 0
    for table in duck:
        assert normal(spark[table]) == normal(duck[table]), f"{table} differs between Spark and DuckDB"


def test_ingestion_lands_the_raw_tables_in_spark(pipeline, spark_run):
    """Every raw table, quarantine and audit included, holds in Spark what DuckDB loaded."""
    duck = snapshot(pipeline.warehouse, ("raw",))
    spark = {t: rows for t, rows in spark_run["after"].items() if t.startswith("raw.")}
    assert sorted(spark) == sorted(duck)
    assert spark["raw.web_events"], "no events reached Spark"
    for table in duck:
        assert normal(spark[table]) == normal(duck[table]), f"{table} differs between Spark and DuckDB"


def test_gate_and_sync_keep_their_tables_in_the_duckdb_workspace(spark_run):
    with spark_run["workspace"].opened(read_only=True) as con:
        days = [
            r[0]
            for r in con.execute("select distinct score_date from quality.run_metrics order by 1").fetchall()
        ]
        synced = con.execute("select count(*) from sync.crm_sync_state").fetchone()[0]
    assert days == [END - dt.timedelta(days=1), END]
    assert synced == len(spark_run["after"]["marts.fct_lead_scores"]) > 0


def test_spark_rerun_changes_nothing_and_sends_nothing(pipeline, spark_run):
    assert spark_run["after"] == spark_run["before"]
    assert snapshot(spark_run["workspace"], ("sync", "quality")) == spark_run["operational_before"]
    sandbox = spark_run["sandbox"]
    assert sandbox.write_counts() == spark_run["writes_before"]
    assert sum(spark_run["writes_before"].values()) > 0, "the first Spark runs wrote nothing"
    # The CRM holds the scores Spark computed (snapshot rows keep their columns in name order).
    columns = sorted(c for c in next(iter(pipeline.scores().values())) if c not in RUN_METADATA)
    contact, score = columns.index("contact_id"), columns.index("lead_score")
    scores = {row[contact]: float(row[score]) for row in spark_run["after"]["marts.fct_lead_scores"]}
    held = {
        int(c["id"]): c["properties"]
        for c in CrmClient(sandbox.url, sandbox.token).iter_objects("contacts", ["lead_score"])
    }
    assert {cid: float(held[cid]["lead_score"]) for cid in scores} == scores
