"""The DAG's steps as plain functions: testable without Airflow, called by thin tasks."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from lead_scoring import paths, progress

log = logging.getLogger(__name__)


def days_to_load(logical_day: date, load_from: str | None) -> list[date]:
    """The logical date alone, or every day from `load_from` (a first load of history) to it."""
    first = date.fromisoformat(load_from) if load_from else logical_day
    if first > logical_day:
        raise ValueError(f"load_from {first} is after the logical date {logical_day}")
    return [first + timedelta(days=i) for i in range((logical_day - first).days + 1)]


def ingest(logical_day: date, dag_run_id: str, load_from: str | None = None) -> dict:
    from lead_scoring.ingest import load_days
    from lead_scoring.ingest.mapping import load_column_mapping
    from lead_scoring.ingest.mirror import configured_mirror

    report = load_days(
        days_to_load(logical_day, load_from),
        landing_dir=paths.landing_dir(),
        warehouse_path=paths.warehouse_path(),
        dag_run_id=dag_run_id,
        column_mapping=load_column_mapping(),
        mirror=configured_mirror(),
    )
    totals = {
        "files": len(report.files),
        "rows_loaded": report.total("rows_loaded"),
        "rows_quarantined": report.total("rows_quarantined"),
        "rows_duplicate": report.total("rows_duplicate"),
        "files_not_recognised": len(report.not_loaded),
    }
    progress.report(
        log,
        "Loaded %(rows_loaded)d rows from %(files)d files: %(rows_quarantined)d quarantined, "
        "%(rows_duplicate)d duplicate, %(files_not_recognised)d file(s) not recognised",
        totals,
        source="ingest",
    )
    return totals


def _query(warehouse, sql: str) -> list[tuple]:
    """Rows of one read-only query; the warehouse is closed at once (one DuckDB writer at a time)."""
    from lead_scoring.warehouse import Warehouse

    with Warehouse.of(warehouse).opened(read_only=True) as con:
        return con.execute(sql).fetchall()


def tier_summary(warehouse=None) -> list[tuple]:
    """(tier, contacts, share, average lead score) from fct_lead_scores, hottest first."""
    return _query(
        warehouse,
        """
        select tier, count(*) as contacts,
               round(100.0 * count(*) / sum(count(*)) over (), 1) as share_pct,
               round(avg(lead_score), 1) as avg_lead_score
        from marts.fct_lead_scores
        group by tier
        order by case tier when 'hot' then 1 when 'warm' then 2 when 'cold' then 3 else 4 end
        """,
    )


def junk_summary(warehouse=None) -> list[tuple]:
    """(junk reason, contacts) over fct_lead_scores, most frequent first."""
    return _query(
        warehouse,
        """
        select trim(reason) as reason, count(*) as contacts
        from marts.fct_lead_scores, unnest(string_to_array(junk_reasons, ',')) as r(reason)
        where is_junk
        group by 1
        order by 2 desc, 1
        """,
    )


def format_junk_summary(rows: list[tuple]) -> str:
    if not rows:
        return "no junk leads"
    return "\n".join([f"{'reason':<24}{'contacts':>10}", *(f"{r:<24}{n:>10,}" for r, n in rows)])


def format_tier_summary(rows: list[tuple]) -> str:
    lines = [f"{'tier':<14}{'contacts':>10}{'share':>9}{'avg score':>11}"]
    lines += [f"{t:<14}{n:>10,}{s:>8}%{a:>11}" for t, n, s, a in rows]
    return "\n".join(lines)


def publish(score_date: str) -> dict:
    """Log the tier summary of the day's scores; the DAG marks the score tables' asset updated."""
    rows = tier_summary()
    log.info("Lead scores for %s\n%s", score_date, format_tier_summary(rows))
    return {tier: contacts for tier, contacts, _, _ in rows}


def extract_from_crm(logical_day: date) -> dict:
    """Pull CRM records changed since the stored watermark into the day's landing folder."""
    from lead_scoring.crm.extract import extract_crm
    from lead_scoring.crm.hook import CrmHook

    result = extract_crm(CrmHook().get_conn(), None, paths.landing_dir(), run_date=logical_day)
    log.info("CRM extract: %s", result.summary())
    return {"rows": result.rows, "stopped_reason": result.stopped_reason}


HISTORY = "marts.fct_lead_score_history"


def _history_exists(con) -> bool:
    from lead_scoring.sync.warehouse import table_exists

    return table_exists(con, "marts", "fct_lead_score_history")


