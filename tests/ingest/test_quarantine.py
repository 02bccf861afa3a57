"""Bad input is quarantined with its file, line and field; good rows around it are kept."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from lead_scoring.ingest import MissingColumnsError, TooManyBadRowsError
from lead_scoring.ingest.errors import IngestError
from tests.ingest.conftest import CONTACT_HEADER, DAY, event

GOOD = "1,{n}@example.com,Ann,Lee,2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,buyer"


def contacts(*rows: str) -> str:
    return "\n".join([CONTACT_HEADER, *rows]) + "\n"


def quarantine(landing) -> list[tuple]:
    return landing.rows(
        "select entity, source_file, source_line, field, error, raw_record "
        "from raw.load_quarantine order by source_file, source_line"
    )


def test_each_day_loaded_gets_a_progress_line(landing, caplog):
    landing.crm("contacts", contacts(GOOD.format(n="a")), day=DAY - timedelta(days=1))
    landing.crm("contacts", contacts(GOOD.format(n="b"), "2,not-a-date"))
    landing.events([event("m1"), event("m2"), "{not json"])
    caplog.set_level(logging.INFO, logger="lead_scoring.ingest")

    landing.load(DAY - timedelta(days=1), DAY, max_bad_share=0.6)

    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ingest [")]
    assert [re.sub(r"\(\d+\.\ds\)$", "(Ts)", line) for line in lines] == [
        "ingest [1/2] 2026-11-19: 1 file(s), 1 rows loaded, 0 quarantined (Ts)",
        "ingest [2/2] 2026-11-20: 2 file(s), 3 rows loaded, 2 quarantined (Ts)",
    ]


def test_malformed_json_lines_are_quarantined_with_line_and_the_rest_loaded(landing):
    good = [event(f"m{i}") for i in range(40)]
    path = landing.events([*good[:20], "{not json", "[1, 2]", *good[20:]])

    landing.load(max_bad_share=0.1)

    assert landing.rows("select count(*) from raw.web_events") == [(40,)]
    assert [(q[1], q[2], q[3], q[4], q[5]) for q in quarantine(landing)] == [
        (str(path), 21, "(line)", "malformed JSON", "{not json"),
        (str(path), 22, "(line)", "not a JSON object", "[1, 2]"),
    ]


@pytest.mark.parametrize(
    ("bad_event", "field", "error"),
    [
        ({"type": "page"}, "messageId", "messageId missing"),
        ({"messageId": "x", "type": "click"}, "type", "not a Segment event type"),
        ({"timestamp": "yesterday"}, "timestamp", "not an ISO 8601 timestamp"),
        ({"anonymousId": None}, "anonymousId", "neither anonymousId nor userId set"),
        ({"type": "track"}, "event", "track without event"),
    ],
)
def test_an_event_missing_a_required_field_names_the_field(landing, bad_event, field, error):
    bad = event("bad", **bad_event)
    if "messageId" not in bad_event and field == "messageId":
        del bad["messageId"]
    landing.events([event("ok-1"), bad, event("ok-2")])

    landing.load(max_bad_share=1.0)

    (row,) = quarantine(landing)
    assert (row[2], row[3], row[4]) == (2, field, error)
    assert landing.rows("select message_id from raw.web_events order by 1") == [("ok-1",), ("ok-2",)]


def test_invalid_utf8_and_blank_lines(landing):
    landing.events([event("a"), b'\xff\xfe{"messageId": "b"}', "", "   ", event("c")], name="part-1.jsonl")
    landing.load(max_bad_share=1.0)
    assert landing.rows("select message_id from raw.web_events order by 1") == [("a",), ("c",)]
    ((line, field),) = [(q[2], q[3]) for q in quarantine(landing)]
    assert (line, field) == (2, "(line)")


def test_lines_after_one_the_reader_refuses_keep_their_numbers(landing):
    # the reader leaves out lines it cannot split (here, the separator inside): the lines after
    # them are still named by their own line number, in the quarantine and in raw.web_events
    path = landing.events(
        [event("a"), b"bad\x1fline", event("b"), "{not json", b"\xff\xfe", event("c")], name="part-1.jsonl"
    )
    landing.load(max_bad_share=1.0)
    assert [(q[2], q[4][:17]) for q in quarantine(landing)] == [
        (2, "TOO MANY COLUMNS:"),
        (4, "malformed JSON"),
        (5, "INVALID ENCODING:"),
    ]
    assert landing.rows("select message_id, _source_file, _source_line from raw.web_events order by 1") == [
        ("a", str(path), 1),
        ("b", str(path), 3),
        ("c", str(path), 6),
    ]


def test_repeated_message_id_is_loaded_once_within_a_day_and_across_days(landing):
    from datetime import date

    landing.events([event("dup"), event("dup"), event("one")])
    landing.events([event("dup", timestamp="2026-11-21T09:00:00Z"), event("two")], day=date(2026, 11, 21))

    report = landing.load(date(2026, 11, 20), date(2026, 11, 21))
    landing.load(date(2026, 11, 21))  # re-running the later day must not duplicate either

    assert landing.rows("select message_id, count(*) from raw.web_events group by 1 order by 1") == [
        ("dup", 1),
        ("one", 1),
        ("two", 1),
    ]
    assert report.total("rows_duplicate") == 2
    assert landing.rows("select count(*) from raw.load_quarantine") == [(0,)]


def test_missing_required_column_fails_naming_column_and_file(landing):
    path = landing.crm("contacts", "hs_object_id,firstname,createdate\n1,Ann,2026-01-01\n")
    with pytest.raises(MissingColumnsError) as failure:
        landing.load()
    assert str(path) in str(failure.value)
    assert "email" in str(failure.value) and "lastmodifieddate" in str(failure.value)


def test_bad_crm_rows_name_line_and_field_and_keep_the_good_ones(landing):
    path = landing.crm(
        "contacts",
        contacts(
            GOOD.format(n="a"),
            "abc,b@example.com,Bo,Li,2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,x",
            "3,c@example.com,Cy,Wu,never,2026-11-20T08:00:00Z,x",
            "4,d@example.com,Too,Many,2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,x,extra",
            *(GOOD.replace("1,", f"{i},", 1).format(n=i) for i in range(10, 60)),
        ),
    )

    landing.load(max_bad_share=0.1)

    rows = {(q[2], q[3]): q[4] for q in quarantine(landing) if q[1] == str(path)}
    assert rows[(3, "hs_object_id")] == 'invalid value "abc": not an integer record id'
    assert rows[(4, "createdate")] == 'invalid value "never": not an ISO 8601 timestamp'
    assert rows[(5, "(row)")].startswith("TOO MANY COLUMNS")
    assert landing.rows("select count(*) from raw.crm_contacts") == [(51,)]


def test_duplicate_record_ids_keep_the_latest_version_and_quarantine_the_older(landing):
    landing.crm(
        "contacts",
        contacts(
            "7,old@example.com,Ann,Lee,2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,x",
            "7,new@example.com,Ann,Lee,2026-01-01T00:00:00Z,2026-11-20T09:00:00Z,x",
        ),
    )
    report = landing.load(max_bad_share=0.0)
    assert landing.rows("select email from raw.crm_contacts") == [("new@example.com",)]
    assert report.total("rows_duplicate") == 1
    assert [q[3] for q in quarantine(landing)] == ["hs_object_id"]


def test_a_quarantined_newer_version_leaves_the_good_older_one_loaded(landing):
    landing.crm(
        "contacts",
        contacts(
            "7,good@example.com,Ann,Lee,2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,x",
            "7,newer@example.com,Ann,Lee,not a date,2026-11-20T09:00:00Z,x",
        ),
    )
    report = landing.load(max_bad_share=1.0)
    assert landing.rows("select email from raw.crm_contacts") == [("good@example.com",)]
    counts = [report.total(k) for k in ("rows_loaded", "rows_quarantined", "rows_duplicate")]
    assert counts == [1, 1, 0]
    assert [(q[2], q[3]) for q in quarantine(landing)] == [(3, "createdate")]


def test_quotes_sql_and_unicode_survive_exactly(landing):
    name = 'O\'Brien "Bob"; drop table raw.crm_contacts;--'
    landing.crm(
        "contacts",
        contacts(
            f'1,zoe@example.com,"{name.replace(chr(34), chr(34) * 2)}",Nguyễn,'
            "2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,Zoë ✓",
        ),
    )
    landing.events([event("q", properties={"title": 'It\'s "quoted" ✓'})])
    landing.load()
    assert landing.rows("select firstname, lastname, persona from raw.crm_contacts") == [
        (name, "Nguyễn", "Zoë ✓")
    ]
    assert "It's" in landing.rows("select properties from raw.web_events")[0][0]


def test_empty_and_header_only_files_load_nothing_without_failing(landing):
    landing.crm("contacts", "")
    landing.crm("companies", "hs_object_id,name,createdate,lastmodifieddate\n")
    landing.events([], name="part-0.jsonl")
    report = landing.load()
    assert report.total("rows_loaded") == 0 and report.total("rows_quarantined") == 0


def test_past_the_threshold_the_load_fails_loudly_and_keeps_the_quarantine(landing):
    path = landing.events([event("ok"), "oops", "{", event("ok2")])
    with pytest.raises(TooManyBadRowsError) as failure:
        landing.load(max_bad_share=0.05)
    message = str(failure.value)
    assert str(path) in message and "line 2" in message and "2 of 4 rows" in message
    assert len(quarantine(landing)) == 2  # committed, so it can be inspected


def test_repeated_or_unnamed_header_columns_are_refused(landing):
    landing.crm("contacts", "hs_object_id,email,EMAIL,createdate,lastmodifieddate\n")
    with pytest.raises(IngestError, match="email repeated"):
        landing.load()


def test_a_large_file_loads_every_line(landing):
    """300k events: past the size where DuckDB 2.0 loses rows of temp tables filled in a
    transaction (see StagedFile), so staging must stay out of the day's transaction."""
    lines = [
        f'{{"messageId":"m{i}","type":"page","anonymousId":"a{i % 997}",'
        f'"timestamp":"2026-11-20T10:00:00Z","context":{{"page":{{"path":"/p{i % 50}"}}}}}}'
        for i in range(300_000)
    ]
    landing.events([*lines, "{broken"])
    report = landing.load()
    assert landing.rows(
        "select count(*), count(distinct message_id), count(page_path) from raw.web_events"
    ) == [(300_000, 300_000, 300_000)]
    assert (report.total("rows_read"), report.total("rows_quarantined")) == (300_001, 1)


