"""Fixtures for the reverse-sync tests: a sandbox holding the contacts, and a real DuckDB
warehouse with `marts.fct_lead_scores` written by the test."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import duckdb
import pytest

from lead_scoring.crm.client import CrmClient
from lead_scoring.crm.sandbox import start_sandbox

TOKEN = "sync-test-token"
N_CONTACTS = 300
TIERS = ["hot", "warm", "cold", "disqualified"]

SCORES_DDL = """
create table marts.fct_lead_scores (
    contact_id bigint primary key,
    email varchar,
    fit_score integer,
    engagement_score double,
    lead_score integer,
    grade varchar,
    tier varchar,
    lifecycle_stage varchar,
    is_junk boolean,
    junk_reasons varchar,
    score_reasons varchar,
    scored_at timestamp,
    model_version varchar
)
"""


def score_rows(n: int = N_CONTACTS, seed: int = 1) -> list[tuple]:
    rnd = random.Random(seed)
    scored_at = datetime(2026, 11, 20, 6, 30, 0)
    rows = []
    for i in range(1, n + 1):
        fit, engagement = rnd.randint(0, 100), round(rnd.random() * 100, 2)
        junk = i % 23 == 0
        rows.append(
            (
                i,
                f"lead{i}@example.com",
                fit,
                engagement,
                round((fit + engagement) / 2),
                f"{'ABC'[i % 3]}{1 + i % 3}",
                "disqualified" if junk else TIERS[i % 3],
                "lead",
                junk,
                "disposable email domain" if junk else None,
                f"Visited pricing page x{i % 5}; Job title VP (+{fit // 10})",
                scored_at + timedelta(seconds=i),
                "rules-v1",
            )
        )
    return rows


def write_scores(path, rows) -> None:
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute("drop table if exists marts.fct_lead_scores")
        conn.execute(SCORES_DDL)
        conn.executemany(
            "insert into marts.fct_lead_scores values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )


def query(path, sql, params=None):
    with duckdb.connect(str(path)) as conn:
        return conn.execute(sql, params or []).fetchall()


@pytest.fixture
def sandbox(tmp_path):
    handle = start_sandbox(tmp_path / "crm.sqlite", token=TOKEN, rate_limit=10_000, daily_limit=1_000_000)
    handle.store.bulk_insert(
        "contacts",
        [
            {
                "hs_object_id": i,
                "email": f"lead{i}@example.com",
                "firstname": f"First{i}",
                "createdate": "2026-11-01T00:00:00Z",
                "lastmodifieddate": "2026-11-02T00:00:00Z",
            }
            for i in range(1, N_CONTACTS + 1)
        ],
    )
    yield handle
    handle.stop()


def make_client(url: str, token: str = TOKEN, **options) -> CrmClient:
    settings = {
        "requests_per_10s": 10_000,
        "timeout": 5.0,
        "backoff_base": 0.005,
        "backoff_max": 0.03,
        "rate_limit_backoff": 0.005,
        "max_rate_limit_retries": 12,
        "max_attempts": 6,
        "seed": 11,
        "connection_id": "crm_default",
    }
    settings.update(options)
    return CrmClient(url, token, **settings)


@pytest.fixture
def client(sandbox):
    with make_client(sandbox.url) as crm:
        yield crm


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    write_scores(path, score_rows())
    return path
