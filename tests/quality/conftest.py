"""A small warehouse with the raw, staging and marts tables the quality gate reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

SCORE_DATE = "2026-11-20"


def build_warehouse(
    path: Path, score_date: str = SCORE_DATE, *, contacts: int = 200, junk_every: int = 10, hot_every: int = 5
) -> Path:
    """Clean tables: every `junk_every`-th contact is junk, every `hot_every`-th one is hot."""
    day = dt.date.fromisoformat(score_date)
    ids = list(range(1001, 1001 + contacts))
    tiers = ["warm", "cold", "cold", "warm"]
    scores = pd.DataFrame(
        {
            "contact_id": ids,
            "email": [f"lead{i}@example.com" for i in ids],
            "fit_score": [float(i % 101) for i in ids],
            "engagement_score": [float(i * 7 % 101) for i in ids],
            "lead_score": [float(i * 3 % 101) for i in ids],
            "grade": [f"{'ABCD'[i % 4]}{1 + i % 4}" for i in ids],
            "tier": ["hot" if n % hot_every == 0 else tiers[n % 4] for n in range(contacts)],
            "lifecycle_stage": [["lead", "mql", "sql"][i % 3] for i in ids],
            "is_junk": [n % junk_every == 1 for n in range(contacts)],
            "junk_reasons": [None] * contacts,
            "score_reasons": ["Visited pricing (+10)"] * contacts,
            "scored_at": pd.Timestamp(day),
            "model_version": "rules-3f2a",
        }
    )
    contacts_raw = pd.DataFrame(
        {
            "hs_object_id": [str(i) for i in ids],
            "email": scores["email"],
            "firstname": "Ada",
            "createdate": "2026-10-01T09:00:00Z",
            "lastmodifieddate": f"{score_date}T09:00:00Z",
        }
    )
    events = pd.DataFrame(
        {
            "message_id": [f"m-{n}" for n in range(contacts * 2)],
            "type": ["page", "track"] * contacts,
            "event": [None, "CTA Clicked"] * contacts,
            "anonymous_id": [f"anon-{n % contacts}" for n in range(contacts * 2)],
            "user_id": [str(ids[n % contacts]) for n in range(contacts * 2)],
            "event_timestamp": pd.Timestamp(day) + pd.Timedelta(hours=12),
            "page_path": "/pricing",
            "page_url": "https://example.com/pricing",
            "email": None,
            "properties": "{}",
            "raw": "{}",
        }
    )
    con = duckdb.connect(str(path))
    try:
        for name, frame in (("scores", scores), ("contacts_raw", contacts_raw), ("events", events)):
            con.register(name, frame)
        for schema in ("raw", "staging", "marts"):
            con.execute(f"create schema if not exists {schema}")
        meta = f"date '{score_date}' as _load_date, now()::timestamp as _loaded_at, 'f.csv' as _source_file,"
        meta += " 2::bigint as _source_line, 'manual__test' as _dag_run_id"
        con.execute(f"create or replace table raw.crm_contacts as select *, {meta} from contacts_raw")
        con.execute(f"create or replace table raw.web_events as select *, {meta} from events")
        con.execute(
            "create or replace table staging.stg_crm__contacts as"
            " select hs_object_id::bigint as contact_id, email from contacts_raw"
        )
        con.execute(
            "create or replace table staging.stg_web__events as "
            "select *, cast(event_timestamp as date) as event_date from events"
        )
        con.execute("create or replace table marts.fct_lead_scores as select * from scores")
        con.execute("create or replace table marts.dim_leads as select contact_id, email from scores")
        con.execute(
            "create or replace table marts.fct_lead_score_history as"
            f" select contact_id, date '{score_date}' as score_date, lead_score from scores"
        )
    finally:
        con.close()
    return path


def _execute(path: Path, *statements: str) -> None:
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def _recorded(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        if not con.execute("select 1 from duckdb_tables() where schema_name = 'quality'").fetchall():
            return []
        return con.execute(
            "select score_date::varchar, run_id, metric, value from quality.run_metrics order by all"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch) -> Path:
    """Data Docs and validation results of each test go to its own folder."""
    state = tmp_path / "state"
    monkeypatch.setenv("LEAD_SCORING_STATE_DIR", str(state))
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "False")
    return state


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return build_warehouse(tmp_path / "warehouse.duckdb")


@pytest.fixture
def make_warehouse():
    """build_warehouse(path, score_date, contacts=, junk_every=, hot_every=)"""
    return build_warehouse


@pytest.fixture
def execute():
    """execute(path, *sql): change the warehouse (one writer, closed after)."""
    return _execute


@pytest.fixture
def recorded():
    """recorded(path): rows of quality.run_metrics as (score_date, run_id, metric, value), [] if none."""
    return _recorded
