"""The landing layout of docs/data_contracts.md, the file formats, and determinism."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
import re
from collections import Counter

from lead_scoring.generate import Settings, generate
from lead_scoring.generate.names import CLOSED_DEAL_STAGES, OPEN_DEAL_STAGES, PERSONAS
from lead_scoring.generate.writers import COMPANY_COLUMNS, CONTACT_COLUMNS, DEAL_COLUMNS

from .conftest import MAIN
from .landing_reader import day_dirs, read_csv, read_entity

TS_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
TS_MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SMALL = Settings(contacts=400, days=6, events_per_contact=6, seed=3, chunk_size=150)


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_arguments_give_the_same_bytes(tmp_path):
    generate(tmp_path / "a", SMALL, progress=None)
    generate(tmp_path / "b", SMALL, progress=None)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []
    # and the seed matters
    generate(tmp_path / "c", dataclasses.replace(SMALL, seed=4), progress=None)
    c = _files(tmp_path / "c")
    assert a["web_events/date=2026-11-20/part-0.jsonl.gz"] != c["web_events/date=2026-11-20/part-0.jsonl.gz"]


def test_layout_matches_the_contract(main_landing):
    root = main_landing.root
    days = [d.isoformat() for d in (MAIN.end_date - dt.timedelta(days=i) for i in range(MAIN.days))]
    assert [p.name for p in day_dirs(root, "crm")] == [f"date={d}" for d in sorted(days)]
    assert [p.name for p in day_dirs(root, "web_events")] == [f"date={d}" for d in sorted(days)]
    for day in day_dirs(root, "crm"):
        assert sorted(p.name for p in day.iterdir()) == ["companies.csv", "contacts.csv", "deals.csv"]
        for name, columns in (
            ("contacts", CONTACT_COLUMNS),
            ("companies", COMPANY_COLUMNS),
            ("deals", DEAL_COLUMNS),
        ):
            header = (day / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
            assert header.split(",") == list(columns)
    for day in day_dirs(root, "web_events"):
        assert [p.name for p in day.iterdir()] == ["part-0.jsonl.gz"]
    assert sorted(p.name for p in (root / "_generator").iterdir()) == ["manifest.json", "planted_leads.csv"]
    assert set(root.iterdir()) == {root / "crm", root / "web_events", root / "_generator"}


def test_manifest_counts_what_was_written(main_landing):
    m = main_landing.manifest
    assert m["seed"] == MAIN.seed
    assert m["arguments"]["contacts"] == MAIN.contacts
    assert "out" not in m["arguments"]
    assert m["counts"]["contacts"] == len(main_landing.contacts) == MAIN.contacts
    assert m["counts"]["companies"] == len(main_landing.companies)
    assert m["counts"]["deals"] == len(main_landing.deals)
    assert m["counts"]["events"] == len(main_landing.events)
    # events per contact is an average over the window, noise visitors included
    assert (
        0.85 * MAIN.events_per_contact
        < len(main_landing.events) / MAIN.contacts
        < 1.15 * (MAIN.events_per_contact)
    )


def test_crm_rows_are_well_formed(main_landing):
    contacts, companies, deals = (main_landing.contacts, main_landing.companies, main_landing.deals)
    contact_ids = {int(k) for k in contacts}
    company_ids = {int(k) for k in companies}
    assert max(contact_ids) < min(company_ids)
    for c in contacts.values():
        assert TS_SECONDS.match(c["createdate"]) and TS_SECONDS.match(c["lastmodifieddate"])
        assert c["createdate"] <= c["lastmodifieddate"]
        assert c["persona"] in PERSONAS
        assert c["associatedcompanyid"] == "" or c["associatedcompanyid"] in companies
    for d in deals.values():
        assert d["dealstage"] in OPEN_DEAL_STAGES + CLOSED_DEAL_STAGES
        assert d["associated_contact_id"] in contacts
        assert (d["closedate"] != "") == (d["dealstage"] in CLOSED_DEAL_STAGES)
        assert d["createdate"] <= d["lastmodifieddate"]
        assert int(d["amount"]) > 0
    assert {d["pipeline"] for d in deals.values()} == {"default"}


def test_incremental_exports_put_each_change_on_its_day(main_landing):
    root = main_landing.root
    first_day = MAIN.start_date.isoformat()
    rows = read_entity(root, "contacts")
    for row in rows:
        if row["createdate"] < first_day:
            if row["lastmodifieddate"] < first_day:  # backlog: all in the first day's export
                assert row["_day"] == first_day
        else:
            assert row["lastmodifieddate"][:10] == row["_day"]
    # every contact appears on the day it was created (or day one for the backlog)
    first_seen = {}
    for row in rows:
        first_seen.setdefault(row["hs_object_id"], row)
    for row in first_seen.values():
        assert row["_day"] == max(first_day, row["createdate"][:10])
    assert sum(r["createdate"] < first_day for r in first_seen.values()) > 0.6 * MAIN.contacts
    assert sum(r["createdate"] >= first_day for r in first_seen.values()) > 0.02 * MAIN.contacts
    # a deal re-exports its contact: opportunity on the deal's day, customer on the win's day
    versions = Counter(r["hs_object_id"] for r in rows)
    stages_of = {}
    for r in rows:
        stages_of.setdefault(r["hs_object_id"], []).append((r["_day"], r["lifecyclestage"]))
    deal_rows = read_entity(root, "deals")
    for d in deal_rows:
        contact = d["associated_contact_id"]
        assert versions[contact] >= 2
        if d["dealstage"] == "closedwon":
            assert (d["_day"], "customer") in stages_of[contact]
            assert d["closedate"][:10] == d["_day"]
        if d["_day"] == d["createdate"][:10] and d["dealstage"] in OPEN_DEAL_STAGES[:2]:
            assert (d["_day"], "opportunity") in stages_of[contact]
    deal_days = {}
    for d in deal_rows:
        deal_days.setdefault(d["hs_object_id"], []).append(d)
    for versions_of_deal in deal_days.values():
        assert versions_of_deal[0]["_day"] == versions_of_deal[0]["createdate"][:10]
        assert versions_of_deal[0]["dealstage"] in OPEN_DEAL_STAGES


def test_every_event_line_is_valid_segment_json(main_landing):
    seen = set()
    total = 0
    for day in day_dirs(main_landing.root, "web_events"):
        raw = gzip.decompress((day / "part-0.jsonl.gz").read_bytes())
        for line in raw.decode("utf-8").splitlines():
            e = json.loads(line)
            total += 1
            assert e["type"] in {"page", "track", "identify"}
            assert TS_MILLIS.match(e["timestamp"]) and e["timestamp"][:10] == day.name[5:]
            assert isinstance(e["anonymousId"], str) and e["anonymousId"]
            assert e["userId"] is None or e["userId"] in main_landing.contacts
            assert isinstance(e.get("properties", {}), dict)
            page = e["context"]["page"]
            assert page["path"].startswith("/") and page["url"].endswith(page["path"])
            if e["type"] == "track":
                assert e["event"]
            if e["type"] == "identify":
                assert e["userId"] and "@" in e["traits"]["email"]
            if e["type"] == "page":
                assert e["properties"]["path"] == page["path"]
            seen.add(e["messageId"])
    assert total == len(main_landing.events)
    assert len(seen) == total, "messageId is not unique"


def test_event_mix(main_landing):
    events = main_landing.events
    types = Counter(e["type"] for e in events)
    assert types["page"] > types["track"] > types["identify"] > 0
    names = Counter(e.get("event") for e in events if e["type"] == "track")
    for name in (
        "Content Downloaded",
        "CTA Clicked",
        "Form Submitted",
        "Demo Requested",
        "Email Link Clicked",
        "Video Played",
    ):
        assert names[name] > 0, name
    paths = {e["context"]["page"]["path"] for e in events}
    for prefix in ("/blog/", "/docs/", "/case-studies/"):
        assert any(p.startswith(prefix) for p in paths)
    assert {
        "/",
        "/pricing",
        "/demo",
        "/product",
        "/features",
        "/integrations",
        "/contact",
        "/careers",
    } <= paths
    forms = [e for e in events if e.get("event") in ("Form Submitted", "Demo Requested")]
    assert all("@" in e["properties"]["email"] or e["properties"]["email"] for e in forms)
    with_context_email = [e for e in events if "traits" in e["context"]]
    assert 0 < len(with_context_email) < len(events) / 2
    assert all(e["userId"] for e in with_context_email)


def test_planted_leads_file(main_landing):
    planted = main_landing.planted
    assert list(planted[0]) == ["hs_object_id", "email", "firstname", "lastname", "kind", "reason"]
    for row in planted:
        contact = main_landing.contacts[row["hs_object_id"]]
        assert row["email"] == contact["email"]
        assert (row["reason"] != "") == (row["kind"] == "junk")
    assert read_csv(main_landing.root / "_generator" / "planted_leads.csv") == planted
