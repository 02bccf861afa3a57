"""
### Daily lead scoring

Scores every CRM contact once a day, in the warehouse:

1. **extract_from_crm** (when `LEAD_SCORING_CRM_SOURCE=api`): pulls the CRM records changed
   since the stored watermark through the CRM API into the day's landing folder.
   **ingest**: loads the day's landed CRM exports and web events into `raw.*`
   (bad rows go to `raw.load_quarantine`; re-running a day replaces that day's load).
2. **source_freshness**: `dbt source freshness` as of the logical date: when each source was last
   loaded (thresholds in the sources YAML); the quality gate judges the result.
   **dbt_build**: builds and tests the dbt project (staging, intermediate, marts) as of the
   logical date: fit and engagement points, decay, grade, tier, lifecycle stage.
3. **quality_gate**: Great Expectations validates the day's raw load and the marts and compares
   the run with the last passing one; a stale source warns or fails per its thresholds; a critical
   failure stops the run here, so bad data never reaches the CRM. Data Docs:
   `.state/data_docs/index.html`.
4. **publish**: logs the tier summary and marks the score tables updated (an Asset).
5. **sync_to_crm**: writes the scores that changed since the last confirmed sync to the CRM
   (connection `crm_default`), in batches of 100, keeping failed rows for the next run. Only the
   latest run writes: a catchup or backfill run that is not the latest schedule interval, or any
   run whose score date is older than the newest one in `marts.fct_lead_score_history`, skips
   this task with a log line saying why (a backfill rebuilds history, never the CRM's scores).

Params: `load_from` ("YYYY-MM-DD") loads every landed day from that date up to the logical date
in one run (a first load of history); `sync_dry_run` reports what the sync would change without
writing; `sync_force` lifts the overwrite guard (`sync_max_share` of all contacts) for one run.
Every task opens the DuckDB warehouse, which takes one process at a time, so all share the
one-slot pool `warehouse_writer`.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import Asset, Param, dag, task

WAREHOUSE_POOL = "warehouse_writer"
LEAD_SCORES = Asset("lead_scoring://warehouse/marts/fct_lead_scores")
START_DATE = datetime.fromisoformat(os.environ.get("LEAD_SCORING_START_DATE", "2026-11-01"))
CRM_SOURCE = os.environ.get("LEAD_SCORING_CRM_SOURCE", "exports")  # or "api"


@dag(
    dag_id="lead_scoring_daily",
    schedule="@daily",
    start_date=START_DATE,
    catchup=True,
    max_active_runs=1,
    tags=["lead-scoring", "dbt", "crm"],
    doc_md=__doc__,
    default_args={
        "owner": "analytics-engineering",
        # Scheduled runs retry; `lead-scoring demo` and the tests set 0 to fail fast.
        "retries": int(os.environ.get("LEAD_SCORING_TASK_RETRIES", "2")),
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
    },
    params={
        "load_from": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Load every landed day from this date up to the logical date.",
        ),
        "sync_dry_run": Param(False, type="boolean", description="Report, do not write."),
        "sync_force": Param(False, type="boolean", description="Lift the overwrite guard."),
        "sync_max_share": Param(
            0.5,
            type="number",
            minimum=0,
            maximum=1,
            description="Largest share of contacts one run may overwrite.",
        ),
    },
)
def lead_scoring_daily():
    @task(pool=WAREHOUSE_POOL)
    def extract_from_crm(logical_date=None) -> dict | None:
        if CRM_SOURCE != "api":
            print(f"CRM records come from exports (LEAD_SCORING_CRM_SOURCE={CRM_SOURCE})")
            return None
        from lead_scoring.orchestration import steps

        return steps.extract_from_crm(logical_date.date())

    @task(pool=WAREHOUSE_POOL)
    def ingest(logical_date=None, run_id=None, params=None) -> dict:
        from lead_scoring.orchestration import steps

        return steps.ingest(logical_date.date(), run_id, params.get("load_from"))

    @task(pool=WAREHOUSE_POOL)
    def source_freshness(ds=None) -> list[dict]:
        from lead_scoring.orchestration import steps

        return steps.source_freshness(ds)

    @task(pool=WAREHOUSE_POOL)
    def dbt_build(ds=None) -> dict:
        from lead_scoring.orchestration import steps

        return steps.dbt_build(ds)

    @task(pool=WAREHOUSE_POOL)
    def quality_gate(freshness: list[dict] | None = None, ds=None, run_id=None) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from lead_scoring.orchestration import steps
        from lead_scoring.quality import QualityGateFailed

        try:
            return steps.quality_gate(ds, run_id, freshness)
        except QualityGateFailed as exc:  # bad data: a retry would not help
            raise AirflowFailException(str(exc)) from exc

    @task(pool=WAREHOUSE_POOL, outlets=[LEAD_SCORES])
    def publish(ds=None) -> dict:
        from lead_scoring.orchestration import steps

        return steps.publish(ds)

    @task(pool=WAREHOUSE_POOL)
    def sync_to_crm(
        ds=None, run_id=None, dag_run=None, data_interval_start=None, data_interval_end=None, params=None
    ) -> dict:
        from airflow.sdk.exceptions import AirflowSkipException

        from lead_scoring.orchestration import steps

        run_type = getattr(dag_run, "run_type", None)
        reason = steps.sync_skip_reason(
            ds,
            run_type=str(getattr(run_type, "value", run_type)) if run_type else None,
            interval_start=data_interval_start,
            interval_end=data_interval_end,
        )
        if reason:  # only the latest run writes to the CRM: the task shows as skipped
            from lead_scoring.progress import report

            report(steps.log, "CRM sync skipped: %s", reason, source="sync")
            raise AirflowSkipException(reason)
        return steps.sync_to_crm(
            dry_run=params["sync_dry_run"],
            force=params["sync_force"],
            max_share=params["sync_max_share"],
            dag_run_id=run_id,
        )

    freshness = source_freshness()
    (
        extract_from_crm()
        >> ingest()
        >> freshness
        >> dbt_build()
        >> quality_gate(freshness)
        >> publish()
        >> sync_to_crm()
    )


lead_scoring_daily()
