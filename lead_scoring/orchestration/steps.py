"""The DAG's steps as plain functions: testable without Airflow, called by thin tasks."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from lead_scoring import paths

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
    }
    log.info(
        "Loaded %(rows_loaded)d rows from %(files)d files: %(rows_quarantined)d quarantined, "
        "%(rows_duplicate)d duplicate",
        totals,
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
    from crm_hook import CrmHook  # from plugins/, on Airflow's path

    from lead_scoring.crm.extract import extract_crm

    result = extract_crm(CrmHook().get_conn(), None, paths.landing_dir(), run_date=logical_day)
    log.info("CRM extract: %s", result.summary())
    return {"rows": result.rows, "stopped_reason": result.stopped_reason}


def sync_to_crm(*, dry_run: bool, force: bool, max_share: float) -> dict:
    """Write changed scores to the CRM. Row failures and a daily cap leave work for the next run."""
    from crm_hook import CrmHook

    from lead_scoring.sync import run_sync

    result = run_sync(None, CrmHook().get_conn(), dry_run=dry_run,
                      force=force, max_share=max_share)
    log.info("CRM sync %s", result.summary())
    if result.failed:
        log.warning("%d contacts failed; they are kept in sync.crm_sync_errors and resent "
                    "next run", result.failed)
    return {k: v for k, v in result.as_dict().items() if k not in ("changes", "errors")}
