"""The transform tests' raw fixture (tests/transform/raw_fixture.py) as Parquet tables in Spark.

DuckDB writes each raw table to Parquet (`COPY ... (FORMAT parquet)`); Spark registers the files
as tables of schema `raw` (`create table ... using parquet location ...`), the layout ingestion
gives the spark target.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

SPARK_TYPES = {"VARCHAR": "string", "BIGINT": "bigint", "DATE": "date", "TIMESTAMP": "timestamp"}


def register_raw_tables(duckdb_path: Path, parquet_dir: Path, execute: Callable[[str], object]) -> list[str]:
    """Copy every table of schema `raw` in `duckdb_path` to Parquet under `parquet_dir` and create
    it in Spark through `execute` (one SQL statement per call). Returns the table names."""
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
            ).fetchall()
        ]
        columns = {}
        for table in tables:
            folder = parquet_dir / table
            folder.mkdir(parents=True, exist_ok=True)
            con.execute(f"copy raw.{table} to '{folder / 'part-0.parquet'}' (format parquet)")
            columns[table] = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
    finally:
        con.close()
    execute("create database if not exists raw")
    for table in tables:
        ddl = ", ".join(f"`{name}` {SPARK_TYPES[type_]}" for name, type_ in columns[table])
        execute(f"drop table if exists raw.{table}")
        execute(f"create table raw.{table} ({ddl}) using parquet location '{parquet_dir / table}'")
    return tables
