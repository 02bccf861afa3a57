"""Reverse sync: write changed lead scores from `marts.fct_lead_scores` to CRM contacts.

Guarantees (see docs/crm.md):

- Only changed rows are sent: a row is sent when the hash of its payload differs from the hash
  recorded in `sync.crm_sync_state` for the last write the CRM confirmed.
- The state moves only for confirmed writes (ids the CRM returned in `results`). Per-row failures
  (207 answers) go to `sync.crm_sync_errors`; since their state did not move they are sent again
  by the next run.
- A contact the CRM answers OBJECT_NOT_FOUND for (archived or deleted in the CRM) is recorded
  in `sync.crm_sync_gone` and no longer sent; deleting its row there sends it again.
- A DAILY 429 stops the run cleanly (`stopped_reason="daily_limit"`); what was confirmed is kept
  and the next run sends the rest.
- Every run, dry runs included, leaves a row in `sync.crm_sync_runs` (with the Airflow run id
  when the DAG runs it). A run killed mid-way cannot finish its row: the next run marks it
  `aborted` with the counts the state and errors tables still tell.
- The confirmed state is flushed after every batch, so a run killed mid-way sends at most the
  batch it was waiting on again.
- Guard: a run that would overwrite more than `max_share` of the scored contacts is refused with
  `SyncGuardError` unless `force=True`. Only contacts that already hold a confirmed write from an
  earlier run count as overwrites, so the first sync, and the rest of a first sync cut short by
  the daily cap, are never refused.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lead_scoring.crm.client import (
    MAX_BATCH,
    CrmAuthError,
    CrmClient,
    CrmError,
    DailyLimitReached,
)
from lead_scoring.progress import Progress, report
from lead_scoring.sync import warehouse
from lead_scoring.sync.payload import (
    PROPERTIES,
    PROPERTY_GROUP,
    SCORE_COLUMNS,
    build_payload,
    payload_hash,
)
from lead_scoring.warehouse import Warehouse

log = logging.getLogger(__name__)

SCORES_SCHEMA, SCORES_TABLE = "marts", "fct_lead_scores"
DEFAULT_MAX_SHARE = 0.5
GONE_CATEGORY = "OBJECT_NOT_FOUND"  # per-row: the contact was archived or deleted in the CRM
RUN_COLUMNS = [
    "run_id",
    "started_at",
    "finished_at",
    "duration_s",
    "planned",
    "sent",
    "succeeded",
    "failed",
    "skipped",
    "dry_run",
    "stopped_reason",
    "requests",
    "rate_limited",
    "retries",
    "dag_run_id",
]


class SyncError(Exception):
    """The sync could not run (for example the scores table is missing)."""


class SyncGuardError(SyncError):
    """The run would overwrite more contacts than the guard allows; re-run with force."""

    def __init__(self, message: str, result: SyncResult):
        super().__init__(message)
        self.result = result


@dataclass
class SyncResult:
    run_id: str
    started_at: datetime
    dag_run_id: str | None = None  # the Airflow run that ran this sync, if any
    finished_at: datetime | None = None
    duration_s: float = 0.0
    total: int = 0  # scored contacts in the warehouse
    planned: int = 0  # changed since the last confirmed sync
    sent: int = 0  # inputs sent in batch updates
    succeeded: int = 0  # confirmed by the CRM
    failed: int = 0  # refused per row, or in a batch that failed as a whole
    skipped: int = 0  # unchanged
    gone: int = 0  # not sent: the CRM no longer has them (sync.crm_sync_gone)
    overwrites: int = 0  # planned rows that replace values an earlier sync wrote
    dry_run: bool = False
    stopped_reason: str | None = None  # None: every planned row was attempted
    guard_tripped: bool = False
    requests: int = 0
    rate_limited: int = 0
    retries: int = 0
    aborted_runs: list[str] = field(default_factory=list)  # earlier runs found unfinished
    properties_created: list[str] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)  # dry run: what would change
    errors: list[dict] = field(default_factory=list)  # this run's per-row failures

    @property
    def complete(self) -> bool:
        """Everything planned is now confirmed in the CRM."""
        return not self.dry_run and self.stopped_reason is None and self.succeeded == self.planned

    @property
    def remaining(self) -> int:
        return self.planned - self.succeeded

    def summary(self) -> str:
        mode = "dry run: " if self.dry_run else ""
        gone = f", {self.gone} gone from the CRM" if self.gone else ""
        text = (
            f"{mode}{self.total} scored contacts, {self.planned} changed, {self.skipped} "
            f"unchanged{gone}; sent {self.sent}, confirmed {self.succeeded}, failed {self.failed} "
            f"in {self.duration_s:.1f}s ({self.requests} requests, {self.rate_limited} rate "
            f"limited)"
        )
        if self.guard_tripped:
            text += "; the overwrite guard would refuse this run"
        if self.stopped_reason:
            text += f"; stopped: {self.stopped_reason}"
        return text

    def as_dict(self) -> dict:
        out = asdict(self)
        out["started_at"] = self.started_at.isoformat()
        out["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return out


def _utcnow() -> datetime:
    return datetime.now(tz=UTC).replace(tzinfo=None)


def read_scores(conn) -> list[dict]:
    if not warehouse.table_exists(conn, SCORES_SCHEMA, SCORES_TABLE):
        raise SyncError(
            f"{SCORES_SCHEMA}.{SCORES_TABLE} does not exist in the warehouse; run the scoring models first"
        )
    present = set(warehouse.table_columns(conn, SCORES_SCHEMA, SCORES_TABLE))
    if "contact_id" not in present:
        raise SyncError(f"{SCORES_SCHEMA}.{SCORES_TABLE} has no contact_id column")
    missing = [c for c in SCORE_COLUMNS if c not in present]
    if missing:
        log.warning(
            "%s.%s lacks columns %s; their properties are written empty", SCORES_SCHEMA, SCORES_TABLE, missing
        )
    cols = [c for c in SCORE_COLUMNS if c in present]
    rows = conn.execute(
        f"select {', '.join(cols)} from {SCORES_SCHEMA}.{SCORES_TABLE} "
        f"where contact_id is not null order by contact_id"
    ).fetchall()
    return [dict(zip(cols, r, strict=True)) for r in rows]


class _Recorder:
    """Buffers confirmed writes and errors; flushes them to the warehouse in short sessions,
    after every `flush_every` batches (1: after each batch, so a kill loses at most the batch in
    flight)."""

    def __init__(self, target: Warehouse, run_id: str, flush_every: int):
        self.target = target
        self.run_id = run_id
        self.flush_every = max(1, flush_every)
        self.state: list[tuple] = []
        self.errors: list[tuple] = []
        self.gone: list[tuple] = []
        self.batches = 0

    def confirmed(self, contact_id: int, digest: str, payload: dict) -> None:
        self.state.append((contact_id, digest, json.dumps(payload, sort_keys=True), _utcnow(), self.run_id))

    def failed(
        self, contact_id: int | None, digest: str | None, category: str | None, message: str | None
    ) -> None:
        self.errors.append((self.run_id, contact_id, digest, category, message, _utcnow()))
        if category == GONE_CATEGORY and contact_id is not None:
            self.gone.append((contact_id, digest, message, _utcnow(), self.run_id))

    def batch_done(self) -> None:
        self.batches += 1
        if self.batches % self.flush_every == 0:
            self.flush()

    def flush(self) -> None:
        if self.state or self.errors or self.gone:
            with self.target.opened() as conn:
                conn.execute("begin")
                warehouse.insert_rows(
                    conn,
                    "sync.crm_sync_state",
                    ["contact_id", "payload_hash", "payload", "synced_at", "run_id"],
                    self.state,
                    key=["contact_id"],
                )
                warehouse.insert_rows(
                    conn,
                    "sync.crm_sync_errors",
                    ["run_id", "contact_id", "payload_hash", "error_category", "error_message", "failed_at"],
                    self.errors,
                )
                warehouse.insert_rows(
                    conn,
                    "sync.crm_sync_gone",
                    ["contact_id", "payload_hash", "error_message", "gone_at", "run_id"],
                    self.gone,
                    key=["contact_id"],
                )
                conn.execute("commit")
            self.state, self.errors, self.gone = [], [], []


def _audit(target: Warehouse, result: SyncResult) -> None:
    with target.opened() as conn:
        warehouse.insert_rows(
            conn,
            "sync.crm_sync_runs",
            RUN_COLUMNS,
            [[getattr(result, c) for c in RUN_COLUMNS]],
            key=["run_id"],
        )


def _abort_unfinished(conn, run_id: str) -> list[str]:
    """Mark runs that never finished (a killed process) as aborted, with the counts that the
    state and errors tables still tell: confirmed writes still attributed to the run, and its
    recorded failures. Returns their run ids."""
    unfinished = conn.execute(
        "select run_id, started_at from sync.crm_sync_runs where finished_at is null "
        "and run_id <> ? order by started_at",
        [run_id],
    ).fetchall()
    aborted = []
    for old_id, started_at in unfinished:
        succeeded, last_ok = conn.execute(
            "select count(*), max(synced_at) from sync.crm_sync_state where run_id = ?", [old_id]
        ).fetchone()
        failed, last_failed = conn.execute(
            "select count(*), max(failed_at) from sync.crm_sync_errors where run_id = ?", [old_id]
        ).fetchone()
        last = max([t for t in (last_ok, last_failed) if t is not None], default=started_at)
        conn.execute(
            "update sync.crm_sync_runs set finished_at = ?, duration_s = ?, succeeded = ?, "
            "failed = ?, sent = ?, stopped_reason = ? where run_id = ?",
            [
                last,
                round((last - started_at).total_seconds(), 3),
                succeeded,
                failed,
                succeeded + failed,
                f"aborted: the run ended without finishing (found by run {run_id}); counts "
                "reconstructed from sync.crm_sync_state and sync.crm_sync_errors",
                old_id,
            ],
        )
        log.warning(
            "CRM sync run %s (started %s) never finished: marked aborted, %d confirmed "
            "and %d failed writes found",
            old_id,
            started_at,
            succeeded,
            failed,
        )
        aborted.append(old_id)
    return aborted


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _diff(old: dict | None, new: dict) -> dict:
    old = old or {}
    return {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}


def run_sync(
    target: Warehouse | str | Path | None,
    client: CrmClient | None,
    *,
    dry_run: bool = False,
    force: bool = False,
    max_share: float = DEFAULT_MAX_SHARE,
    batch_size: int = MAX_BATCH,
    flush_every: int = 1,
    dag_run_id: str | None = None,
    progress_interval_s: float = 10.0,
) -> SyncResult:
    """Write the contacts whose scores changed since the last confirmed sync to the CRM.

    Returns a `SyncResult`; `stopped_reason` is "daily_limit" when the portal's daily cap stopped
    the run (the next run continues). `target` is the warehouse: a `Warehouse`, a DuckDB file,
    or None for the configured one. Raises `SyncGuardError` when the guard refuses the run,
    `CrmAuthError` on bad credentials (nothing advanced), and other `CrmError`s when the CRM keeps
    failing (what was confirmed before is kept). `client` may be None for a dry run.
    `flush_every`: batches between flushes of the confirmed state (1: a killed run resends at
    most one batch). `dag_run_id`: the Airflow run id, kept in `sync.crm_sync_runs`.
    Progress (done/total, rate, ETA) goes to a bar on a terminal, else to the log every
    `progress_interval_s` seconds: a sync paced to a low request budget takes minutes.
    """
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValueError(f"batch_size must be 1..{MAX_BATCH}")
    if client is None and not dry_run:
        raise ValueError("a CRM client is needed unless dry_run=True")
    target = Warehouse.of(target)
    store = target.operational()  # the sync's own tables: the warehouse, or DuckDB beside Spark
    started = time.monotonic()
    result = SyncResult(run_id=uuid.uuid4().hex, started_at=_utcnow(), dry_run=dry_run, dag_run_id=dag_run_id)
    stats0 = (client.stats.requests, client.stats.rate_limited, client.stats.retries) if client else (0, 0, 0)

    def finish(reason: str | None) -> None:
        result.stopped_reason = reason
        result.finished_at = _utcnow()
        result.duration_s = round(time.monotonic() - started, 3)
        if client is not None:
            result.requests = client.stats.requests - stats0[0]
            result.rate_limited = client.stats.rate_limited - stats0[1]
            result.retries = client.stats.retries - stats0[2]
        _audit(store, result)

    rows = None
    if store != target:  # the scores come from Spark, before the run is recorded
        with target.opened(read_only=True) as marts:
            rows = read_scores(marts)
    with store.opened() as conn:
        warehouse.ensure_tables(conn)
        if rows is None:
            rows = read_scores(conn)
        state = {
            cid: (digest, payload)
            for cid, digest, payload in conn.execute(
                "select contact_id, payload_hash, payload from sync.crm_sync_state"
            ).fetchall()
        }
        gone = {cid for (cid,) in conn.execute("select contact_id from sync.crm_sync_gone").fetchall()}
        result.aborted_runs = _abort_unfinished(conn, result.run_id)
        conn.execute(
            "insert into sync.crm_sync_runs (run_id, started_at, dry_run, dag_run_id) values (?, ?, ?, ?)",
            [result.run_id, result.started_at, dry_run, dag_run_id],
        )

    planned: list[tuple[int, dict, str]] = []
    seen: set[int] = set()
    for row in rows:
        contact_id = int(row["contact_id"])
        if contact_id in seen:
            log.warning(
                "contact %s appears more than once in %s.%s; sending the first row",
                contact_id,
                SCORES_SCHEMA,
                SCORES_TABLE,
            )
            continue
        seen.add(contact_id)
        if contact_id in gone:
            result.gone += 1
            continue
        payload = build_payload(row)
        digest = payload_hash(payload)
        if state.get(contact_id, (None,))[0] != digest:
            planned.append((contact_id, payload, digest))
    result.total = len(seen)
    result.planned = len(planned)
    result.skipped = result.total - result.planned - result.gone

    result.overwrites = sum(1 for contact_id, _, _ in planned if contact_id in state)
    share = result.overwrites / result.total if result.total else 0.0
    result.guard_tripped = not force and share > max_share
    if dry_run:
        for contact_id, payload, _ in planned:
            old = state.get(contact_id)
            result.changes.append(
                {"contact_id": contact_id, "changes": _diff(json.loads(old[1]) if old else None, payload)}
            )
        finish(None)
        report(log, "CRM sync %s", result.summary(), source="sync")
        return result
    if result.guard_tripped:
        finish("guard")
        raise SyncGuardError(
            f"the sync would overwrite {result.overwrites} of {result.total} contacts "
            f"({share:.0%} > max_share {max_share:.0%}); check the scores, then re-run with "
            "force (lead-scoring sync --force)",
            result,
        )

    with store.opened() as conn:  # the plan, so an aborted run's row still shows it
        conn.execute(
            "update sync.crm_sync_runs set planned = ?, skipped = ? where run_id = ?",
            [result.planned, result.skipped, result.run_id],
        )
    recorder = _Recorder(store, result.run_id, flush_every)
    if planned:
        log.info(
            "CRM sync: sending %d changed contacts in batches of up to %d (request budget %d per %gs)",
            len(planned),
            batch_size,
            client.pacer.budget,
            client.pacer.window_s,
        )
    try:
        with Progress(
            "CRM sync",
            len(planned),
            unit="contacts",
            logger=log,
            source="sync",
            interval_s=progress_interval_s,
            max_rate=client.pacer.budget / client.pacer.window_s * batch_size if planned else None,
        ) as progress:  # from here: a first sync creates the properties, 12 paced requests
            if planned:
                result.properties_created = client.ensure_properties("contacts", PROPERTY_GROUP, PROPERTIES)
                progress.restart_rate()
            for start in range(0, len(planned), batch_size):
                batch = planned[start : start + batch_size]
                inputs = [{"id": str(cid), "properties": payload} for cid, payload, _ in batch]
                try:
                    answer = client.batch_update("contacts", inputs)
                except (DailyLimitReached, CrmAuthError):
                    raise
                except CrmError as exc:
                    for cid, _, digest in batch:
                        recorder.failed(cid, digest, type(exc).__name__, str(exc))
                    result.sent += len(batch)
                    result.failed += len(batch)
                    raise
                result.sent += len(batch)
                failures = answer.failures(str(cid) for cid, _, _ in batch)
                for cid, payload, digest in batch:
                    error = failures.get(str(cid))
                    if error is None:
                        recorder.confirmed(cid, digest, payload)
                        result.succeeded += 1
                    else:
                        category = _text(error.get("category")) if isinstance(error, dict) else None
                        message = _text(error.get("message")) if isinstance(error, dict) else _text(error)
                        recorder.failed(cid, digest, category, message)
                        result.failed += 1
                        if len(result.errors) < 1000:
                            result.errors.append(
                                {"contact_id": cid, "category": category, "message": message}
                            )
                recorder.batch_done()
                progress.advance(len(batch))
    except DailyLimitReached as exc:
        log.warning("CRM sync stopped by the daily limit: %s", exc)
        recorder.flush()
        finish("daily_limit")
        return result
    except CrmError as exc:
        recorder.flush()
        finish(f"{'auth_error' if isinstance(exc, CrmAuthError) else 'error'}: {exc}")
        raise
    except BaseException as exc:
        recorder.flush()
        finish(f"error: {type(exc).__name__}: {exc}"[:1000])
        raise
    recorder.flush()
    finish(None)
    report(log, "CRM sync %s", result.summary(), source="sync")
    return result
