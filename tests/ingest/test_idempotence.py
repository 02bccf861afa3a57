"""Re-running a day replaces that day's load; custom columns and metadata are kept."""

from __future__ import annotations

from datetime import date

from lead_scoring.ingest.mapping import load_column_mapping
from tests.ingest.conftest import CONTACT_HEADER, DAY, event


def test_rerunning_a_day_replaces_its_rows_and_leaves_other_days(landing):
    landing.crm(
        "contacts",
        f"{CONTACT_HEADER}\n1,a@x.com,A,B,2026-01-01,2026-11-19T00:00:00Z,p\n",
        day=date(2026, 11, 19),
    )
    landing.crm("contacts", f"{CONTACT_HEADER}\n2,b@x.com,C,D,2026-01-01,2026-11-20T00:00:00Z,p\n")
    landing.events([event("e1"), event("e2")])
    landing.load(date(2026, 11, 19), DAY)
    first = landing.rows("select * exclude (_loaded_at) from raw.crm_contacts order by 1")

    landing.load(DAY)
    landing.load(DAY)

    assert landing.rows("select * exclude (_loaded_at) from raw.crm_contacts order by 1") == first
    assert landing.rows("select count(*) from raw.web_events") == [(2,)]
    assert landing.rows("select count(*) from raw.load_audit where _load_date = ?", [DAY]) == [(2,)]

    landing.crm("contacts", f"{CONTACT_HEADER}\n2,new@x.com,C,D,2026-01-01,2026-11-20T01:00:00Z,p\n")
    landing.load(DAY)
    assert landing.rows("select hs_object_id, email from raw.crm_contacts order by 1") == [
        ("1", "a@x.com"),
        ("2", "new@x.com"),
    ]


def test_every_row_carries_load_metadata(landing):
    path = landing.crm("contacts", f"{CONTACT_HEADER}\n1,a@x.com,A,B,2026-01-01,2026-11-20,p\n")
    landing.load()
    ((load_date, source, line, run_id, loaded_at),) = landing.rows(
        "select _load_date, _source_file, _source_line, _dag_run_id, _loaded_at from raw.crm_contacts"
    )
    assert (load_date, source, line, run_id) == (DAY, str(path), 2, "test")
    assert loaded_at is not None


def test_a_new_custom_property_adds_a_column(landing):
    landing.crm(
        "contacts", f"{CONTACT_HEADER}\n1,a@x.com,A,B,2026-01-01,2026-11-19,p\n", day=date(2026, 11, 19)
    )
    landing.crm(
        "contacts", f"{CONTACT_HEADER},Favourite Colour\n2,b@x.com,C,D,2026-01-01,2026-11-20,p,green\n"
    )
    landing.load(date(2026, 11, 19), DAY)
    assert landing.rows(
        'select hs_object_id, persona, "favourite colour" from raw.crm_contacts order by 1'
    ) == [("1", "p", None), ("2", "p", "green")]


def test_column_mapping_renames_headers_of_other_crms(landing, tmp_path, monkeypatch):
    mapping_file = tmp_path / "mapping.yml"
    mapping_file.write_text('contacts:\n  "Record ID": hs_object_id\n  "E-mail": email\n')
    monkeypatch.setenv("LEAD_SCORING_COLUMN_MAPPING", str(mapping_file))
    landing.crm("contacts", "Record ID,E-mail,createdate,lastmodifieddate\n5,e@x.com,2026-01-01,2026-11-20\n")
    landing.load(column_mapping=load_column_mapping())
    assert landing.rows("select hs_object_id, email from raw.crm_contacts") == [("5", "e@x.com")]
