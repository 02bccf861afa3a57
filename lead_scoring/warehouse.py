"""Connections to the DuckDB warehouse file (the embedded default target)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def connect_warehouse(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; extensions come only from the installed package, never a download.

    DuckDB lets one process write a file at a time: open, work, close; do not hold it.
    """
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("set autoinstall_known_extensions = false")
    return con
