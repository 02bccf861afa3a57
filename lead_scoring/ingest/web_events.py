"""Load one day's Segment-spec web events (JSONL, optionally gzipped) into `raw.web_events`.

Lines are read as text by DuckDB's CSV reader (with a separator no valid JSON line contains), so
each keeps its line number; DuckDB's JSON functions then parse them. A line that is not a JSON
object or lacks a required field is quarantined with its line and field. An event whose
messageId was already loaded (earlier that day, or by a day up to a week away) is loaded once.
"""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path

import duckdb

from lead_scoring.ingest.context import (
    PLAUSIBLE_AHEAD,
    FileStats,
    LoadContext,
    StagedFile,
    plausible_bounds,
)
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

SEGMENT_TYPES = ("page", "track", "identify", "screen", "group", "alias")
# A messageId loaded by a day this close is a duplicate. A wider window costs a scan of more of
# raw.web_events per day; staging (dbt) also keeps one row per messageId over all days.
DEDUP_WINDOW_DAYS = 7
MAX_LINE_BYTES = 8 * 1024 * 1024

# The Segment fields the raw table keeps, parsed from each line once (json_transform).
EVENT_SHAPE = {
    "messageId": "VARCHAR",
    "type": "VARCHAR",
    "event": "VARCHAR",
    "anonymousId": "VARCHAR",
    "userId": "VARCHAR",
    "timestamp": "VARCHAR",
    "properties": "JSON",
    "traits": {"email": "VARCHAR"},
    "context": {"page": {"path": "VARCHAR", "url": "VARCHAR"}, "traits": {"email": "VARCHAR"}},
}


def _sql_type(shape) -> str:
    if isinstance(shape, str):
        return shape
    return "STRUCT(" + ", ".join(f'"{k}" {_sql_type(v)}' for k, v in shape.items()) + ")"


# (field named in the quarantine, condition that makes the line bad, message); first match wins.
LINE_CHECKS = (
    ("(line)", "not is_json", "malformed JSON"),
    ("(line)", "not is_object", "not a JSON object"),
    ("messageId", "nullif(trim(e.messageId), '') is null", "messageId missing"),
    ("type", "e.type is null", "type missing"),
    ("type", f"e.type not in {SEGMENT_TYPES}", "not a Segment event type"),
    ("timestamp", "e.timestamp is null", "timestamp missing"),
    ("timestamp", "ts is null", "not an ISO 8601 timestamp"),
    (
        "timestamp",
        "not (ts between {earliest} and {latest})",
        "implausible date (before 1970 or after {last_day})",
    ),
    (
        "anonymousId",
        "coalesce(nullif(e.anonymousId, ''), nullif(e.userId, '')) is null",
        "neither anonymousId nor userId set",
    ),
    ("event", "e.type = 'track' and nullif(e.event, '') is null", "track without event"),
)


def _read_lines(con: duckdb.DuckDBPyConnection, landed: LandedFile) -> bool:
    """Each line of the file as a row of `_raw_lines`, and the lines the reader refused as rows
    of `_line_rejects`, both numbered by their line in the file (False: read it in Python)."""
    if splits_at_lone_cr(landed):
        return False
    con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    con.execute(
        f"""
        create or replace temp table _raw_lines as
        select row_number() over () as line_no, line
        from read_csv(?, auto_detect = false, header = false, columns = {{'line': 'VARCHAR'}},
                      delim = e'\\x1f', quote = '', escape = '', store_rejects = true,
                      hive_partitioning = false, compression = '{landed.compression}',
                      max_line_size = {MAX_LINE_BYTES})
        """,
        [str(landed.source)],
    )
    # Lines the reader itself could not take (bad encoding, the separator inside, too long) are
    # not among its rows, so the rows after one were numbered too low: the n-th row is the n-th
    # line that is not refused, and a refused line at `line` (the j-th refused) moves every row
    # from number line - j + 1 on down by one. A refused line counts once, whatever the number
    # of errors the reader gave it.
    if con.execute("select count(*) from reject_errors").fetchone()[0]:
        con.execute(
            """
            update _raw_lines set line_no = line_no + (
                select count(*) from (
                    select line - row_number() over (order by line) + 1 as first_row_moved
                    from (select distinct line from reject_errors) as refused_lines
                ) as refused
                where refused.first_row_moved <= _raw_lines.line_no
            )
            """
        )
    con.execute(
        """
        create or replace temp table _line_rejects as
        select line as line_no, any_value(csv_line) as line,
               string_agg(distinct error_type || ': ' || error_message, '; ') as error
        from reject_errors
        group by line
        """
    )
    return True


