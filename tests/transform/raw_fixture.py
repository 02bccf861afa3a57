"""A tiny raw layer (schema `raw`, as `lead-scoring ingest` writes it) with planted leads.

Contacts:
- 101 hot: VP Sales in the US at a 1,200-person software company; browses /pricing three times
  anonymously, then identifies, requests a demo. Two versions of the record: the older one says
  "Sales Representative", staging must keep the newer "VP Sales".
- 102 cold: a student in Brazil with a gmail address at a 5-person school; one blog visit.
- 103 junk: "Obi-Wan  KENOBI" (fictional name) who also browses the pricing page.
- 104 ordinary: marketing manager in Germany with a closed-won deal.
- 105 duplicate: a later contact with 104's email.
Contacts carry a custom column, `lead_source_detail`, that no model names.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

META = [
    ("_load_date", "DATE"),
    ("_loaded_at", "TIMESTAMP"),
    ("_source_file", "VARCHAR"),
    ("_source_line", "BIGINT"),
    ("_dag_run_id", "VARCHAR"),
]
CONTACT_COLUMNS = [
    "hs_object_id",
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "country",
    "city",
    "lifecyclestage",
    "createdate",
    "lastmodifieddate",
    "hs_analytics_source",
    "associatedcompanyid",
    "phone",
    "persona",
    "lead_source_detail",
]
COMPANY_COLUMNS = [
    "hs_object_id",
    "name",
    "domain",
    "industry",
    "numberofemployees",
    "annualrevenue",
    "country",
    "createdate",
    "lastmodifieddate",
]
DEAL_COLUMNS = [
    "hs_object_id",
    "dealname",
    "dealstage",
    "amount",
    "pipeline",
    "createdate",
    "closedate",
    "lastmodifieddate",
    "associated_contact_id",
    "associated_company_id",
]
EVENT_COLUMNS = [
    ("message_id", "VARCHAR"),
    ("type", "VARCHAR"),
    ("event", "VARCHAR"),
    ("anonymous_id", "VARCHAR"),
    ("user_id", "VARCHAR"),
    ("event_timestamp", "TIMESTAMP"),
    ("page_path", "VARCHAR"),
    ("page_url", "VARCHAR"),
    ("email", "VARCHAR"),
    ("properties", "VARCHAR"),
    ("raw", "VARCHAR"),
]

HOT, COLD, JUNK, ORDINARY, DUPLICATE = 101, 102, 103, 104, 105

CONTACTS = [
    # (load date, row)
    (
        "2026-11-01",
        [
            HOT,
            "jane.roe@acme.io",
            "Jane",
            "Roe",
            "Sales Representative",
            "US",
            "Austin",
            "lead",
            "2026-10-01T09:00:00Z",
            "2026-11-01T09:00:00Z",
            "ORGANIC_SEARCH",
            "501",
            "",
            "economic_buyer",
            "webinar",
        ],
    ),
    (
        "2026-11-10",
        [
            HOT,
            "Jane.Roe@acme.io ",
            "Jane",
            "Roe",
            "VP Sales",
            "US",
            "Austin",
            "lead",
            "2026-10-01T09:00:00Z",
            "2026-11-10T09:00:00Z",
            "ORGANIC_SEARCH",
            "501",
            "+1 512 555 0101",
            "economic_buyer",
            "webinar",
        ],
    ),
    (
        "2026-11-01",
        [
            COLD,
            "kid1234@gmail.com",
            "Thiago",
            "Silva",
            "Student",
            "BR",
            "São Paulo",
            "lead",
            "2026-09-01T09:00:00Z",
            "2026-11-01T09:00:00Z",
            "DIRECT_TRAFFIC",
            "502",
            "",
            "student",
            "",
        ],
    ),
    (
        "2026-11-01",
        [
            JUNK,
            "obi@acme.io",
            "Obi-Wan  KENOBI",
            "",
            "Jedi",
            "US",
            "",
            "lead",
            "2026-10-15T09:00:00Z",
            "2026-11-01T09:00:00Z",
            "PAID_SOCIAL",
            "501",
            "",
            "",
            "",
        ],
    ),
    (
        "2026-11-01",
        [
            ORDINARY,
            "lena.weber@nordwerk.de",
            "Lena",
            "Weber",
            "Marketing Manager",
            "DE",
            "Berlin",
            "customer",
            "2025-01-01T09:00:00Z",
            "2026-11-01T09:00:00Z",
            "REFERRALS",
            "503",
            "",
            "end_user",
            "partner",
        ],
    ),
    (
        "2026-11-02",
        [
            DUPLICATE,
            "lena.weber@nordwerk.de",
            "Lena",
            "Weber",
            "Marketing Manager",
            "DE",
            "Berlin",
            "lead",
            "2026-11-02T09:00:00Z",
            "2026-11-02T09:00:00Z",
            "REFERRALS",
            "503",
            "",
            "end_user",
            "",
        ],
    ),
]
COMPANIES = [
    (
        "2026-11-01",
        [
            "501",
            "Acme Software Inc.",
            "acme.io",
            "Software",
            "1200",
            "150000000",
            "US",
            "2025-01-01T00:00:00Z",
            "2026-11-01T00:00:00Z",
        ],
    ),
    (
        "2026-11-01",
        [
            "502",
            "Tiny School",
            "tiny.edu",
            "Education",
            "5",
            "",
            "BR",
            "2025-01-01T00:00:00Z",
            "2026-11-01T00:00:00Z",
        ],
    ),
    (
        "2026-11-01",
        [
            "503",
            "Nordwerk GmbH",
            "nordwerk.de",
            "Manufacturing",
            "250",
            "",
            "DE",
            "2025-01-01T00:00:00Z",
            "2026-11-01T00:00:00Z",
        ],
    ),
]
DEALS = [
    (
        "2026-11-05",
        [
            "9001",
            "Nordwerk renewal",
            "closedwon",
            "12000",
            "default",
            "2026-10-01T00:00:00Z",
            "2026-11-05T00:00:00Z",
            "2026-11-05T00:00:00Z",
            str(ORDINARY),
            "503",
        ],
    ),
]


def _events() -> list[dict]:
    def ev(mid, when, type_, anon, user=None, event=None, path=None, email=None, props=None):
        return {
            "message_id": mid,
            "type": type_,
            "event": event,
            "anonymous_id": anon,
            "user_id": user,
            "event_timestamp": dt.datetime.fromisoformat(when),
            "page_path": path,
            "page_url": f"https://example.io{path}" if path else None,
            "email": email,
            "properties": json.dumps(props or {}),
        }

    return [
        # hot: anonymous pricing views before identifying, then identified demo request
        ev("h1", "2026-11-12 10:00:00", "page", "a-hot", path="/pricing"),
        ev("h2", "2026-11-15 10:00:00", "page", "a-hot", path="/pricing"),
        ev("h3", "2026-11-18 10:00:00", "page", "a-hot", path="/pricing"),
        ev(
            "h4",
            "2026-11-18 10:05:00",
            "identify",
            "a-hot",
            user=str(HOT),
            path="/demo",
            email="jane.roe@acme.io",
        ),
        ev(
            "h5",
            "2026-11-18 10:06:00",
            "track",
            "a-hot",
            user=str(HOT),
            event="Demo Requested",
            path="/demo",
            email="jane.roe@acme.io",
        ),
        ev("h6", "2026-11-19 09:00:00", "page", "a-hot", user=str(HOT), path="/case-studies/x"),
        ev(
            "h7",
            "2026-11-20 09:00:00",
            "track",
            "a-hot",
            user=str(HOT),
            event="Content Downloaded",
            path="/blog/playbook",
        ),
        # cold: one blog visit, identified by a newsletter form
        ev("c1", "2026-11-02 20:00:00", "page", "a-cold", path="/blog/what-is-lead-scoring"),
        ev(
            "c2",
            "2026-11-02 20:01:00",
            "track",
            "a-cold",
            event="Form Submitted",
            path="/blog/what-is-lead-scoring",
            email="kid1234@gmail.com",
            props={"email": "kid1234@gmail.com", "form_id": "newsletter"},
        ),
        # junk: pricing views under a userId
        ev("j1", "2026-11-19 11:00:00", "page", "a-junk", user=str(JUNK), path="/pricing"),
        ev("j2", "2026-11-19 11:05:00", "page", "a-junk", user=str(JUNK), path="/pricing"),
        # ordinary: a couple of visits
        ev("o1", "2026-11-05 08:00:00", "page", "a-ord", user=str(ORDINARY), path="/features"),
        ev("o2", "2026-11-16 08:00:00", "page", "a-ord", user=str(ORDINARY), path="/careers"),
        # an unknown visitor
        ev("n1", "2026-11-16 08:00:00", "page", "a-nobody", path="/pricing"),
    ]


def create_raw_tables(path: Path) -> None:
    """Create schema `raw` with the CRM and web-event tables in the DuckDB file at `path`."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists raw")
        meta_ddl = ", ".join(f"{name} {type_}" for name, type_ in META)
        for table, columns, rows in (
            ("crm_contacts", CONTACT_COLUMNS, CONTACTS),
            ("crm_companies", COMPANY_COLUMNS, COMPANIES),
            ("crm_deals", DEAL_COLUMNS, DEALS),
        ):
            cols = ", ".join(f"{c} VARCHAR" for c in columns)
            con.execute(f"create or replace table raw.{table} ({cols}, {meta_ddl})")
            for line, (load_date, row) in enumerate(rows, start=2):
                values = [str(v) if v is not None else None for v in row]
                con.execute(
                    f"insert into raw.{table} values ({', '.join('?' * (len(columns) + 5))})",
                    [
                        *values,
                        load_date,
                        f"{load_date} 23:00:00",
                        f"crm/date={load_date}/{table}.csv",
                        line,
                        f"test__{load_date}",
                    ],
                )
        cols = ", ".join(f"{name} {type_}" for name, type_ in EVENT_COLUMNS)
        con.execute(f"create or replace table raw.web_events ({cols}, {meta_ddl})")
        for line, event in enumerate(_events(), start=1):
            event["raw"] = json.dumps({k: str(v) for k, v in event.items()})
            day = event["event_timestamp"].date().isoformat()
            con.execute(
                f"insert into raw.web_events values ({', '.join('?' * 16)})",
                [
                    *(event[name] for name, _ in EVENT_COLUMNS),
                    day,
                    f"{day} 23:00:00",
                    f"web_events/date={day}/part-0.jsonl.gz",
                    line,
                    f"test__{day}",
                ],
            )
    finally:
        con.close()
