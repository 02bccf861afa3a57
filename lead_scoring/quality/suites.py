"""The expectation suites of the quality gate, written as typed GX classes.

This module is the source of the JSON under `expectations/`: after changing it, run
`lead-scoring quality --write-project` and commit both (a test fails when they disagree).

Each suite validates one DataFrame, read from the warehouse with `Suite.sql` (`$score_date` is bound
to the run's score date); its GX dataframe asset, validation definition and checkpoint share its
name. `stage` says which gate runs it (`gate.STAGE_SUITES`):
  raw      after ingestion (the day's load only),
  marts    after dbt, before the CRM sync (the marts, and the run-over-run metrics).

One owner per check (docs/quality.md): dbt tests own the row-level checks of the models (keys, not
nulls, value sets, ranges) and the model contracts their columns and types; these suites own the
raw load of the day, volumes, shares, drift between runs and the freshness of events.

Severity is GX's own `severity` field of an expectation: `critical` (the default) stops the run,
`warning` is logged and shown in Data Docs, the run goes on.

Importing this module imports Great Expectations (about 6 s): import it inside a task.
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations.expectations as gxe

WARNING = "warning"

EVENT_TYPES = ["page", "track", "identify"]
RAW_EVENT_COLUMNS = (
    "message_id type event anonymous_id user_id event_timestamp page_path page_url email properties"
).split()
LOAD_METADATA = ["_load_date", "_loaded_at", "_source_file", "_source_line", "_dag_run_id"]


@dataclass(frozen=True)
class Suite:
    name: str
    stage: str
    sql: str  # the DataFrame to validate; `$score_date` is the run's score date
    expectations: list[gxe.Expectation]
    table: str = ""  # the warehouse table(s) it reads, named in the gate's findings


def _columns_exist(columns: list[str]) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnToExist(column=c) for c in columns]


def _key(column: str) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=column), gxe.ExpectColumnValuesToBeUnique(column=column)]


def _param(name: str) -> dict:
    """A value the gate supplies at run time (GX `$PARAMETER`), see `metrics.bounds()`."""
    return {"$PARAMETER": name}


SUITES = [
    Suite(
        name="raw_contacts",
        table="raw.crm_contacts",
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
        table="raw.web_events",
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
    # The marts' row-level checks (keys, not nulls, value sets, ranges, the grade's shape) and their
    # columns and types are dbt's (tests and the model contract, in the same `dbt build`): here only
    # what dbt does not check, the volume and the soft shares that warn.
    Suite(
        name="marts_lead_scores",
        table="marts.fct_lead_scores",
        stage="marts",
        sql="select contact_id, email, score_reasons from marts.fct_lead_scores",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectColumnValuesToNotBeNull(column="email", mostly=0.99, severity=WARNING),
            gxe.ExpectColumnValuesToNotBeNull(column="score_reasons", severity=WARNING),
        ],
    ),
    # One row of figures computed by `metrics.py`; the bounds come from the previous passing run
    # and from the absolute limits of expectations/run_metrics_limits.yml.
    Suite(
        name="run_metrics",
        table="marts.fct_lead_scores, staging.stg_web__events",
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