def _read_lines_in_python(con: duckdb.DuckDBPyConnection, landed: LandedFile) -> None:
    """`_read_lines` for a file DuckDB's reader refuses as a whole (a carriage return inside a
    line) or would split at carriage returns: lines end at `\\n` here."""
    con.execute("create or replace temp table _raw_lines (line_no bigint, line varchar)")
    con.execute("create or replace temp table _line_rejects (line_no bigint, line varchar, error varchar)")
    lines, rejects = [], []
    for number, raw in physical_lines(landed):
        text, error = decode(raw)
        if error:
            rejects.append((number, text, error))
        else:
            lines.append((number, text))
        if len(lines) == BATCH:
            insert_rows(con, "_raw_lines", ["bigint", "varchar"], lines)
            lines.clear()
    insert_rows(con, "_raw_lines", ["bigint", "varchar"], lines)
    insert_rows(con, "_line_rejects", ["bigint", "varchar", "varchar"], rejects)


def stage_event_file(con: duckdb.DuckDBPyConnection, path: Path, ctx: LoadContext) -> Salvage | None:
    """Append the file's lines, parsed and checked, to the temp table `_event_lines`.

    Each line is parsed once (json_transform) after one validity check: a valid JSON text is an
    object exactly when its first character after JSON whitespace is '{'. Blank lines are found
    with ltrim: DuckDB's trim and rtrim decode the whole line, which was most of the load. Only
    quarantined lines keep their text (the quarantine's raw_record).

    A gzip file the reader refuses (truncated, not gzip, junk after the end) is read again from
    the lines that can still be decompressed, and its unreadable rest is one quarantined entry
    (field `(file)`, on the line after the last good one); the damage is returned.
    """
    with tempfile.TemporaryDirectory(prefix="lead-scoring-") as workdir:
        landed = LandedFile(path, Path(workdir))
        read_with_fallbacks(
            landed, lambda: _read_lines(con, landed), lambda: _read_lines_in_python(con, landed)
        )
    damage = landed.damage
    con.execute(
        """
        insert into _event_lines (source_file, line_no, line, error_field, error)
        select ?, line_no, line, '(line)', error from _line_rejects
        """,
        [str(path)],
    )
    if damage is not None:
        con.execute(
            "insert into _event_lines (source_file, line_no, line, error_field, error) "
            "values (?, ?, ?, '(file)', ?)",
            [str(path), damage.lines + 1, damage.rest, damage.message],
        )
    earliest, latest = plausible_bounds(ctx.load_date)
    bounds = {"earliest": earliest, "latest": latest, "last_day": ctx.load_date + PLAUSIBLE_AHEAD}
    problem = " ".join(
        f"when {cond.format(**bounds)} then ['{field}', '{msg.format(**bounds)}']"
        for field, cond, msg in LINE_CHECKS
    )
    con.execute(
        f"""
        insert into _event_lines
        select ? as source_file, line_no, case when problem is not null then line end,
               problem[1], problem[2], e, timezone('UTC', ts)
        from (
            select *, case {problem} end as problem
            from (
                select *, try_cast(e.timestamp as timestamptz) as ts
                from (
                    select *,
                           case when is_object
                                then json_transform(line, '{json.dumps(EVENT_SHAPE)}') end as e
                    from (
                        select line_no, line, is_json,
                               is_json and ltrim(line, e' \\t\\r\\n') like '{{%' as is_object
                        from (
                            select line_no, line, json_valid(line) as is_json
                            from _raw_lines
                            where ltrim(line) <> ''
                        )
                    )
                )
            )
        )
        """,
        [str(path)],
    )
    return damage


