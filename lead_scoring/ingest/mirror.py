"""Copy a loaded day's raw rows from the DuckDB file into a PostgreSQL or Spark warehouse.

Ingestion parses, checks and quarantines with DuckDB (its CSV reader, rejects table and JSON
functions), so on the `postgres` and `spark` targets the DuckDB file stays the ingest engine's
workspace and each committed day is then mirrored, so a re-run replaces the day on both sides and
dbt reads exactly what DuckDB loaded:
- Postgres: in one transaction per day, the day's rows of every `raw.*` table are deleted and
  copied in again (CSV through COPY);
- Spark: DuckDB writes the day of every `raw.*` table as one Parquet partition folder
  `<lake>/raw/<table>/_load_date=D/`, which replaces the folder an earlier load wrote; when the
  load ends, each table `raw.<table>` (Parquet, partitioned by `_load_date`) is created, given the
  new columns of a newer export, told of its new partitions and refreshed. A process killed in
  between leaves days on disk that the catalog does not list yet: re-running them lists them.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

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


SPARK_TYPES = {
    "VARCHAR": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}
PARTITION = "_load_date"


def configured_mirror() -> Warehouse | None:
    """The Postgres or Spark warehouse to copy loaded days into, when it is the configured target."""
    return Warehouse.from_env() if target() in ("postgres", "spark") else None


def open_mirror(warehouse: Warehouse):
    """A mirror of loaded days into `warehouse` (Postgres or Spark): `copy_day`, then `close`."""
    conn = warehouse.connect()
    if warehouse.kind == "spark":
        from lead_scoring import spark

        return SparkMirror(conn, spark.lake_dir())
    return PostgresMirror(conn)


class PostgresMirror:
    def __init__(self, conn):
        self.conn = conn

    def copy_day(self, duck, day: date) -> dict[str, int]:
        return mirror_day(duck, self.conn, day)

    def close(self) -> None:
        self.conn.close()


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


def _spark_ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _spark_type(duck_type: str) -> str:
    return SPARK_TYPES.get(duck_type, "string")


def _select(columns: list[tuple[str, str]]) -> str:
    """The Parquet columns: every column but the partition, types Spark declares alike."""
    return ", ".join(
        quote_ident(c) if t in SPARK_TYPES else f"cast({quote_ident(c)} as varchar) as {quote_ident(c)}"
        for c, t in columns
        if c != PARTITION
    )


def write_partition(duck, table: str, columns: list[tuple[str, str]], day: date, location: Path) -> Path:
    """Write `day`'s rows of raw.`table` as `<location>/_load_date=D/part-00000.parquet`.

    The file is written in a hidden folder beside it (Spark skips names starting with a dot), then
    swapped in by renames: readers see the old day or the new one, a failed write leaves the old.
    """
    final = location / f"{PARTITION}={day.isoformat()}"
    token = uuid.uuid4().hex[:8]
    fresh = location / f".{final.name}.new-{token}"
    old = location / f".{final.name}.old-{token}"
    fresh.mkdir(parents=True)
    try:
        duck.execute(
            f"copy (select {_select(columns)} from raw.{quote_ident(table)} where {PARTITION} = ?) "
            f"to '{fresh / 'part-00000.parquet'}' (format parquet, compression zstd)",
            [day],
        )
        if final.exists():
            final.rename(old)
        fresh.rename(final)
    except BaseException:
        if old.exists() and not final.exists():
            old.rename(final)
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return final


def ensure_spark_table(conn, table: str, columns: list[tuple[str, str]], location: Path) -> None:
    """Create raw.`table` over its folder, or add the columns a newer export brought.

    A table new to the catalog (a fresh metastore over an existing lake) finds the partitions
    already written with `msck repair table`.
    """
    name = f"raw.{_spark_ident(table)}"
    data = [(c, t) for c, t in columns if c != PARTITION]
    if not conn.table_exists("raw", table):
        body = ", ".join(f"{_spark_ident(c)} {_spark_type(t)}" for c, t in data)
        conn.execute(
            f"create table if not exists {name} ({body}, {PARTITION} date) using parquet "
            f"partitioned by ({PARTITION}) location '{location.resolve().as_uri()}'"
        )
        conn.execute(f"msck repair table {name}")
        return
    existing = {c.lower() for c in conn.table_columns("raw", table)}
    new = [(c, t) for c, t in data if c.lower() not in existing]
    if new:
        added = ", ".join(f"{_spark_ident(c)} {_spark_type(t)}" for c, t in new)
        conn.execute(f"alter table {name} add columns ({added})")
        log.info("raw.%s: added columns %s in Spark", table, ", ".join(c for c, _ in new))


class SparkMirror:
    """Writes each committed day's Parquet partitions at once, and tells Spark's catalog of them in
    one go when the load ends (`close`, after a failure too): a catalog statement costs a round
    trip to the metastore, a history of many days would pay several per table and day.
    """

    def __init__(self, conn, lake: Path):
        self.conn = conn
        self.lake = lake
        self.pending: dict[str, tuple[list[tuple[str, str]], set[date]]] = {}

    def copy_day(self, duck, day: date) -> dict[str, int]:
        """Replace `day`'s partition of every raw table with DuckDB's rows; rows per table."""
        started = time.perf_counter()
        copied: dict[str, int] = {}
        for table, columns in raw_tables(duck).items():
            write_partition(duck, table, columns, day, self.lake / "raw" / table)
            days = self.pending.get(table, (columns, set()))[1] | {day}
            self.pending[table] = (columns, days)  # the newest columns: a later day may add some
            copied[table] = duck.execute(
                f"select count(*) from raw.{quote_ident(table)} where {PARTITION} = ?", [day]
            ).fetchone()[0]
        log.info(
            "%s: wrote %s raw rows as Parquet for Spark in %.1f s",
            day,
            f"{sum(copied.values()):,}",
            time.perf_counter() - started,
        )
        return copied

    def register(self) -> None:
        """Create or widen each written table, add its new partitions, refresh it."""
        if not self.pending:
            return
        started = time.perf_counter()
        self.conn.execute("create database if not exists raw")
        for table, (columns, days) in sorted(self.pending.items()):
            ensure_spark_table(self.conn, table, columns, self.lake / "raw" / table)
            name = f"raw.{_spark_ident(table)}"
            specs = " ".join(f"partition ({PARTITION} = date'{d.isoformat()}')" for d in sorted(days))
            self.conn.execute(f"alter table {name} add if not exists {specs}")
            self.conn.execute(f"refresh table {name}")
        log.info(
            "registered %d raw tables' new days in Spark in %.1f s",
            len(self.pending),
            time.perf_counter() - started,
        )
        self.pending = {}

    def close(self) -> None:
        try:
            self.register()
        finally:
            self.conn.close()
