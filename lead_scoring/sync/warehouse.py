"""The warehouse tables the CRM sync and the CRM extract keep, in schema `sync` of the warehouse.

A DuckDB file takes one writing process at a time, so callers open the warehouse, do one short
read or write, and close it; opening waits for a while when another process holds the lock.
The SQL here runs on DuckDB and PostgreSQL alike. On Spark these tables live in the DuckDB
workspace file (`Warehouse.operational()`): their rows are updated, which Parquet cannot do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from lead_scoring.warehouse import Warehouse

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
        duration_s double precision,
        planned integer,
        sent integer,
        succeeded integer,
        failed integer,
        skipped integer,
        dry_run boolean not null,
        stopped_reason varchar,
        requests integer,
        rate_limited integer,
        retries integer,
        dag_run_id varchar
    )""",
    # Warehouses created before the column existed:
    "alter table sync.crm_sync_runs add column if not exists dag_run_id varchar",
    # Contacts the CRM answered OBJECT_NOT_FOUND for (archived or deleted there): not sent again
    # until their row is deleted.
    """create table if not exists sync.crm_sync_gone (
        contact_id bigint primary key,
        payload_hash varchar,
        error_message varchar,
        gone_at timestamp not null,
        run_id varchar not null
    )""",
    """create table if not exists sync.crm_extract_watermarks (
        object_type varchar primary key,
        watermark timestamp not null,
        updated_at timestamp not null
    )""",
]


@contextmanager
def opened(target: Warehouse | str | Path | None, *, read_only: bool = False) -> Iterator:
    """Open where the sync tables live (the operational store of `target`: a `Warehouse`, a DuckDB
    path, or None for the configured one), then close it."""
    with Warehouse.of(target).operational().opened(read_only=read_only) as conn:
        yield conn


def ensure_tables(conn) -> None:
    for statement in DDL:
        conn.execute(statement)


def insert_rows(
    conn,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    *,
    key: Sequence[str] = (),
    chunk: int = 500,
) -> None:
    """Insert many rows with multi-row VALUES statements (far faster than executemany).

    With `key`, a row whose key exists replaces it (`on conflict`, in DuckDB and Postgres alike).
    """
    cols = ", ".join(columns)
    one = "(" + ", ".join("?" * len(columns)) + ")"
    upsert = ""
    if key:
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        upsert = f" on conflict ({', '.join(key)}) do update set {updates}"
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        conn.execute(
            f"insert into {table} ({cols}) values " + ", ".join([one] * len(part)) + upsert,
            [value for row in part for value in row],
        )


def table_exists(conn, schema: str, table: str) -> bool:
    if hasattr(conn, "table_exists"):  # Spark has no information_schema: its catalog answers
        return conn.table_exists(schema, table)
    return bool(
        conn.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def table_columns(conn, schema: str, table: str) -> list[str]:
    if hasattr(conn, "table_columns"):
        return conn.table_columns(schema, table)
    return [
        r[0]
        for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = ? "
            "and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]
