"""Load one day's CRM CSV exports (contacts, companies, deals) into `raw.crm_*`.

Every column of the export is kept as text, custom properties included; typing happens in dbt
staging. DuckDB's CSV reader does the work; rows it cannot parse land in its rejects table and
from there in `raw.load_quarantine`, with the file, line and column.
"""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lead_scoring.ingest.context import (
    PLAUSIBLE_AHEAD,
    FileStats,
    LoadContext,
    StagedFile,
    plausible_bounds,
)
from lead_scoring.ingest.errors import IngestError, MissingColumnsError
from lead_scoring.ingest.salvage import (
    BATCH,
    LandedFile,
    Salvage,
    decode,
    insert_rows,
    physical_lines,
    read_with_fallbacks,
    splits_at_lone_cr,
)
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


def read_header(landed: LandedFile) -> list[str] | None:
    """The header row, parsed the way the CSV reader will; None for an empty file.

    Only the first line is decoded: a bad byte further down is the CSV reader's to report, on
    its own line.
    """
    opener = gzip.open if landed.compression == "gzip" else open
    with opener(landed.source, "rb") as handle:
        first = handle.readline()
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{landed.path}: line 1 (header): not UTF-8 text ({exc.reason})") from exc
    if not first:
        return None
    try:
        header = next(csv.reader(io.StringIO(text), strict=True), None)
    except csv.Error as exc:
        raise IngestError(f"{landed.path}: line 1 (header): not a CSV header ({exc})") from exc
    if not header:
        raise IngestError(f"{landed.path}: line 1 (header): the header line is empty")
    return header


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


def _read_rows(
    con: duckdb.DuckDBPyConnection,
    landed: LandedFile,
    columns: list[str],
    rows: str,
    rejects: str,
) -> bool:
    """Read the file's records into `rows` and the ones the reader refused into `rejects` (one
    row per record), numbered by the physical line each record starts on.

    DuckDB's reader numbers records, not lines; the numbers are lines exactly when every record
    is one line. That is checked by counting the file's lines (one more fast read); quoted values
    over several lines are then counted in (`_records_to_lines`), and anything else (a blank
    line, say) returns False, which sends the file to the Python reader.
    """
    if splits_at_lone_cr(landed):
        return False
    struct = ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in columns)
    con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    con.execute(
        f"""
        create or replace temp table {rows} as
        select row_number() over () + 1 as _source_line, *
        from read_csv(?, auto_detect = false, header = true, columns = {{{struct}}},
                      delim = ',', quote = '"', escape = '"', store_rejects = true,
                      hive_partitioning = false, compression = '{landed.compression}',
                      max_line_size = {MAX_LINE_BYTES})
        """,
        [str(landed.source)],
    )
    # The reader gives some refused records several errors (one per missing column, say):
    # a record is quarantined once, with all its errors.
    con.execute(
        f"""
        create or replace temp table {rejects} as
        select line as source_line,
               case when count(distinct coalesce(column_name, '(row)')) = 1
                    then any_value(coalesce(column_name, '(row)')) else '(row)' end as field,
               string_agg(distinct error_type || ': ' || error_message, '; ') as error,
               any_value(csv_line) as raw_record
        from reject_errors
        group by line
        """
    )
    records, multi_line = con.execute(
        f"""
        select (select count(*) from {rows}) + count(*) + 1,
               count(*) filter (where contains(trim(raw_record, e'\\r\\n'), e'\\n'))
        from {rejects}
        """
    ).fetchone()
    # The line count keeps its refused lines in tables of its own.
    con.execute("drop table if exists _line_count_rejects; drop table if exists _line_count_scans")
    lines = con.execute(
        f"""
        select count(*)
        from read_csv(?, auto_detect = false, header = false, columns = {{'line': 'VARCHAR'}},
                      delim = e'\\x1f', quote = '', escape = '', store_rejects = true,
                      rejects_table = '_line_count_rejects', rejects_scan = '_line_count_scans',
                      hive_partitioning = false, compression = '{landed.compression}',
                      max_line_size = {MAX_LINE_BYTES})
        """,
        [str(landed.source)],
    ).fetchall()[0][0]  # all: DuckDB writes the rejects table once the result is consumed
    lines += con.execute("select count(distinct line) from _line_count_rejects").fetchone()[0]
    con.execute("drop table if exists _line_count_rejects; drop table if exists _line_count_scans")
    # Records refused by the reader are not among its rows, so the rows after one were numbered
    # too low (see the same step in web_events).
    if records > con.execute(f"select count(*) + 1 from {rows}").fetchone()[0]:
        con.execute(
            f"""
            update {rows} set _source_line = _source_line + (
                select count(*) from (
                    select source_line - row_number() over (order by source_line) + 1 as moved
                    from {rejects}
                ) as refused
                where refused.moved <= {rows}._source_line
            )
            """
        )
    if records == lines and not multi_line:
        return True
    return _records_to_lines(con, columns, rows, rejects, lines - records)


