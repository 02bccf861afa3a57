"""Counts and line numbers are honest: a bad record counts once, and every loaded or
quarantined row names the physical line of the file it starts on."""

from __future__ import annotations

import json

from tests.ingest.conftest import CONTACT_HEADER, event

DATES = "2026-01-01T00:00:00Z,2026-11-20T08:00:00Z"


def row(i: int, email: str | None = None, persona: str = "x") -> str:
    return f"{i},{email or f'c{i}@example.com'},Ann,Lee,{DATES},{persona}"


def loaded(landing) -> list[tuple]:
    return landing.rows("select hs_object_id, _source_line from raw.crm_contacts order by _source_line")


def quarantined(landing) -> list[tuple]:
    return landing.rows("select source_line, field, error from raw.load_quarantine order by source_line")


def test_a_record_with_too_many_or_too_few_columns_counts_once(landing):
    bad = [
        "2,b@example.com",  # four columns missing: four reader errors, one record
        "3",
        f"{row(4)},extra,more",
        f"{row(5)},extra",
        "6,b@example.com,Ann",
        f"{row(7)},,,,x",
        "8,,",
        "9,x,y",
    ]
    landing.crm("contacts", "\n".join([CONTACT_HEADER, row(1), *bad, row(10)]) + "\n")

    report = landing.load(max_bad_share=1.0)

    assert (report.total("rows_read"), report.total("rows_quarantined"), report.total("rows_loaded")) == (
        10,
        8,
        2,
    )
    assert [q[0] for q in quarantined(landing)] == list(range(3, 11))
    assert loaded(landing) == [("1", 2), ("10", 11)]


def test_line_numbers_are_physical_after_a_value_over_several_lines(landing):
    landing.crm(
        "contacts",
        "\n".join(
            [
                CONTACT_HEADER,
                row(1, persona='"line one\nline two\nline three"'),  # lines 2-4
                row(2),  # line 5
                "3,too,few",  # line 6
                row(4, persona='"a\r\nb"'),  # lines 7-8
                "",  # line 9, blank
                row(5),  # line 10
            ]
        )
        + "\n",
    )

    landing.load(max_bad_share=1.0)

    assert loaded(landing) == [("1", 2), ("2", 5), ("4", 7), ("5", 10)]
    assert [q[:2] for q in quarantined(landing)] == [(6, "(row)")]
    assert landing.rows("select persona from raw.crm_contacts where hs_object_id = '1'") == [
        ("line one\nline two\nline three",)
    ]


def test_line_numbers_after_values_over_several_lines_and_a_refused_record(landing):
    # no blank line: the line feeds inside the values account for every extra line
    landing.crm(
        "contacts",
        "\n".join(
            [
                CONTACT_HEADER,
                row(1, persona='"a\nb"'),  # lines 2-3
                '4,"x\ny",too,few',  # lines 4-5, refused
                row(2),  # line 6
                row(3, persona='"p\nq\nr"'),  # lines 7-9
                row(5),  # line 10
            ]
        )
        + "\n",
    )

    landing.load(max_bad_share=1.0)

    assert loaded(landing) == [("1", 2), ("2", 6), ("3", 7), ("5", 10)]
    assert [q[:2] for q in quarantined(landing)] == [(4, "(row)")]


def test_a_bad_byte_on_line_3_is_reported_on_line_3_and_the_rest_loads(landing):
    body = "\n".join([CONTACT_HEADER, row(1), "@@@", row(3)]).encode()
    landing.crm("contacts", body.replace(b"@@@", row(2).encode().replace(b"Ann", b"An\xffn")))

    report = landing.load(max_bad_share=1.0)

    assert loaded(landing) == [("1", 2), ("3", 4)]
    ((line, _, error),) = quarantined(landing)
    assert line == 3 and error.startswith("INVALID ENCODING")
    assert report.total("rows_read") == 3


def test_a_stray_carriage_return_quarantines_its_record_not_the_file(landing):
    landing.crm(
        "contacts", "\n".join([CONTACT_HEADER, row(1), row(2, persona="a\rb"), row(3) + "\r", row(4)]) + "\n"
    )

    report = landing.load(max_bad_share=1.0)

    assert loaded(landing) == [("1", 2), ("3", 4), ("4", 5)]
    assert [q[:2] for q in quarantined(landing)] == [(3, "(row)")]
    assert report.total("rows_read") == 4


def test_a_stray_carriage_return_in_an_event_file(landing):
    path = landing.events(
        [event("a"), b'{"messageId": "x",\r "type": "page"}', event("b"), b"\xff", event("c")],
        name="part-0.jsonl",
    )
    path.write_bytes(path.read_bytes().replace(b'"b"', b'"b"   ', 1))

    report = landing.load(max_bad_share=1.0)

    assert landing.rows("select message_id, _source_line from raw.web_events order by 2") == [
        ("a", 1),
        ("b", 3),
        ("c", 5),
    ]
    assert [q[:2] for q in quarantined(landing)] == [(2, "timestamp"), (4, "(line)")]
    assert report.total("rows_read") == 5


def test_lines_end_at_line_feeds_even_in_a_file_of_carriage_returns(landing):
    # DuckDB's reader would take the carriage returns for line ends; JSON Lines end at \n
    path = landing.events([], name="part-0.jsonl")
    path.write_bytes(
        b'{"messageId": "a"}\r{"messageId": "b"}\r\n'
        + b"\n".join(json.dumps(event(m)).encode() for m in ("c", "d"))
        + b"\n"
    )

    report = landing.load(max_bad_share=1.0)

    assert landing.rows("select message_id, _source_line from raw.web_events order by 2") == [
        ("c", 2),
        ("d", 3),
    ]
    assert [q[:2] for q in quarantined(landing)] == [(1, "(line)")]
    assert report.total("rows_read") == 3
