"""On the Postgres target each loaded day reaches Postgres exactly, and a re-run replaces it."""

from __future__ import annotations

from datetime import date

import pytest

from lead_scoring.warehouse import Warehouse
from tests.e2e.snapshot import snapshot
from tests.ingest.conftest import CONTACT_HEADER, DAY, event

NAME = 'O\'Brien "Bob"; drop table raw.crm_contacts;--'


@pytest.fixture
def postgres(postgres_server, request) -> Warehouse:
    database = postgres_server.create_database(f"mirror_{request.node.name[-20:].lower()}")
    return Warehouse("postgres", postgres=postgres_server.settings(database))


def test_quotes_newlines_unicode_nulls_and_the_quarantine_arrive_exactly(landing, postgres):
    landing.crm(
        "contacts",
        "\n".join(
            [
                CONTACT_HEADER,
                f'1,zoe@example.com,"{NAME.replace(chr(34), chr(34) * 2)}",Nguyễn,'
                "2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,Zoë ✓",
                '2,"",,"two\nlines",2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,',
                "3,bad,row",
            ]
        )
        + "\n",
    )
    landing.events([event("q", properties={"title": 'It\'s "quoted" ✓, 100%'}), "{not json"])
    landing.load(max_bad_share=1.0, mirror=postgres)
    duck, pg = snapshot(landing.warehouse), snapshot(postgres)
    assert pg == duck
    with postgres.opened() as con:
        contacts = con.execute("select firstname, lastname, persona from raw.crm_contacts order by 2")
        assert contacts.fetchall() == [(NAME, "Nguyễn", "Zoë ✓"), (None, "two\nlines", None)]
        errors = con.execute("select source_line, error from raw.load_quarantine").fetchall()
        assert "100%" in con.execute("select properties from raw.web_events").fetchone()[0]
    assert (2, "malformed JSON") in errors and len(errors) == len(pg["raw.load_quarantine"]) > 1


def test_rerunning_a_day_replaces_it_and_other_days_stay(landing, postgres):
    other = date(2026, 11, 21)
    landing.events([event("a"), event("b")])
    landing.events([event("c", timestamp="2026-11-21T10:00:00Z")], day=other)
    landing.load(DAY, other, mirror=postgres)
    landing.events([event("a")])  # the day's file was corrected upstream
    landing.load(DAY, mirror=postgres)
    with postgres.opened() as con:
        rows = con.execute("select _load_date, message_id from raw.web_events order by 2").fetchall()
    assert rows == [(DAY, "a"), (other, "c")]
    assert snapshot(postgres) == snapshot(landing.warehouse)
