"""The warehouse tables the CRM sync and the CRM extract keep, in schema `sync` of the DuckDB file.

A DuckDB file takes one writing process at a time, so every function here opens the file, does
one short read or write, and closes it; opening retries for a while when another process holds
the lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from lead_scoring.warehouse import connect_warehouse

log = logging.getLogger(__name__)

DDL = [
    "create schema if not exists sync",
    """create table if not exists sync.crm_sync_state (
        contact_id bigint primary key,
        payload_hash varchar not null,
        payload varchar not null,
        synced_at timestamp not null,
        run_id varchar not null
    )""",
    """create table if not exists sync.crm_sync_errors (
        run_id varchar not null,
        contact_id bigint,
        payload_hash varchar,
        error_category varchar,
        error_message varchar,
        failed_at timestamp not null
    )""",
    """create table if not exists sync.crm_sync_runs (
        run_id varchar primary key,
        started_at timestamp not null,
        finished_at timestamp,
        duration_s double,
        planned integer,
        sent integer,
        succeeded integer,
        failed integer,
        skipped integer,
        dry_run boolean not null,
        stopped_reason varchar,
        requests integer,
        rate_limited integer,
        retries integer
    )""",
    """create table if not exists sync.crm_extract_watermarks (
        object_type varchar primary key,
        watermark timestamp not null,
        updated_at timestamp not null
    )""",
]


def connect(path: str | Path, *, read_only: bool = False, wait_s: float = 30.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting up to `wait_s` while another process holds its lock."""
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return connect_warehouse(Path(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            log.info("warehouse %s is locked by another process; waiting", path)
            time.sleep(delay)
            delay = min(1.0, delay * 2)


@contextmanager
def opened(path: str | Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = connect(path, read_only=read_only)
    try:
        yield conn
    finally:
        conn.close()


def ensure_tables(conn: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        conn.execute(statement)


def insert_rows(conn: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str],
                rows: Sequence[Sequence], *, replace: bool = False, chunk: int = 500) -> None:
    """Insert many rows with multi-row VALUES statements (far faster than executemany)."""
    verb = "insert or replace" if replace else "insert"
    cols = ", ".join(columns)
    one = "(" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        conn.execute(f"{verb} into {table} ({cols}) values " + ", ".join([one] * len(part)),
                     [value for row in part for value in row])


def table_exists(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(conn.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0])


def table_columns(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "select column_name from information_schema.columns where table_schema = ? "
        "and table_name = ? order by ordinal_position", [schema, table]).fetchall()]