def _records_to_lines(
    con: duckdb.DuckDBPyConnection, columns: list[str], rows: str, rejects: str, extra: int
) -> bool:
    """Renumber records (numbered 1, 2, ... from the header) by the line each starts on, when
    the file's extra lines are all line feeds inside quoted values: a record then starts as many
    lines further down as there are line feeds in the records before it. False when they are not
    (a blank line, say): the Python reader then numbers the file."""
    feeds = " + ".join(
        f"coalesce(length({quote_ident(c)}) - length(replace({quote_ident(c)}, e'\\n', '')), 0)"
        for c in columns
    )
    any_feed = " or ".join(f"contains({quote_ident(c)}, e'\\n')" for c in columns)
    con.execute(
        f"""
        create or replace temp table _record_feeds as
        select _source_line as record, {feeds} as feeds from {rows} where {any_feed}
        union all
        select source_line, length(trimmed) - length(replace(trimmed, e'\\n', ''))
        from (select source_line, trim(raw_record, e'\\r\\n') as trimmed from {rejects})
        """
    )
    try:
        if con.execute("select coalesce(sum(feeds), 0) from _record_feeds").fetchone()[0] != extra:
            return False
        con.execute(
            """
            create or replace temp table _record_shift as
            select record, sum(feeds) over (order by record) as shift
            from _record_feeds where feeds > 0
            """
        )
        for table, column in ((rows, "_source_line"), (rejects, "source_line")):
            con.execute(
                f"""
                create or replace temp table {table} as
                select t.* replace (t.{column} + coalesce(s.shift, 0) as {column})
                from {table} t asof left join _record_shift s on t.{column} > s.record
                """
            )
        return True
    finally:
        con.execute("drop table if exists _record_feeds; drop table if exists _record_shift")


