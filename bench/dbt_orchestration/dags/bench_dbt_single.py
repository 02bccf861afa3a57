"""Benchmark DAG: the whole dbt project as ONE task, exactly as `lead_scoring_daily.dbt_build` does.

Run by `bench/dbt_orchestration/run.py` with `airflow dags test bench_dbt_single <date>`.
`lead_scoring.transform.dbt_build(ds)` runs `dbt build` in-process (dbtRunner): seeds, models,
data tests and unit tests, score date = the logical date.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

WAREHOUSE_POOL = "warehouse_writer"


@dag(
    dag_id="bench_dbt_single",
    schedule=None,
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    tags=["bench", "dbt"],
    default_args={"owner": "analytics-engineering", "retries": 0},
)
def bench_dbt_single():
    @task(pool=WAREHOUSE_POOL)
    def dbt_build(ds=None) -> None:
        from lead_scoring.transform import dbt_build as build

        build(ds)

    dbt_build()


bench_dbt_single()
