"""Load whole days of landed files, one transaction a day, replacing what an earlier run loaded."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from lead_scoring.ingest.context import FileStats, LoadContext, StagedFile
from lead_scoring.ingest.crm_exports import CRM_ENTITIES, stage_crm_file
from lead_scoring.ingest.errors import TooManyBadRowsError
from lead_scoring.ingest.landing import NOT_RECOGNISED, day_files
from lead_scoring.ingest.mirror import open_mirror
from lead_scoring.ingest.schema import AUDIT_COLUMNS, ensure_crm_table, ensure_raw_schema
from lead_scoring.ingest.web_events import stage_web_events_day
from lead_scoring.progress import report as report_progress
from lead_scoring.warehouse import Warehouse, connect_warehouse

log = logging.getLogger(__name__)

DEFAULT_MAX_BAD_SHARE = 0.05


@dataclass
class LoadReport:
    files: list[FileStats] = field(default_factory=list)  # the files read
    not_loaded: list[FileStats] = field(default_factory=list)  # files no reader recognised

    def total(self, attribute: str, entity: str | None = None) -> int:
        return sum(getattr(f, attribute) for f in self.files if entity in (None, f.entity))


def _replace_day(con, day: date) -> None:
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'raw' and table_type = 'BASE TABLE'"
        ).fetchall()
    ]
    for table in tables:
        con.execute(f"delete from raw.{table} where _load_date = ?", [day])


def _stage_day(con, landing_dir: Path, ctx: LoadContext) -> list[StagedFile]:
    staged: list[StagedFile] = []
    found = day_files(landing_dir, ctx.load_date, [e.name for e in CRM_ENTITIES])
    for entity in CRM_ENTITIES:
        for path in found.crm[entity.name]:
            started = time.perf_counter()
            staged.append(stage_crm_file(con, path, entity, ctx, slot=len(staged)))
            staged[-1].stats.seconds = time.perf_counter() - started
    if found.events:
        started = time.perf_counter()
        events = stage_web_events_day(con, found.events, ctx)
        for item in events:
            item.stats.seconds = (time.perf_counter() - started) / len(events)
        staged.extend(events)
    for path in found.not_recognised:
        log.warning(
            "%s: %s: %s (landed files are crm/date=D/{contacts,companies,deals}.csv[.gz] "
            "and web_events/date=D/*.{jsonl,ndjson,json}[.gz])",
            ctx.load_date,
            path,
            NOT_RECOGNISED,
        )
        staged.append(StagedFile(FileStats(str(path), None, note=NOT_RECOGNISED)))
    return staged


def _write_day(con, ctx: LoadContext, staged: list[StagedFile]) -> None:
    """Replace the day's rows in one transaction, so a failure leaves the day as it was."""
    con.execute("begin transaction")
    try:
        _replace_day(con, ctx.load_date)
        for item in staged:
            for sql, params in item.writes:
                con.execute(sql, params)
        if staged:
            con.executemany(
                f"insert into raw.load_audit ({', '.join(AUDIT_COLUMNS)}) "
                f"values ({', '.join('?' * len(AUDIT_COLUMNS))})",
                [
                    [
                        *ctx.params,
                        s.source_file,
                        s.entity,
                        s.rows_read,
                        s.rows_loaded,
                        s.rows_quarantined,
                        s.rows_duplicate,
                        s.note,
                    ]
                    for s in (i.stats for i in staged)
                ],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        for item in staged:
            for table in item.temp_tables:
                con.execute(f"drop table if exists {table}")


def load_days(
    days: list[date],
    *,
    landing_dir: Path,
    warehouse_path: Path,
    dag_run_id: str,
    max_bad_share: float = DEFAULT_MAX_BAD_SHARE,
    column_mapping: dict[str, dict[str, str]] | None = None,
    mirror: Warehouse | None = None,
) -> LoadReport:
    """Load each day's landed files; re-loading a day first deletes what that day loaded before.

    A day is one transaction, so a failure leaves the day as it was. Bad rows are quarantined and
    the good ones kept; a file whose quarantined share passes `max_bad_share` stops the load after
    its day is committed, so the quarantine can be inspected. With `mirror` (the Postgres or Spark
    warehouse), each committed day's raw rows are then copied there too.
    """
    report = LoadReport()
    con = connect_warehouse(warehouse_path)
    copier = open_mirror(mirror) if mirror else None
    try:
        ensure_raw_schema(con)
        # Every CRM table exists, with the columns its export requires, even if no export ever
        # landed (a B2C CRM has no companies or deals): dbt then reads an empty table.
        for entity in CRM_ENTITIES:
            ensure_crm_table(con, entity.table, list(entity.required))
        all_days = sorted(set(days))
        for number, day in enumerate(all_days, start=1):
            day_started = time.perf_counter()
            ctx = LoadContext(
                load_date=day,
                loaded_at=datetime.now(UTC).replace(tzinfo=None),
                dag_run_id=dag_run_id,
                column_mapping=column_mapping or {},
            )
            staged = _stage_day(con, landing_dir, ctx)
            _write_day(con, ctx, staged)
            if copier is not None:
                copier.copy_day(con, day)
            day_stats = [item.stats for item in staged if item.stats.note != NOT_RECOGNISED]
            report.files.extend(day_stats)
            report.not_loaded.extend(i.stats for i in staged if i.stats.note == NOT_RECOGNISED)
            for s in day_stats:
                log.info(
                    "%s %-10s %s: %d read, %d loaded, %d quarantined, %d duplicate (%.1f s)",
                    day,
                    s.entity,
                    Path(s.source_file).name,
                    s.rows_read,
                    s.rows_loaded,
                    s.rows_quarantined,
                    s.rows_duplicate,
                    s.seconds,
                )
            quarantined = sum(s.rows_quarantined for s in day_stats)
            report_progress(
                log,
                "ingest [%d/%d] %s: %d file(s), %s rows loaded, %s quarantined (%.1fs)",
                number,
                len(all_days),
                day,
                len(day_stats),
                f"{sum(s.rows_loaded for s in day_stats):,}",
                f"{quarantined:,}",
                time.perf_counter() - day_started,
                source="ingest",
                index=number,
                total=len(all_days),
                day=day.isoformat(),
                quarantined=quarantined,
            )
            for s in day_stats:
                if s.unreadable:
                    log.warning(
                        "%s: %s; the rest of the file is in raw.load_quarantine", s.source_file, s.note
                    )
            if not staged:
                log.warning("%s: nothing landed under %s", day, landing_dir)
            for s in day_stats:
                if s.bad_share > max_bad_share:
                    for sample in s.sample_errors:
                        log.error("quarantined: %s", sample)
                    raise TooManyBadRowsError(
                        s.source_file,
                        s.rows_quarantined,
                        s.rows_read,
                        max_bad_share,
                        s.sample_errors,
                    )
    finally:
        con.close()
        if copier is not None:
            copier.close()
    return report