def _read_rows_in_python(
    con: duckdb.DuckDBPyConnection,
    landed: LandedFile,
    columns: list[str],
    rows: str,
    rejects: str,
) -> None:
    """`_read_rows` by Python's csv module, for a file whose records are not one line each or
    that DuckDB's reader refuses as a whole: each record keeps the line it starts on. Slower than
    DuckDB's reader, so only such files come here."""
    csv.field_size_limit(MAX_LINE_BYTES)
    line = 0
    consumed: list[str] = []
    bad_encoding: list[str] = []

    def texts():
        nonlocal line
        for number, raw in physical_lines(landed, keep_cr=True):
            line = number
            text, error = decode(raw)
            if error:
                bad_encoding.append(error)
            consumed.append(text.removesuffix("\r"))
            yield text + "\n"

    con.execute(
        f"create or replace temp table {rows} (_source_line bigint, "
        + ", ".join(f"{quote_ident(c)} varchar" for c in columns)
        + ")"
    )
    types = ["bigint", *["varchar"] * len(columns)]
    refused: list[tuple[int, str, str, str]] = []
    good: list[tuple] = []
    reader = csv.reader(texts(), strict=True)
    header = True
    while True:
        start = line + 1
        consumed.clear()
        bad_encoding.clear()
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            refused.append((start, "(row)", f"CSV ERROR: {exc}", "\n".join(consumed)))
            continue
        if header or not consumed or record == []:
            header = False  # the header, or a blank line
            continue
        raw = "\n".join(consumed)
        if len(record) > len(columns) and not any(record[len(columns) :]):
            record = record[: len(columns)]  # empty fields after the last: DuckDB's reading
        if bad_encoding:
            refused.append((start, "(row)", bad_encoding[0], raw))
        elif len(record) != len(columns):
            kind = "TOO MANY" if len(record) > len(columns) else "MISSING"
            refused.append(
                (
                    start,
                    "(row)",
                    f"{kind} COLUMNS: Expected Number of Columns: {len(columns)} Found: {len(record)}",
                    raw,
                )
            )
        else:
            good.append((start, *(value or None for value in record)))
            if len(good) == BATCH:
                insert_rows(con, rows, types, good)
                good.clear()
    insert_rows(con, rows, types, good)
    con.execute(
        f"create or replace temp table {rejects} (source_line bigint, field varchar, "
        "error varchar, raw_record varchar)"
    )
    insert_rows(con, rejects, ["bigint", "varchar", "varchar", "varchar"], refused)


def _damage_only(stats: FileStats, damage: Salvage, ctx: LoadContext, entity: CrmEntity) -> StagedFile:
    """A damaged file without even a readable header: its one quarantined entry."""
    stats.rows_read = stats.rows_quarantined = stats.unreadable = 1
    stats.note = damage.message
    stats.sample_errors = [f"{stats.source_file}: line {damage.lines + 1}, field (file): {damage.message}"]
    write = (
        "insert into raw.load_quarantine by name select ? as _load_date, ? as _loaded_at, "
        "? as _dag_run_id, ? as source_file, ? as entity, ? as source_line, '(file)' as field, "
        "? as error, ? as raw_record",
        [*ctx.params, stats.source_file, entity.name, damage.lines + 1, damage.message, damage.rest],
    )
    return StagedFile(stats, [write])


