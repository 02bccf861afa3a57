"""Where the pipeline's tables live: the DuckDB file (embedded default), a PostgreSQL database, or
Apache Spark.

`LEAD_SCORING_TARGET` picks the target, as it picks dbt's (`dbt_project/profiles.yml`); the
Postgres connection comes from `LEAD_SCORING_PG_*`, the same variables dbt reads, Spark's from
`LEAD_SCORING_SPARK_*` (`lead_scoring.spark`). Code that reads or writes warehouse tables opens a
`Warehouse` and writes `?` placeholders, which DuckDB takes as they are and the other connections
translate.

Spark tables are Parquet files: no row is ever updated or deleted there. So on the `spark` target
the pipeline's own operational tables (sync state and ledger, run metrics, extract watermarks) stay
in the DuckDB workspace file that ingestion already works in: `Warehouse.operational()`.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger(__name__)

TARGETS = ("duckdb", "postgres", "spark")


def duckdb_settings() -> dict[str, str]:
    """DuckDB settings every connection of the pipeline uses (dbt's profile reads the same variables).

    Without a memory limit DuckDB takes up to 80% of the machine's RAM; with one, large joins,
    sorts and aggregates spill to `<warehouse>.tmp` instead. The default of 2 GB keeps a refresh
    of 1M contacts (DuckDB plus the Python and dbt around it) under 4 GB;
    LEAD_SCORING_DUCKDB_MEMORY_LIMIT overrides it (`dbt_project/profiles.yml` has the same default).
    """
    return {
        "autoinstall_known_extensions": "false",
        "memory_limit": os.environ.get("LEAD_SCORING_DUCKDB_MEMORY_LIMIT") or "2GB",
    }


def connect_warehouse(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; extensions come only from the installed package, never a download.

    DuckDB lets one process write a file at a time: open, work, close; do not hold it.
    """
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    for name, value in duckdb_settings().items():
        con.execute(f"set {name} = '{value}'")
    return con


def target() -> str:
    """The configured target: `duckdb` unless `LEAD_SCORING_TARGET` says `postgres` or `spark`."""
    value = os.environ.get("LEAD_SCORING_TARGET") or "duckdb"
    if value not in TARGETS:
        raise ValueError(f"LEAD_SCORING_TARGET={value!r}: expected one of {', '.join(TARGETS)}")
    return value


def postgres_settings() -> dict[str, Any]:
    """psycopg2 keyword arguments from `LEAD_SCORING_PG_*` (defaults as in the dbt profile)."""
    env = os.environ.get
    return {
        "host": env("LEAD_SCORING_PG_HOST", "localhost"),
        "port": int(env("LEAD_SCORING_PG_PORT", "5432")),
        "user": env("LEAD_SCORING_PG_USER", "lead_scoring"),
        "password": env("LEAD_SCORING_PG_PASSWORD", ""),
        "dbname": env("LEAD_SCORING_PG_DBNAME", "lead_scoring"),
    }


@dataclass(frozen=True)
class Warehouse:
    """A warehouse to open: `Warehouse.of(None)` is the configured one, `of(path)` a DuckDB file.

    `path` is the DuckDB file; on the `spark` target, the workspace file beside Spark (ingestion's
    staging and the operational tables).
    """

    kind: str
    path: Path | None = None
    postgres: dict[str, Any] = field(default_factory=dict, repr=False)  # holds the password

    @classmethod
    def from_env(cls) -> Warehouse:
        from lead_scoring import paths

        kind = target()
        if kind == "postgres":
            return cls("postgres", postgres=postgres_settings())
        return cls(kind, path=paths.warehouse_path())

    @classmethod
    def of(cls, value: Warehouse | str | Path | None) -> Warehouse:
        if isinstance(value, Warehouse):
            return value
        return cls.from_env() if value is None else cls("duckdb", path=Path(value))

    def __str__(self) -> str:
        if self.kind == "duckdb":
            return str(self.path)
        if self.kind == "spark":
            from lead_scoring import spark

            return spark.describe()
        pg = self.postgres
        return f"postgresql://{pg['user']}@{pg['host']}:{pg['port']}/{pg['dbname']}"

    def exists(self) -> bool:
        return self.kind in ("postgres", "spark") or bool(self.path and self.path.exists())

    def operational(self) -> Warehouse:
        """Where the pipeline keeps its own tables (sync state, run metrics, watermarks): the
        warehouse itself, except on Spark, whose Parquet tables take no update or delete: there
        the DuckDB workspace file."""
        return Warehouse("duckdb", path=self.path) if self.kind == "spark" else self

    def connect(self, read_only: bool = False, wait_s: float = 30.0):
        """A DuckDB connection, or a `PostgresConnection` or Spark connection with the same
        `execute` interface.

        A DuckDB file takes one writing process at a time: opening waits up to `wait_s` while
        another process holds the lock.
        """
        if self.kind == "postgres":
            return PostgresConnection(self.postgres)
        if self.kind == "spark":
            from lead_scoring import spark

            return spark.connect()
        deadline = time.monotonic() + wait_s
        delay = 0.05
        while True:
            try:
                return connect_warehouse(self.path, read_only=read_only)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                    raise
                log.info("warehouse %s is locked by another process; waiting", self.path)
                time.sleep(delay)
                delay = min(1.0, delay * 2)

    @contextmanager
    def opened(self, read_only: bool = False) -> Iterator[Any]:
        """Open, work, close: never hold a DuckDB file longer than one step needs."""
        conn = self.connect(read_only=read_only)
        try:
            yield conn
        finally:
            conn.close()


_PLACEHOLDER = re.compile(r"\?|\$([A-Za-z_]\w*)")


def to_pyformat(sql: str) -> str:
    """`?` and `$name` placeholders (DuckDB) as psycopg2's `%s` and `%(name)s`; `%` escaped.

    The statements this runs are the pipeline's own, whose string literals hold no `?` or `$`.
    """
    sql = sql.replace("%", "%%")
    return _PLACEHOLDER.sub(lambda m: f"%({m.group(1)})s" if m.group(1) else "%s", sql)


class PostgresConnection:
    """A psycopg2 connection behind the slice of DuckDB's interface the pipeline uses.

    Autocommit, as DuckDB is: an explicit `begin` ... `commit` makes a transaction. Numeric values
    arrive as floats, as DuckDB's doubles do, so figures and DataFrames compare alike.
    """

    def __init__(self, settings: dict[str, Any]):
        import psycopg2
        import psycopg2.extensions as ext

        self.error = psycopg2.Error
        self._con = psycopg2.connect(connect_timeout=10, application_name="lead_scoring", **settings)
        self._con.autocommit = True
        as_float = ext.new_type(
            ext.DECIMAL.values,
            "NUMERIC_AS_FLOAT",
            lambda value, cursor: None if value is None else float(value),
        )
        ext.register_type(as_float, self._con)
        self._cursor = None

    def execute(self, sql: str, params: Sequence | dict | None = None) -> PostgresConnection:
        self._cursor = self._con.cursor()
        self._cursor.execute(to_pyformat(sql) if params else sql, params or None)
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence]) -> PostgresConnection:
        self._cursor = self._con.cursor()
        self._cursor.executemany(to_pyformat(sql), rows)
        return self

    @property
    def description(self):
        return self._cursor.description

    def fetchone(self):
        return self._cursor.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall()

    def df(self):
        import pandas as pd

        columns = [d[0] for d in self._cursor.description]
        return pd.DataFrame(self._cursor.fetchall(), columns=columns)

    def copy_csv(self, table: str, columns: Sequence[str], stream) -> None:
        """COPY a CSV stream into `table` (the fast path for bulk loads)."""
        cols = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        self._con.cursor().copy_expert(f"copy {table} ({cols}) from stdin with (format csv)", stream)

    def close(self) -> None:
        self._con.close()
