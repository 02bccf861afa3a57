"""References to CRM records (a contact's company, a deal's contact and company, an event's
userId) are positive integers in plain digits; anything else is no reference at all, never
another record (`1.5` is not contact 2)."""

from __future__ import annotations

import duckdb
import pytest

from lead_scoring.transform import dbt_invoke

from .raw_fixture import create_raw_tables

DAY = "2026-11-20"
NOT_IDS = ["501.0", "1e3", "0x10", "-501", "+501", " 501x"]


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    path = tmp_path / "warehouse.duckdb"
    create_raw_tables(path)
    con = duckdb.connect(str(path))
    for i, value in enumerate(NOT_IDS):
        contact = 900 + i
        con.execute(
            "insert into raw.crm_contacts (hs_object_id, email, createdate, lastmodifieddate, "
            "associatedcompanyid, _load_date) values (?, ?, '2026-11-01T00:00:00Z', "
            "'2026-11-01T00:00:00Z', ?, '2026-11-01')",
            [str(contact), f"c{contact}@example.org", value],
        )
        con.execute(
            "insert into raw.crm_deals (hs_object_id, dealstage, createdate, lastmodifieddate, "
            "associated_contact_id, associated_company_id, _load_date) values (?, 'closedwon', "
            "'2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z', ?, ?, '2026-11-02')",
            [str(8000 + i), value, value],
        )
        con.execute(
            "insert into raw.web_events (message_id, type, anonymous_id, user_id, event_timestamp, "
            "page_path, _load_date) values (?, 'page', ?, ?, '2026-11-03 10:00:00', '/pricing', "
            "'2026-11-03')",
            [f"m-not-an-id-{i}", f"anon-not-an-id-{i}", value],
        )
    con.close()
    monkeypatch.setenv("LEAD_SCORING_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("LEAD_SCORING_WAREHOUSE", str(path))
    return path


def test_references_that_are_not_plain_integers_point_nowhere(warehouse):
    dbt_invoke("run", ["--select", "stg_crm__contacts", "stg_crm__deals", "stg_web__events"], score_date=DAY)
    con = duckdb.connect(str(warehouse), read_only=True)
    companies = con.execute(
        "select count(*), count(company_id) from staging.stg_crm__contacts "
        "where contact_id between 900 and 999"
    ).fetchone()
    deals = con.execute(
        "select count(*), count(contact_id), count(company_id) from staging.stg_crm__deals "
        "where deal_id between 8000 and 8999"
    ).fetchone()
    events = con.execute(
        "select count(*), count(user_contact_id) from staging.stg_web__events "
        "where message_id like 'm-not-an-id-%'"
    ).fetchone()
    plain = con.execute("select company_id from staging.stg_crm__contacts where contact_id = 101").fetchone()
    con.close()
    assert companies == (len(NOT_IDS), 0)
    assert deals == (len(NOT_IDS), 0, 0)
    assert events == (len(NOT_IDS), 0)
    assert plain == (501,)  # a plain id still is one