def stage_crm_file(
    con: duckdb.DuckDBPyConnection, path: Path, entity: CrmEntity, ctx: LoadContext, slot: int
) -> StagedFile:
    """Read and check one export into temp tables `_crm_*_<slot>`; return the writes to make."""
    stats = FileStats(str(path), entity.name)
    rows, checked, rejects = f"_crm_rows_{slot}", f"_crm_checked_{slot}", f"_crm_rejects_{slot}"
    with tempfile.TemporaryDirectory(prefix="lead-scoring-") as workdir:
        landed = LandedFile(path, Path(workdir))
        try:
            header = read_header(landed)
        except (OSError, EOFError, zlib.error):  # a damaged gzip file
            if not landed.fall_back():
                raise
            header = read_header(landed)
        columns = mapped_columns(path, header, entity, ctx) if header else []
        if columns:
            ensure_crm_table(con, entity.table, columns)
            read_with_fallbacks(
                landed,
                lambda: _read_rows(con, landed, columns, rows, rejects),
                lambda: _read_rows_in_python(con, landed, columns, rows, rejects),
            )
    damage = landed.damage
    if not columns:
        return _damage_only(stats, damage, ctx, entity) if damage else StagedFile(stats)
    if damage is not None:
        con.execute(
            f"insert into {rejects} values (?, '(file)', ?, ?)",
            [damage.lines + 1, damage.message, damage.rest],
        )
        stats.note, stats.unreadable = damage.message, 1

    earliest, latest = plausible_bounds(ctx.load_date)
    # A row is bad when its id is not a positive integer written in plain digits (`1.5`, `1e3`,
    # `0x10`, `-7` or ` 7` would be cast to some other record's id) or a required timestamp does
    # not parse, or is before 1970 or later than the day after the load date.
    checks = [
        (
            "hs_object_id",
            "hs_object_id is null or not regexp_full_match(hs_object_id, '[1-9][0-9]*') "
            "or try_cast(hs_object_id as bigint) is null",
            "not an integer record id",
        ),
        *(
            (c, f"try_cast({c} as timestamptz) is null", "not an ISO 8601 timestamp")
            for c in TIMESTAMP_COLUMNS
        ),
        *(
            (
                c,
                f"not (try_cast({c} as timestamptz) between {earliest} and {latest})",
                f"implausible date (before 1970 or after {ctx.load_date + PLAUSIBLE_AHEAD})",
            )
            for c in TIMESTAMP_COLUMNS
        ),
    ]
    field_case = " ".join(f"when {cond} then '{col}'" for col, cond, _ in checks)
    error_case = " ".join(
        f"when {cond} then 'invalid value ' || coalesce('\"' || {col} || '\"', 'NULL') || ': {msg}'"
        for col, cond, msg in checks
    )
    # Versions are ranked among the good rows only: a newer row that is quarantined must not
    # supersede the good older version of its record.
    con.execute(
        f"""
        create or replace temp table {checked} as
        select _source_line, _error_field, _error,
               row_number() over (
                   partition by hs_object_id, _error is null
                   order by try_cast(lastmodifieddate as timestamptz) desc nulls last,
                            _source_line desc
               ) as _version
        from (
            select _source_line, hs_object_id, lastmodifieddate,
                   case {field_case} end as _error_field,
                   case {error_case} end as _error
            from {rows}
        )
        """
    )
    parse_rejects, bad_values, duplicates, good = con.execute(
        f"""
        select (select count(*) from {rejects}),
               count(*) filter (where _error is not null),
               count(*) filter (where _error is null and _version > 1),
               count(*) filter (where _error is null and _version = 1)
        from {checked}
        """
    ).fetchone()
    samples = con.execute(
        f"""
        select source_line, field, error from {rejects}
        union all
        select _source_line, _error_field, _error from {checked} where _error is not null
        order by 1 limit 5
        """
    ).fetchall()
    stats.rows_read = parse_rejects + bad_values + duplicates + good
    stats.rows_quarantined = parse_rejects + bad_values
    stats.rows_duplicate = duplicates
    stats.rows_loaded = good
    stats.sample_errors = [f"{path}: line {n}, field {f}: {e}" for n, f, e in samples]

    meta = [*ctx.params, str(path), entity.name]
    select_list = ", ".join(quote_ident(c) for c in columns)
    prefix = (
        "insert into raw.load_quarantine by name select ? as _load_date, ? as _loaded_at, "
        "? as _dag_run_id, ? as source_file, ? as entity, "
    )
    writes = [
        (prefix + f"source_line, field, error, raw_record from {rejects}", meta),
        (
            prefix
            + f"""c._source_line as source_line, c._error_field as field, c._error as error,
            to_json(r)::varchar as raw_record
            from {checked} c join {rows} r using (_source_line) where c._error is not null""",
            meta,
        ),
        (
            prefix
            + f"""c._source_line as source_line, 'hs_object_id' as field,
            'duplicate hs_object_id ' || r.hs_object_id || ': superseded by a later version'
                as error,
            to_json(r)::varchar as raw_record
            from {checked} c join {rows} r using (_source_line)
            where c._error is null and c._version > 1""",
            meta,
        ),
        (
            f"""insert into raw.{entity.table} by name
            select {select_list}, ? as _load_date, ? as _loaded_at, ? as _dag_run_id,
                   ? as _source_file, r._source_line
            from {checked} c join {rows} r using (_source_line)
            where c._error is null and c._version = 1""",
            [*ctx.params, str(path)],
        ),
    ]
    return StagedFile(stats, writes, temp_tables=[rows, checked, rejects])
