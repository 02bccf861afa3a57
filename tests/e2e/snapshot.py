"""Every table of a warehouse (DuckDB file or Postgres) as sorted rows, for comparing two runs."""

from __future__ import annotations

from lead_scoring.warehouse import Warehouse

# Differ between runs by design: when and by which run a row was loaded or checked.
RUN_METADATA = {"_loaded_at", "loaded_at", "_dag_run_id", "recorded_at", "run_id"}
# Audit logs: one row per run by design.
AUDIT_TABLES = {"sync.crm_sync_runs"}


def snapshot(warehouse, schemas: tuple[str, ...] | None = None) -> dict[str, list[tuple]]:
    """{schema.table: sorted rows} without run metadata; `schemas` limits it to some schemas."""
    with Warehouse.of(warehouse).opened(read_only=True) as con:
        tables = [
            (schema, table)
            for schema, table in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_type = 'BASE TABLE' "
                "and table_schema not in ('pg_catalog', 'information_schema') order by 1, 2"
            ).fetchall()
            if schemas is None or schema in schemas
        ]
        out = {}
        for schema, table in tables:
            if f"{schema}.{table}" in AUDIT_TABLES:
                continue
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if c not in RUN_METADATA
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            out[f"{schema}.{table}"] = sorted(
                con.execute(f'select {select} from "{schema}"."{table}"').fetchall(), key=repr
            )
        return out
