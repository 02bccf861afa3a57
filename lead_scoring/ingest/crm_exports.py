"""Load one day's CRM CSV exports (contacts, companies, deals) into `raw.crm_*`.

Every column of the export is kept as text, custom properties included; typing happens in dbt
staging. DuckDB's CSV reader does the work; rows it cannot parse land in its rejects table and
from there in `raw.load_quarantine`, with the file, line and column.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lead_scoring.ingest.context import FileStats, LoadContext
from lead_scoring.ingest.errors import IngestError, MissingColumnsError
from lead_scoring.ingest.schema import ensure_crm_table, quote_ident


@dataclass(frozen=True)
class CrmEntity:
    name: str
    required: tuple[str, ...]

    @property
    def table(self) -> str:
        return f"crm_{self.name}"


CRM_ENTITIES = (
    CrmEntity("contacts", ("hs_object_id", "email", "createdate", "lastmodifieddate")),
    CrmEntity("companies", ("hs_object_id", "name", "createdate", "lastmodifieddate")),
    CrmEntity("deals", ("hs_object_id", "dealstage", "createdate", "lastmodifieddate")),
)
TIMESTAMP_COLUMNS = ("createdate", "lastmodifieddate")
MAX_LINE_BYTES = 8 * 1024 * 1024


def export_files(day_dir: Path, entity: CrmEntity) -> list[Path]:
    return sorted(p for p in day_dir.glob(f"{entity.name}.csv*") if p.suffix in (".csv", ".gz"))


def read_header(path: Path) -> list[str] | None:
    """The header row, parsed the way the CSV reader will; None for an empty file."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(io.StringIO(handle.readline())), None)
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path}: line 1 (header): not UTF-8 text ({exc.reason})") from exc


def mapped_columns(path: Path, header: list[str], entity: CrmEntity, ctx: LoadContext) -> list[str]:
    """Header names mapped to HubSpot property names, checked for duplicates and required ones."""
    mapping = {k.strip().lower(): v for k, v in ctx.column_mapping.get(entity.name, {}).items()}
    columns = [mapping.get(h.strip().lower(), h.strip().lower()) for h in header]
    if any(not c for c in columns):
        raise IngestError(f"{path}: line 1 (header): column {columns.index('') + 1} has no name")
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise IngestError(f"{path}: line 1 (header): column(s) {', '.join(repeated)} repeated")
    missing = [c for c in entity.required if c not in columns]
    if missing:
        raise MissingColumnsError(str(path), missing)
    return columns


def load_crm_file(
    con: duckdb.DuckDBPyConnection, path: Path, entity: CrmEntity, ctx: LoadContext
) -> FileStats:
    stats = FileStats(str(path), entity.name)
    header = read_header(path)
    if not header:
        return stats
    columns = mapped_columns(path, header, entity, ctx)
    ensure_crm_table(con, entity.table, columns)

    struct = ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in columns)
    con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    con.execute(
        f"""
        create or replace temp table _crm_rows as
        select row_number() over () + 1 as _source_line, *
        from read_csv(?, auto_detect = false, header = true, columns = {{{struct}}},
                      delim = ',', quote = '"', escape = '"', store_rejects = true,
                      hive_partitioning = false,
                      max_line_size = {MAX_LINE_BYTES})
        """,
        [str(path)],
    )
    quarantine_params = [*ctx.params, str(path), entity.name]
    parse_rejects = con.execute(
        """
        insert into raw.load_quarantine by name
        select ? as _load_date, ? as _loaded_at, ? as _dag_run_id, ? as source_file, ? as entity,
               line as source_line, coalesce(column_name, '(row)') as field,
               error_type || ': ' || error_message as error, csv_line as raw_record
        from reject_errors
        """,
        quarantine_params,
    ).fetchone()[0]

    # A row is bad when its id is not an integer or a required timestamp does not parse.
    checks = [
        ("hs_object_id", "try_cast(hs_object_id as bigint) is null", "not an integer record id"),
        *(
            (c, f"try_cast({c} as timestamptz) is null", "not an ISO 8601 timestamp")
            for c in TIMESTAMP_COLUMNS
        ),
    ]
    field_case = " ".join(f"when {cond} then '{col}'" for col, cond, _ in checks)
    error_case = " ".join(
        f"when {cond} then 'invalid value ' || coalesce('\"' || {col} || '\"', 'NULL') || ': {msg}'"
        for col, cond, msg in checks
    )
    con.execute(
        f"""
        create or replace temp table _crm_checked as
        select *,
               case {field_case} end as _error_field,
               case {error_case} end as _error,
               row_number() over (
                   partition by hs_object_id
                   order by try_cast(lastmodifieddate as timestamptz) desc nulls last,
                            _source_line desc
               ) as _version
        from _crm_rows
        """
    )
    bad_values = con.execute(
        """
        insert into raw.load_quarantine by name
        select ? as _load_date, ? as _loaded_at, ? as _dag_run_id, ? as source_file, ? as entity,
               c._source_line as source_line, c._error_field as field, c._error as error,
               to_json(r)::varchar as raw_record
        from _crm_checked c
        join (select * from _crm_rows) r using (_source_line)
        where c._error is not null
        """,
        quarantine_params,
    ).fetchone()[0]
    stats.rows_duplicate = con.execute(
        """
        insert into raw.load_quarantine by name
        select ? as _load_date, ? as _loaded_at, ? as _dag_run_id, ? as source_file, ? as entity,
               c._source_line as source_line, 'hs_object_id' as field,
               'duplicate hs_object_id ' || c.hs_object_id || ': superseded by a later version'
                   as error,
               to_json(c)::varchar as raw_record
        from _crm_rows c
        join _crm_checked k using (_source_line)
        where k._error is null and k._version > 1
        """,
        quarantine_params,
    ).fetchone()[0]
    stats.rows_quarantined = parse_rejects + bad_values
    stats.rows_read = con.execute("select count(*) from _crm_rows").fetchone()[0] + parse_rejects
    select_list = ", ".join(quote_ident(c) for c in columns)
    stats.rows_loaded = con.execute(
        f"""
        insert into raw.{entity.table} by name
        select {select_list}, ? as _load_date, ? as _loaded_at, ? as _dag_run_id,
               ? as _source_file, _source_line
        from _crm_checked
        where _error is null and _version = 1
        """,
        [*ctx.params, str(path)],
    ).fetchone()[0]
    stats.sample_errors = [
        f"{path}: line {line}, field {field}: {error}"
        for line, field, error in con.execute(
            "select source_line, field, error from raw.load_quarantine "
            "where source_file = ? and _load_date = ? order by source_line limit 5",
            [str(path), ctx.load_date],
        ).fetchall()
    ]
    return stats
