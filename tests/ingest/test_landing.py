"""Every file of a landing day is either loaded or recorded in raw.load_audit as not loaded."""

from __future__ import annotations

import gzip
import logging

from tests.ingest.conftest import CONTACT_HEADER, DAY, event

ROW = "{i},c{i}@example.com,Ann,Lee,2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,x"


def test_names_are_matched_without_case_and_every_json_lines_suffix_is_read(landing):
    landing.crm("contacts", f"{CONTACT_HEADER}\n{ROW.format(i=1)}\n", name="Contacts.csv")
    landing.crm(
        "contacts", gzip.compress(f"{CONTACT_HEADER}\n{ROW.format(i=2)}\n".encode()), name="CONTACTS.CSV.GZ"
    )
    landing.events([event("a")], name="part-1.json.gz")
    landing.events([event("b")], name="part-2.ndjson")
    landing.events([event("c")], name="PART-3.JSONL")
    landing.events([event("d")], name="part-4.jsonl.gz")

    report = landing.load()

    assert landing.rows("select hs_object_id from raw.crm_contacts order by 1") == [("1",), ("2",)]
    assert landing.rows("select message_id from raw.web_events order by 1") == [
        ("a",),
        ("b",),
        ("c",),
        ("d",),
    ]
    assert len(report.files) == 6 and report.not_loaded == []
    assert landing.rows("select count(*), count(note) from raw.load_audit") == [(6, 0)]


def test_a_file_nothing_reads_is_recorded_as_not_loaded_with_a_warning(landing, caplog):
    landing.crm("contacts", f"{CONTACT_HEADER}\n{ROW.format(i=1)}\n")
    stray = [
        landing.crm("leads", "a,b\n1,2\n", name="leads.csv"),
        landing.crm("contacts", "x", name="contacts.csv.tmp"),
        landing.crm("contacts", "x", name="old/contacts.csv"),
        landing.events([event("a")], name="part-0.txt"),
    ]

    with caplog.at_level(logging.WARNING):
        report = landing.load()

    assert sorted(s.source_file for s in report.not_loaded) == sorted(map(str, stray))
    assert landing.rows(
        "select source_file, entity, rows_read, note from raw.load_audit where note is not null order by 1"
    ) == sorted((str(p), None, 0, "not recognised, not loaded") for p in stray)
    for path in stray:
        assert any(
            str(path) in r.message and "not recognised" in r.message
            for r in caplog.records
            if r.levelno == logging.WARNING
        )
    assert landing.rows("select count(*) from raw.crm_contacts") == [(1,)]


def test_a_day_with_only_unrecognised_files_still_records_them(landing):
    landing.events([event("a")], name="events.csv")
    landing.load(DAY)
    assert landing.rows("select note from raw.load_audit") == [("not recognised, not loaded",)]