def stage_web_events_day(
    con: duckdb.DuckDBPyConnection, files: list[Path], ctx: LoadContext
) -> list[StagedFile]:
    """Parse and check the day's event files into temp tables; return the writes to make.

    The first occurrence of each messageId in the day is kept, unless a day within
    DEDUP_WINDOW_DAYS already loaded it (re-running this day replaces this day's rows, so they
    do not count).
    """
    window = timedelta(days=DEDUP_WINDOW_DAYS)
    con.execute(
        f"""
        create or replace temp table _event_lines (
            source_file varchar, line_no bigint, line varchar, error_field varchar,
            error varchar, e {_sql_type(EVENT_SHAPE)}, event_timestamp timestamp
        )
        """
    )
    damage = {path: stage_event_file(con, path, ctx) for path in files}
    columns = """
        e.messageId as message_id,
        e.type as type,
        e.event as event,
        nullif(e.anonymousId, '') as anonymous_id,
        nullif(e.userId, '') as user_id,
        event_timestamp,
        e.context.page.path as page_path,
        e.context.page.url as page_url,
        nullif(trim(coalesce(e.traits.email, e.context.traits.email,
                             e.properties ->> 'email')), '') as email,
        e.properties::varchar as properties,
        source_file as _source_file,
        line_no as _source_line
    """
    # Only the few messageIds repeated within the day go through the window; and the days nearby
    # are probed with the day's ids (a small answer) rather than joined whole: each halved the step.
    # (`in` rather than correlated `exists`, which DuckDB joins on the whole struct; no id is null
    # once a line passed the checks.)
    con.execute(
        f"""
        create or replace temp table _event_new as
        with
        repeated as (
            select e.messageId as message_id from _event_lines
            where error is null
            group by e.messageId
            having count(*) > 1
        ),
        firsts as (
            select {columns} from _event_lines
            where error is null and e.messageId not in (select message_id from repeated)
            union all
            select {columns} from _event_lines
            where error is null and e.messageId in (select message_id from repeated)
            qualify row_number() over (partition by e.messageId order by source_file, line_no) = 1
        ),
        loaded_nearby as (
            select distinct w.message_id from raw.web_events w
            where w._load_date <> ? and w._load_date between ? and ?
              and w.message_id in (select message_id from firsts)
        )
        select * from firsts
        where message_id not in (select message_id from loaded_nearby)
        """,
        [ctx.load_date, ctx.load_date - window, ctx.load_date + window],
    )
    counts = {
        source: (read, quarantined)
        for source, read, quarantined in con.execute(
            "select source_file, count(*), count(error) from _event_lines group by 1"
        ).fetchall()
    }
    loaded = dict(con.execute("select _source_file, count(*) from _event_new group by 1").fetchall())
    staged = []
    for path in files:
        read, quarantined = counts.get(str(path), (0, 0))
        rows_loaded = loaded.get(str(path), 0)
        samples = con.execute(
            "select line_no, error_field, error from _event_lines "
            "where source_file = ? and error is not null order by line_no limit 5",
            [str(path)],
        ).fetchall()
        staged.append(
            StagedFile(
                FileStats(
                    str(path),
                    "web_events",
                    rows_read=read,
                    rows_loaded=rows_loaded,
                    rows_quarantined=quarantined,
                    rows_duplicate=read - quarantined - rows_loaded,
                    sample_errors=[f"{path}: line {n}, field {f}: {e}" for n, f, e in samples],
                    note=damage[path].message if damage[path] else None,
                    unreadable=int(damage[path] is not None),
                )
            )
        )
    staged[-1].writes = [
        (
            """
            insert into raw.load_quarantine by name
            select ? as _load_date, ? as _loaded_at, ? as _dag_run_id, 'web_events' as entity,
                   source_file, line_no as source_line, error_field as field, error,
                   line as raw_record
            from _event_lines where error is not null
            """,
            ctx.params,
        ),
        (
            """
            insert into raw.web_events by name
            select *, ? as _load_date, ? as _loaded_at, ? as _dag_run_id from _event_new
            """,
            ctx.params,
        ),
    ]
    staged[-1].temp_tables = ["_event_lines", "_event_new", "_raw_lines", "_line_rejects"]
    return staged
