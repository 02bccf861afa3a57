"""Connections to the DuckDB warehouse file (the embedded default target)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


def duckdb_settings() -> dict[str, str]:
    """DuckDB settings every connection of the pipeline uses (dbt's profile reads the same variables).

    Without a memory limit DuckDB takes up to 80% of the machine's RAM; the limit makes large
    operators spill to disk instead.
    """
    settings = {"autoinstall_known_extensions": "false"}
    memory_limit = os.environ.get("LEAD_SCORING_DUCKDB_MEMORY_LIMIT")
    if memory_limit:
        settings["memory_limit"] = memory_limit
    return settings


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
