"""Fixtures for the CRM tests: a real sandbox server on 127.0.0.1 (port 0) and a client."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lead_scoring.crm.client import CrmClient
from lead_scoring.crm.sandbox import start_sandbox

TOKEN = "test-token-123"


def fast_client(url: str, token: str = TOKEN, **options) -> CrmClient:
    """A client with tiny backoffs, so fault tests stay fast."""
    settings = {
        "requests_per_10s": 10_000,
        "timeout": 5.0,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
        "rate_limit_backoff": 0.01,
        "seed": 7,
    }
    settings.update(options)
    return CrmClient(url, token, **settings)


@pytest.fixture
def sandbox(tmp_path):
    handle = start_sandbox(tmp_path / "crm.sqlite", token=TOKEN, rate_limit=10_000, daily_limit=1_000_000)
    yield handle
    handle.stop()


@pytest.fixture
def client(sandbox):
    with fast_client(sandbox.url) as crm:
        yield crm


def write_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def contact(i: int, modified: str = "2026-11-20T10:00:00Z", **extra) -> dict:
    return {
        "hs_object_id": str(i),
        "email": f"lead{i}@example.com",
        "firstname": f"First{i}",
        "lastname": f"Last{i}",
        "jobtitle": "VP Sales" if i % 3 == 0 else "Analyst",
        "country": "DE",
        "city": "Berlin",
        "lifecyclestage": "lead",
        "createdate": "2026-11-01T09:00:00Z",
        "lastmodifieddate": modified,
        "hs_analytics_source": "ORGANIC_SEARCH",
        "associatedcompanyid": str(500 + i % 3),
        **extra,
    }


@pytest.fixture
def landing(tmp_path) -> Path:
    """Two days of CRM exports: day 2 changes contact 2 and adds contact 4."""
    root = tmp_path / "landing"
    day1 = root / "crm" / "date=2026-11-20"
    day2 = root / "crm" / "date=2026-11-21"
    write_csv(day1 / "contacts.csv", [contact(1), contact(2), contact(3, favourite_color="blue")])
    write_csv(
        day2 / "contacts.csv",
        [
            contact(2, "2026-11-21T08:00:00Z", jobtitle="CTO"),
            contact(4, "2026-11-21T09:00:00Z"),
        ],
    )
    write_csv(
        day1 / "companies.csv",
        [
            {
                "hs_object_id": str(500 + k),
                "name": f"Company {k}",
                "domain": f"c{k}.example",
                "industry": "Software",
                "numberofemployees": str(50 * (k + 1)),
                "annualrevenue": "1000000",
                "country": "DE",
                "createdate": "2026-10-01T00:00:00Z",
                "lastmodifieddate": "2026-11-20T00:00:00Z",
            }
            for k in range(3)
        ],
    )
    write_csv(
        day1 / "deals.csv",
        [
            {
                "hs_object_id": "900",
                "dealname": "Big deal",
                "dealstage": "closedwon",
                "pipeline": "default",
                "amount": "12000",
                "createdate": "2026-11-02T00:00:00Z",
                "closedate": "2026-11-15T00:00:00Z",
                "lastmodifieddate": "2026-11-20T00:00:00Z",
                "associated_contact_id": "1",
                "associated_company_id": "501",
            },
            {
                "hs_object_id": "901",
                "dealname": "Lost deal",
                "dealstage": "closedlost",
                "pipeline": "default",
                "amount": "",
                "createdate": "2026-11-03T00:00:00Z",
                "closedate": "",
                "lastmodifieddate": "2026-11-20T00:00:00Z",
                "associated_contact_id": "3",
                "associated_company_id": "",
            },
        ],
    )
    return root