def history_versions(score_date: str, warehouse=None) -> dict[str, int]:
    """{model_version: rows} of `score_date` in the score history; {} before the first build."""
    from lead_scoring.warehouse import Warehouse

    with Warehouse.of(warehouse).opened(read_only=True) as con:
        if not _history_exists(con):
            return {}
        rows = con.execute(
            f"select model_version, count(*) from {HISTORY} where score_date = cast(? as date) group by 1",
            [score_date],
        ).fetchall()
    return {str(version): int(n) for version, n in rows}


def source_freshness(score_date: str) -> list[dict]:
    """`dbt source freshness` as of the end of `score_date` (not the wall clock, so backfills and
    past dates judge what they would have seen that day); the quality gate judges the result."""
    from lead_scoring.quality.freshness import check_source_freshness

    return [result.as_dict() for result in check_source_freshness(score_date)]


def quality_gate(score_date: str, dag_run_id: str, freshness: list[dict] | None = None) -> dict:
    """The gate on the day's raw load, the marts and the source freshness; raises
    `QualityGateFailed` on a critical failure. Returns the warnings, named, and the Data Docs URL."""
    from lead_scoring.quality import run_quality_gate

    result = run_quality_gate(None, score_date, dag_run_id, stage="all", source_freshness=freshness)
    result.raise_if_failed()
    return {"warnings": [f.describe() for f in result.warnings], "data_docs": result.data_docs_url}


def dbt_build(score_date: str) -> dict:
    """`dbt build` for `score_date`, saying so when it replaces that date's history rows of an
    older `model_version` (re-scoring a past date with new rules): the history keeps one row per
    contact and score date, the newest scoring of that date (docs/scoring.md)."""
    from lead_scoring.transform import dbt_build as build

    before = history_versions(score_date)
    build(score_date)
    after = history_versions(score_date)
    replaced = {v: n for v, n in before.items() if v not in after}
    if replaced:
        log.warning(
            "Re-scoring %s with model_version %s replaced that date's history rows of model_version "
            "%s (the history keeps one row per contact and score date: the newest scoring)",
            score_date,
            ", ".join(sorted(after)) or "-",
            ", ".join(f"{v} ({n} rows)" for v, n in sorted(replaced.items())),
        )
    return {"model_versions": after, "replaced_model_versions": replaced}


def newest_score_date(warehouse=None) -> date | None:
    """The newest score date in the score history, None before the first build."""
    from lead_scoring.warehouse import Warehouse

    with Warehouse.of(warehouse).opened(read_only=True) as con:
        if not _history_exists(con):
            return None
        (newest,) = con.execute(f"select max(score_date) from {HISTORY}").fetchone()
    if newest is None:
        return None
    return newest if isinstance(newest, date) else date.fromisoformat(str(newest)[:10])


def sync_skip_reason(
    score_date: str,
    *,
    run_type: str | None = None,
    interval_start=None,
    interval_end=None,
    now=None,
    warehouse=None,
) -> str | None:
    """Why this run must not write to the CRM, or None when it is the latest and may.

    Only the newest scores go to the CRM: a backfill or a re-run of a past date rebuilds the
    history and never writes old scores back. Two checks:
    - Airflow's LatestOnly semantics for scheduled and backfill runs: a run whose next schedule
      interval has already ended is a catchup or backfill run;
    - for every run, manual ones included: its score date is older than the newest score date in
      `marts.fct_lead_score_history`.
    """
    from datetime import UTC, datetime

    if run_type in ("scheduled", "backfill") and interval_start and interval_end:
        length = interval_end - interval_start
        now = now or datetime.now(tz=UTC)
        if length > timedelta(0) and interval_end + length <= now:
            return (
                f"the {run_type} run of {score_date} is not the latest schedule interval (a "
                "later one has ended): only the latest run writes scores to the CRM"
            )
    newest = newest_score_date(warehouse)
    day = date.fromisoformat(score_date)
    if newest is not None and day < newest:
        return (
            f"score date {day} is older than the newest scored date {newest} in {HISTORY}: a "
            "backfill or re-run of a past date never writes old scores to the CRM"
        )
    return None


def sync_to_crm(*, dry_run: bool, force: bool, max_share: float, dag_run_id: str | None = None) -> dict:
    """Write changed scores to the CRM. Row failures and a daily cap leave work for the next run."""
    from lead_scoring.crm.hook import CrmHook
    from lead_scoring.sync import run_sync

    result = run_sync(
        None, CrmHook().get_conn(), dry_run=dry_run, force=force, max_share=max_share, dag_run_id=dag_run_id
    )
    log.info("CRM sync %s", result.summary())
    if result.failed:
        log.warning(
            "%d contacts failed; they are kept in sync.crm_sync_errors and resent next run", result.failed
        )
    return {k: v for k, v in result.as_dict().items() if k not in ("changes", "errors")}
