"""Copy a loaded day's raw rows from the DuckDB file into a PostgreSQL warehouse.

Ingestion parses, checks and quarantines with DuckDB (its CSV reader, rejects table and JSON
functions), so on the `postgres` target the DuckDB file stays the ingest engine's workspace and
each committed day is then mirrored: in one Postgres transaction per day, the day's rows of every
`raw.*` table are deleted and copied in again (CSV through COPY), so a re-run replaces the day on
both sides and dbt on Postgres reads exactly what DuckDB loaded.
"""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import date

from lead_scoring.ingest.schema import quote_ident
from lead_scoring.warehouse import Warehouse, target

log = logging.getLogger(__name__)

POSTGRES_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}


def configured_mirror() -> Warehouse | None:
    """The Postgres warehouse to copy loaded days into, when it is the configured target."""
    return Warehouse.from_env() if target() == "postgres" else None


def raw_tables(duck) -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, DuckDB type), ...]} of the base tables in DuckDB's `raw` schema."""
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, type_ in duck.execute(
        """
        select c.table_name, c.column_name, c.data_type
        from information_schema.columns c
        join information_schema.tables t using (table_schema, table_name)
        where c.table_schema = 'raw' and t.table_type = 'BASE TABLE'
        order by c.table_name, c.ordinal_position
        """
    ).fetchall():
        tables.setdefault(table, []).append((column, type_))
    return tables


def ensure_tables(pg, tables: dict[str, list[tuple[str, str]]]) -> None:
    """Create the raw tables in Postgres, or add the columns a newer export brought."""
    pg.execute("create schema if not exists raw")
    for table, columns in tables.items():
        body = ", ".join(f"{quote_ident(c)} {POSTGRES_TYPES.get(t, 'text')}" for c, t in columns)
        pg.execute(f"create table if not exists raw.{quote_ident(table)} ({body})")
        existing = {
            r[0]
            for r in pg.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'raw' and table_name = ?",
                [table],
            ).fetchall()
        }
        for column, type_ in columns:
            if column not in existing:
                pg.execute(
                    f"alter table raw.{quote_ident(table)} add column {quote_ident(column)} "
                    f"{POSTGRES_TYPES.get(type_, 'text')}"
                )


def mirror_day(duck, pg, day: date) -> dict[str, int]:
    """Replace `day`'s rows of every raw table in Postgres with DuckDB's; returns rows per table."""
    started = time.perf_counter()
    tables = raw_tables(duck)
    ensure_tables(pg, tables)
    copied: dict[str, int] = {}
    pg.execute("begin")
    try:
        for table, columns in tables.items():
            names = [c for c, _ in columns]
            pg.execute(f"delete from raw.{quote_ident(table)} where _load_date = ?", [day])
            with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
                select = ", ".join(quote_ident(c) for c in names)
                duck.execute(
                    f"copy (select {select} from raw.{quote_ident(table)} where _load_date = ?) "
                    f"to '{tmp.name}' (format csv, header false)",
                    [day],
                )
                with open(tmp.name, encoding="utf-8") as stream:
                    pg.copy_csv(f"raw.{quote_ident(table)}", names, stream)
            copied[table] = pg.execute(
                f"select count(*) from raw.{quote_ident(table)} where _load_date = ?", [day]
            ).fetchone()[0]
        pg.execute("commit")
    except BaseException:
        pg.execute("rollback")
        raise
    log.info(
        "%s: copied %s raw rows to Postgres in %.1f s",
        day,
        f"{sum(copied.values()):,}",
        time.perf_counter() - started,
    )
    return copied