@pytest.mark.parametrize(
    "record_id", ["1.5", "1e3", "0x10", "-910032", "+7", " 7", "007", "", "99999999999999999999"]
)
def test_a_record_id_that_is_not_plain_positive_digits_is_quarantined_not_renumbered(landing, record_id):
    landing.crm(
        "contacts",
        contacts(
            GOOD.format(n="a"),
            f'"{record_id}",b@example.com,Bo,Li,2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,x',
        ),
    )
    landing.load(max_bad_share=1.0)
    assert landing.rows("select hs_object_id from raw.crm_contacts") == [("1",)]
    shown = f'"{record_id}"' if record_id else "NULL"
    assert [(q[2], q[3], q[4]) for q in quarantine(landing)] == [
        (3, "hs_object_id", f"invalid value {shown}: not an integer record id")
    ]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("createdate", "1900-01-01T00:00:00Z"),
        ("createdate", "1969-12-31T23:59:59Z"),
        ("createdate", "2026-11-22T00:00:00Z"),  # more than a day after the load date 2026-11-20
        ("lastmodifieddate", "2099-01-01T00:00:00Z"),
    ],
)
def test_an_implausible_crm_date_is_quarantined(landing, column, value):
    dates = {"createdate": "2026-01-01T00:00:00Z", "lastmodifieddate": "2026-11-20T08:00:00Z"}
    dates[column] = value
    landing.crm(
        "contacts",
        contacts(
            GOOD.format(n="a"),
            f"2,b@example.com,Bo,Li,{dates['createdate']},{dates['lastmodifieddate']},x",
            "3,c@example.com,Cy,Wu,1970-01-01T00:00:00Z,2026-11-21T23:59:59Z,x",  # plausible
        ),
    )
    landing.load(max_bad_share=1.0)
    assert landing.rows("select hs_object_id from raw.crm_contacts order by 1") == [("1",), ("3",)]
    assert [(q[2], q[3], q[4]) for q in quarantine(landing)] == [
        (3, column, (f'invalid value "{value}": implausible date (before 1970 or after 2026-11-21)'))
    ]


def test_an_event_dated_before_1970_or_after_tomorrow_is_quarantined(landing):
    landing.events(
        [
            event("old", timestamp="1900-01-01T00:00:00Z"),
            event("ok", timestamp="2026-11-21T23:00:00Z"),
            event("future", timestamp="2027-01-01T00:00:00Z"),
        ]
    )
    landing.load(max_bad_share=1.0)
    assert landing.rows("select message_id from raw.web_events") == [("ok",)]
    assert [(q[2], q[3], q[4]) for q in quarantine(landing)] == [
        (1, "timestamp", "implausible date (before 1970 or after 2026-11-21)"),
        (3, "timestamp", "implausible date (before 1970 or after 2026-11-21)"),
    ]
