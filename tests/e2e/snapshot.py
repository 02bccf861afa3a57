"""Every table of a warehouse as sorted rows, for comparing two runs."""

from __future__ import annotations

import duckdb

# Differ between runs by design: when and by which run a row was loaded or checked.
RUN_METADATA = {"_loaded_at", "loaded_at", "_dag_run_id", "recorded_at", "run_id"}
# Audit logs: one row per run by design.
AUDIT_TABLES = {"sync.crm_sync_runs"}


def snapshot(warehouse) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        out = {}
        for schema, table in tables:
            if f"{schema}.{table}" in AUDIT_TABLES:
                continue
            columns = [
                c for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall() if c not in RUN_METADATA
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            out[f"{schema}.{table}"] = sorted(
                con.execute(f'select {select} from "{schema}"."{table}"').fetchall(), key=repr
            )
        return out
    finally:
        con.close()
