"""Every table of a warehouse (DuckDB file, Postgres or Spark) as sorted rows, for comparing runs."""

from __future__ import annotations

from decimal import Decimal

from lead_scoring.warehouse import Warehouse

# Differ between runs by design: when and by which run a row was loaded or checked.
RUN_METADATA = {"_loaded_at", "loaded_at", "_dag_run_id", "recorded_at", "run_id"}
# Audit logs: one row per run by design.
AUDIT_TABLES = {"sync.crm_sync_runs"}


def _tables(con, kind: str) -> list[tuple[str, str]]:
    if kind == "spark":  # no information_schema: the catalog lists tables (views apart)
        found = []
        for (schema,) in con.execute("show databases").fetchall():
            views = {r[1] for r in con.execute(f"show views in `{schema}`").fetchall()}
            found += [
                (schema, r[1])
                for r in con.execute(f"show tables in `{schema}`").fetchall()
                if not r[2] and r[1] not in views
            ]
        return sorted(found)
    return con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_type = 'BASE TABLE' "
        "and table_schema not in ('pg_catalog', 'information_schema') order by 1, 2"
    ).fetchall()


def _columns(con, kind: str, schema: str, table: str) -> list[str]:
    if kind == "spark":
        return con.table_columns(schema, table)
    return [
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def snapshot(warehouse, schemas: tuple[str, ...] | None = None) -> dict[str, list[tuple]]:
    """{schema.table: sorted rows} without run metadata; `schemas` limits it to some schemas.

    Columns in name order: Spark puts a table's partition columns last.
    """
    warehouse = Warehouse.of(warehouse)
    quote = "`" if warehouse.kind == "spark" else '"'
    with warehouse.opened(read_only=True) as con:
        tables = [(s, t) for s, t in _tables(con, warehouse.kind) if schemas is None or s in schemas]
        out = {}
        for schema, table in tables:
            if f"{schema}.{table}" in AUDIT_TABLES:
                continue
            columns = sorted(c for c in _columns(con, warehouse.kind, schema, table) if c not in RUN_METADATA)
            select = ", ".join(f"{quote}{c}{quote}" for c in columns)
            out[f"{schema}.{table}"] = sorted(
                con.execute(f"select {select} from {quote}{schema}{quote}.{quote}{table}{quote}").fetchall(),
                key=repr,
            )
        return out


def normal(rows: list[tuple]) -> list[tuple]:
    """Numbers as floats rounded to 9 places: DuckDB doubles, Postgres numerics and Spark decimals
    compare alike."""

    def value(v):
        return round(float(v), 9) if isinstance(v, float | Decimal) else v

    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)
