"""Run-over-run figures of the marts gate, kept in the warehouse table `quality.run_metrics`.

Each run computes a few figures with SQL that DuckDB and PostgreSQL both run; GX validates them
as a one-row DataFrame (suite `run_metrics`) against bounds derived from the previous *passing* run
and from the limits in `expectations/run_metrics_limits.yml`. Only a passing run is recorded, so a
bad run never becomes the baseline; re-running a score date replaces its rows. No GX import here.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from lead_scoring.paths import EXPECTATIONS_DIR
from lead_scoring.warehouse import Warehouse

log = logging.getLogger(__name__)

LIMITS_FILE = "run_metrics_limits.yml"

# The table each figure is computed from, named when a check on it fails.
SOURCE_TABLES = {
    "lead_count": "marts.fct_lead_scores",
    "junk_pct": "marts.fct_lead_scores",
    "hot_pct": "marts.fct_lead_scores",
    "disqualified_pct": "marts.fct_lead_scores",
    "days_since_last_event": "staging.stg_web__events",
}

LEADS_SQL = """
select
    count(*) as lead_count,
    round(100.0 * avg(case when is_junk then 1 else 0 end), 3) as junk_pct,
    round(100.0 * avg(case when tier = 'hot' then 1 else 0 end), 3) as hot_pct,
    round(100.0 * avg(case when tier = 'disqualified' then 1 else 0 end), 3) as disqualified_pct
from marts.fct_lead_scores
"""

# The newest event up to the score date (events after it are ignored, so re-running an old date
# measures what that run saw); the days between the two are counted in Python, as date arithmetic
# differs between DuckDB, Postgres and Spark. NULL when there is no event at all.
FRESHNESS_SQL = """
select max(event_timestamp) as last_event
from staging.stg_web__events
where event_timestamp < cast($score_date as date) + 1
"""

TABLE_DDL = """
create table if not exists quality.run_metrics (
    run_id varchar not null,
    score_date date not null,
    metric varchar not null,
    value double precision,
    recorded_at timestamp not null
)
"""


@dataclass(frozen=True)
class Limits:
    """How far a run may move from the previous passing run, and absolute limits that hold on
    every run, the first one included (percent figures are 0-100)."""

    lead_count_min_ratio: float = 0.8  # critical: fewer than 80% of the previous leads
    lead_count_max_ratio: float = 3.0  # critical: more than 3x the previous leads
    junk_pct_max_ratio: float = 2.0  # critical when the junk share is above 2x the previous ...
    junk_pct_max_rise: float = 5.0  # ... and more than 5 points above it (form spam)
    hot_pct_max_shift: float = 10.0  # warning: hot share moved more than 10 points
    max_event_age_days: int = 2  # critical: newest event older than 2 days before the score date
    # Absolute limits, checked on every run, the first one included:
    junk_pct_abs_max: float = 50.0  # critical: more than half of the leads are junk
    disqualified_pct_abs_max: float = 50.0  # critical: more than half are disqualified
    hot_pct_abs_min: float = 0.0  # warning: hot share at or below this (0: no hot lead at all)
    hot_pct_abs_max: float = 50.0  # warning: more than half of the leads are hot

    @classmethod
    def load(cls, path: Path | None = None) -> Limits:
        path = path or EXPECTATIONS_DIR / LIMITS_FILE
        values = yaml.safe_load(path.read_text()) if path.exists() else None
        known = {f.name for f in fields(cls)}
        unknown = set(values or {}) - known
        if unknown:
            raise ValueError(f"{path}: unknown limits {sorted(unknown)}; known: {sorted(known)}")
        return cls(**(values or {}))


def compute(con, score_date: dt.date) -> dict[str, float | None]:
    """The figures of this run (one value per metric name)."""
    row = con.execute(LEADS_SQL).fetchone()
    (last_event,) = con.execute(FRESHNESS_SQL, {"score_date": score_date}).fetchone()
    days = None
    if last_event is not None:
        last = last_event if isinstance(last_event, dt.date) else dt.date.fromisoformat(str(last_event)[:10])
        days = (score_date - (last.date() if isinstance(last, dt.datetime) else last)).days
    return {
        "lead_count": row[0],
        "junk_pct": row[1],
        "hot_pct": row[2],
        "disqualified_pct": row[3],
        "days_since_last_event": days,
    }


def previous(con, score_date: dt.date) -> tuple[dt.date, dict] | None:
    """The figures of the latest recorded (so passing) run before `score_date`, if any.

    `con` is the warehouse's operational store (`Warehouse.operational()`), where `record` writes.
    """
    exists = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'quality' and table_name = 'run_metrics'"
    ).fetchone()[0]
    if not exists:
        return None
    rows = con.execute(
        """
        select score_date, metric, value from quality.run_metrics
        where score_date = (select max(score_date) from quality.run_metrics where score_date < ?)
        """,
        [score_date],
    ).fetchall()
    if not rows:
        return None
    return rows[0][0], {metric: value for _, metric, value in rows}


def bounds(prev: dict | None, limits: Limits) -> dict[str, float | None]:
    """The `$PARAMETER` values of the `run_metrics` suite; without a previous run, no comparison,
    but the absolute limits still apply."""
    prev = prev or {}
    count, junk, hot = prev.get("lead_count"), prev.get("junk_pct"), prev.get("hot_pct")
    return {
        "lead_count_min": count * limits.lead_count_min_ratio if count is not None else 0,
        "lead_count_max": count * limits.lead_count_max_ratio if count is not None else None,
        "junk_pct_max": (
            min(100.0, max(junk * limits.junk_pct_max_ratio, junk + limits.junk_pct_max_rise))
            if junk is not None
            else 100.0
        ),
        "hot_pct_min": max(0.0, hot - limits.hot_pct_max_shift) if hot is not None else 0.0,
        "hot_pct_max": min(100.0, hot + limits.hot_pct_max_shift) if hot is not None else 100.0,
        "max_event_age_days": limits.max_event_age_days,
        "junk_pct_abs_max": limits.junk_pct_abs_max,
        "disqualified_pct_abs_max": limits.disqualified_pct_abs_max,
        "hot_pct_abs_min": limits.hot_pct_abs_min,
        "hot_pct_abs_max": limits.hot_pct_abs_max,
    }


def record(target: Warehouse, run_id: str, score_date: dt.date, metrics: dict) -> None:
    """Replace the recorded figures of `score_date` with this run's (one writer: the gate task).

    They go to the operational store: on Spark, the DuckDB workspace (Parquet takes no delete).
    """
    recorded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [(run_id, score_date, name, value, recorded_at) for name, value in metrics.items()]
    with target.operational().opened() as con:
        con.execute("create schema if not exists quality")
        con.execute(TABLE_DDL)
        con.execute("begin")
        con.execute("delete from quality.run_metrics where score_date = ?", [score_date])
        con.executemany("insert into quality.run_metrics values (?, ?, ?, ?, ?)", rows)
        con.execute("commit")
    log.info("recorded %d run metrics of %s (run %s)", len(rows), score_date, run_id)
