"""The expectation suites of the quality gate, written as typed GX classes.

This module is the source of the JSON under `expectations/`: after changing it, run
`lead-scoring quality --write-project` and commit both (a test fails when they disagree).

Each suite validates one DataFrame, read from the warehouse with `Suite.sql` (`$score_date` is bound
to the run's score date); its GX dataframe asset, validation definition and checkpoint share its
name. `stage` says which gate runs it (`gate.STAGE_SUITES`):
  raw      after ingestion (the day's load only),
  staging  after dbt (run by the `marts` gate too),
  marts    after dbt, before the CRM sync (the marts, and the run-over-run metrics).

Severity is GX's own `severity` field of an expectation: `critical` (the default) stops the run,
`warning` is logged and shown in Data Docs, the run goes on.

Importing this module imports Great Expectations (about 6 s): import it inside a task.
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations.expectations as gxe

WARNING = "warning"

TIERS = ["hot", "warm", "cold", "disqualified"]
LIFECYCLE_STAGES = ["lead", "mql", "sql"]
EVENT_TYPES = ["page", "track", "identify"]
RAW_EVENT_COLUMNS = (
    "message_id type event anonymous_id user_id event_timestamp page_path page_url email properties"
).split()
LOAD_METADATA = ["_load_date", "_loaded_at", "_source_file", "_source_line", "_dag_run_id"]
LEAD_SCORE_COLUMNS = (
    "contact_id email fit_score engagement_score lead_score grade tier lifecycle_stage is_junk"
    " junk_reasons score_reasons scored_at model_version"
).split()


@dataclass(frozen=True)
class Suite:
    name: str
    stage: str
    sql: str  # the DataFrame to validate; `$score_date` is the run's score date
    expectations: list[gxe.Expectation]


def _columns_exist(columns: list[str]) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnToExist(column=c) for c in columns]


def _key(column: str) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=column), gxe.ExpectColumnValuesToBeUnique(column=column)]


def _score(column: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=100)


def _param(name: str) -> dict:
    """A value the gate supplies at run time (GX `$PARAMETER`), see `metrics.bounds()`."""
    return {"$PARAMETER": name}


SUITES = [
    Suite(
        name="raw_contacts",
        stage="raw",
        sql="select * from raw.crm_contacts where _load_date = $score_date",
        expectations=[
            *_columns_exist(["hs_object_id", "email", "createdate", "lastmodifieddate", *LOAD_METADATA]),
            gxe.ExpectColumnValuesToNotBeNull(column="hs_object_id"),
            gxe.ExpectColumnValuesToMatchRegex(column="hs_object_id", regex=r"^[0-9]+$"),
            gxe.ExpectColumnValuesToNotBeNull(column="lastmodifieddate", severity=WARNING),
            gxe.ExpectColumnValuesToNotBeNull(column="email", mostly=0.95, severity=WARNING),
        ],
    ),
    Suite(
        name="raw_web_events",
        stage="raw",
        sql="select * from raw.web_events where _load_date = $score_date",
        expectations=[
            *_columns_exist([*RAW_EVENT_COLUMNS, *LOAD_METADATA]),
            *_key("message_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="event_timestamp"),
            gxe.ExpectColumnValuesToNotBeNull(column="type"),
            gxe.ExpectColumnValuesToBeInSet(column="type", value_set=EVENT_TYPES, severity=WARNING),
        ],
    ),
    Suite(
        name="staging_contacts",
        stage="staging",
        sql="select contact_id, email from staging.stg_crm__contacts",
        expectations=_key("contact_id"),
    ),
    Suite(
        name="staging_web_events",
        stage="staging",
        # The day's events only: the whole table is the warehouse's job (dbt's unique test).
        sql="select message_id, event_timestamp from staging.stg_web__events where event_date = $score_date",
        expectations=[*_key("message_id"), gxe.ExpectColumnValuesToNotBeNull(column="event_timestamp")],
    ),
    Suite(
        name="marts_lead_scores",
        stage="marts",
        sql="select * from marts.fct_lead_scores",
        expectations=[
            gxe.ExpectTableColumnsToMatchSet(column_set=LEAD_SCORE_COLUMNS, exact_match=False),
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            *_key("contact_id"),
            *[_score(c) for c in ["fit_score", "engagement_score", "lead_score"]],
            gxe.ExpectColumnValuesToNotBeNull(column="lead_score"),
            gxe.ExpectColumnValuesToNotBeNull(column="tier"),
            gxe.ExpectColumnValuesToBeInSet(column="tier", value_set=TIERS),
            gxe.ExpectColumnValuesToBeInSet(column="lifecycle_stage", value_set=LIFECYCLE_STAGES),
            gxe.ExpectColumnValuesToMatchRegex(column="grade", regex=r"^[A-D][1-4]$"),
            gxe.ExpectColumnValuesToNotBeNull(column="model_version"),
            gxe.ExpectColumnValuesToNotBeNull(column="is_junk"),
            gxe.ExpectColumnValuesToNotBeNull(column="email", mostly=0.99, severity=WARNING),
            gxe.ExpectColumnValuesToNotBeNull(column="score_reasons", severity=WARNING),
        ],
    ),
    Suite(
        name="marts_dim_leads",
        stage="marts",
        sql="select contact_id from marts.dim_leads",
        expectations=_key("contact_id"),
    ),
    Suite(
        name="marts_lead_score_history",
        stage="marts",
        sql="select contact_id, score_date from marts.fct_lead_score_history where score_date = $score_date",
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="contact_id"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["contact_id", "score_date"]),
        ],
    ),
    # One row of figures computed by `metrics.py`; the bounds come from the previous passing run
    # and from the absolute limits of expectations/run_metrics_limits.yml.
    Suite(
        name="run_metrics",
        stage="marts",
        sql="",  # computed by lead_scoring.quality.metrics, not read from a table
        expectations=[
            gxe.ExpectColumnValuesToBeBetween(
                column="lead_count", min_value=_param("lead_count_min"), max_value=_param("lead_count_max")
            ),
            gxe.ExpectColumnValuesToBeBetween(column="junk_pct", max_value=_param("junk_pct_max")),
            gxe.ExpectColumnValuesToBeBetween(
                column="hot_pct",
                min_value=_param("hot_pct_min"),
                max_value=_param("hot_pct_max"),
                severity=WARNING,
            ),
            # Absolute limits: hold on a first run too, when there is nothing to compare with.
            gxe.ExpectColumnValuesToBeBetween(column="junk_pct", max_value=_param("junk_pct_abs_max")),
            gxe.ExpectColumnValuesToBeBetween(
                column="disqualified_pct", max_value=_param("disqualified_pct_abs_max")
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="hot_pct",
                min_value=_param("hot_pct_abs_min"),
                max_value=_param("hot_pct_abs_max"),
                strict_min=True,
                severity=WARNING,
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="days_since_last_event"),
            gxe.ExpectColumnValuesToBeBetween(
                column="days_since_last_event", min_value=0, max_value=_param("max_event_age_days")
            ),
        ],
    ),
]
