"""DDL of the raw tables, created on first use."""

from __future__ import annotations

import duckdb

METADATA_COLUMNS = {
    "_load_date": "DATE",
    "_loaded_at": "TIMESTAMP",
    "_source_file": "VARCHAR",
    "_source_line": "BIGINT",
    "_dag_run_id": "VARCHAR",
}

WEB_EVENT_COLUMNS = {
    "message_id": "VARCHAR",
    "type": "VARCHAR",
    "event": "VARCHAR",
    "anonymous_id": "VARCHAR",
    "user_id": "VARCHAR",
    "event_timestamp": "TIMESTAMP",
    "page_path": "VARCHAR",
    "page_url": "VARCHAR",
    "email": "VARCHAR",
    "properties": "VARCHAR",
}

QUARANTINE_COLUMNS = {
    "_load_date": "DATE",
    "_loaded_at": "TIMESTAMP",
    "_dag_run_id": "VARCHAR",
    "source_file": "VARCHAR",
    "source_line": "BIGINT",
    "entity": "VARCHAR",
    "field": "VARCHAR",
    "error": "VARCHAR",
    "raw_record": "VARCHAR",
}

AUDIT_COLUMNS = {
    "_load_date": "DATE",
    "_loaded_at": "TIMESTAMP",
    "_dag_run_id": "VARCHAR",
    "source_file": "VARCHAR",
    "entity": "VARCHAR",
    "rows_read": "BIGINT",
    "rows_loaded": "BIGINT",
    "rows_quarantined": "BIGINT",
    "rows_duplicate": "BIGINT",
    "note": "VARCHAR",
}


def quote_ident(name: str) -> str:
    """Quote an identifier that came from a file header, whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'


def _ddl(table: str, columns: dict[str, str]) -> str:
    body = ",\n  ".join(f"{quote_ident(name)} {type_}" for name, type_ in columns.items())
    return f"create table if not exists raw.{table} (\n  {body}\n)"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(_ddl("web_events", WEB_EVENT_COLUMNS | METADATA_COLUMNS))
    con.execute(_ddl("load_quarantine", QUARANTINE_COLUMNS))
    con.execute(_ddl("load_audit", AUDIT_COLUMNS))
    con.execute("alter table raw.load_audit add column if not exists note VARCHAR")


def ensure_crm_table(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
    """Create the table, or add the columns a newer export brought (custom properties)."""
    con.execute(_ddl(table, {c: "VARCHAR" for c in columns} | METADATA_COLUMNS))
    existing = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = ?",
            [table],
        ).fetchall()
    }
    for column in columns:
        if column not in existing:
            con.execute(f"alter table raw.{table} add column {quote_ident(column)} VARCHAR")
