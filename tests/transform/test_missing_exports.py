"""A CRM without companies or deals exports (a B2C CRM): contacts and web events alone score.

Two ways the tables can be missing: absent from the warehouse (loaded by something else than
`lead-scoring ingest`), or empty because no export ever landed (ingestion creates them).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from lead_scoring.generate.generator import generate
from lead_scoring.generate.settings import Settings
from lead_scoring.ingest import load_days
from lead_scoring.ingest.mirror import mirror_day
from lead_scoring.quality import run_quality_gate
from lead_scoring.transform import dbt_build
from lead_scoring.warehouse import Warehouse

from .raw_fixture import ORDINARY, create_raw_tables

# Fit rules on a company value (not `is_empty`): with no companies they must never fire.
COMPANY_VALUE_RULES = """
    select c.contact_id, c.rule_id from marts.fct_lead_score_components c
    join seeds.scoring_fit_rules r using (rule_id)
    where lower(trim(r.object)) = 'company' and lower(trim(r.operator)) <> 'is_empty'
"""


def _fetch(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _use(monkeypatch, root, warehouse):
    monkeypatch.setenv("LEAD_SCORING_STATE_DIR", str(root / "state"))
    monkeypatch.setenv("LEAD_SCORING_WAREHOUSE", str(warehouse))
    monkeypatch.delenv("LEAD_SCORING_TARGET", raising=False)


def _assert_scored_without_companies_or_deals(warehouse, contacts):
    assert _fetch(warehouse, "select count(*) from staging.stg_crm__companies") == [(0,)]
    assert _fetch(warehouse, "select count(*) from staging.stg_crm__deals") == [(0,)]
    assert _fetch(warehouse, "select count(*), count(lead_score) from marts.fct_lead_scores") == [
        (contacts, contacts)
    ]
    assert _fetch(warehouse, COMPANY_VALUE_RULES) == []
    assert _fetch(
        warehouse,
        "select count(*) from marts.dim_leads where company_id is not null and company_name is not null",
    ) == [(0,)]
    # no deal, so no contact is a sales-qualified lead, and no rule has a won contact
    assert _fetch(warehouse, "select count(*) from marts.fct_lead_scores where lifecycle_stage = 'sql'") == [
        (0,)
    ]
    assert _fetch(warehouse, "select coalesce(sum(won_fired), 0) from marts.fct_rule_performance") == [(0,)]


def test_absent_companies_and_deals_tables_build_empty_typed_staging(tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse.duckdb"
    create_raw_tables(warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute("drop table raw.crm_companies")
    con.execute("drop table raw.crm_deals")
    con.close()
    _use(monkeypatch, tmp_path, warehouse)

    dbt_build("2026-11-20")  # raises on any failed model or test

    types = dict(
        _fetch(
            warehouse,
            """
        select table_name || '.' || column_name, data_type from information_schema.columns
        where table_schema = 'staging' and table_name in ('stg_crm__companies', 'stg_crm__deals')
    """,
        )
    )
    assert types["stg_crm__companies.company_id"] == "BIGINT"
    assert types["stg_crm__companies.numberofemployees"] == "BIGINT"
    assert types["stg_crm__deals.amount"].startswith("DECIMAL")
    assert types["stg_crm__deals.is_closed_won"] == "BOOLEAN"
    _assert_scored_without_companies_or_deals(warehouse, 5)
    # the contact with a won deal in the full fixture is only a lead here
    assert _fetch(
        warehouse, f"select lifecycle_stage from marts.fct_lead_scores where contact_id = {ORDINARY}"
    ) == [("lead",)]


def test_absent_companies_and_deals_tables_on_postgres(tmp_path, monkeypatch, postgres_server):
    workspace = tmp_path / "ingest.duckdb"
    create_raw_tables(workspace)
    duck = duckdb.connect(str(workspace))
    duck.execute("drop table raw.crm_companies")
    duck.execute("drop table raw.crm_deals")
    database = postgres_server.create_database("missing_exports")
    target = Warehouse("postgres", postgres=postgres_server.settings(database))
    with target.opened() as pg:
        for (day,) in duck.execute(
            "select distinct _load_date from raw.crm_contacts "
            "union select distinct _load_date from raw.web_events"
        ).fetchall():
            mirror_day(duck, pg, day)
    duck.close()
    _use(monkeypatch, tmp_path, workspace)
    for key, value in postgres_server.warehouse_env(database).items():
        monkeypatch.setenv(key, value)

    dbt_build("2026-11-20")

    with target.opened() as pg:
        assert pg.execute("select to_regclass('raw.crm_companies') is null").fetchone() == (True,)
        assert pg.execute("select count(*) from staging.stg_crm__companies").fetchone() == (0,)
        assert pg.execute("select count(*) from staging.stg_crm__deals").fetchone() == (0,)
        scores = pg.execute(
            "select count(*), count(lead_score), count(*) filter "
            "(where lifecycle_stage = 'sql') from marts.fct_lead_scores"
        ).fetchone()
        assert scores == (5, 5, 0)


@pytest.fixture(scope="module")
def contacts_and_events_only(tmp_path_factory):
    """A generated landing without companies.csv and deals.csv, ingested and built."""
    root = tmp_path_factory.mktemp("b2c")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    settings = Settings(contacts=200, days=10, seed=5)
    generate(landing, settings)
    removed = [p for p in (landing / "crm").rglob("*") if p.name.startswith(("companies.", "deals."))]
    assert removed
    for path in removed:
        path.unlink()
    with pytest.MonkeyPatch.context() as mp:
        _use(mp, root, warehouse)
        days = sorted({p.parent.name.removeprefix("date=") for p in landing.rglob("date=*/*")})
        load_days(
            [dt.date.fromisoformat(d) for d in days],
            landing_dir=landing,
            warehouse_path=warehouse,
            dag_run_id="b2c_test",
        )
        dbt_build(settings.end_date.isoformat())
        gate = run_quality_gate(warehouse, settings.end_date.isoformat(), "b2c_test", stage="all")
    return warehouse, settings, gate


def test_ingestion_creates_the_missing_crm_tables_empty(contacts_and_events_only):
    warehouse, _, _ = contacts_and_events_only
    for table, required in (("crm_companies", "name"), ("crm_deals", "dealstage")):
        columns = {
            r[0]
            for r in _fetch(
                warehouse,
                f"select column_name from information_schema.columns "
                f"where table_schema = 'raw' and table_name = '{table}'",
            )
        }
        assert {"hs_object_id", required, "createdate", "lastmodifieddate", "_load_date"} <= columns
        assert _fetch(warehouse, f"select count(*) from raw.{table}") == [(0,)]


def test_contacts_and_events_alone_score_and_pass_the_gate(contacts_and_events_only):
    warehouse, settings, gate = contacts_and_events_only
    contacts = _fetch(warehouse, "select count(*) from staging.stg_crm__contacts")[0][0]
    assert contacts >= settings.contacts
    _assert_scored_without_companies_or_deals(warehouse, contacts)
    # engagement and contact fit rules still fire
    categories = dict(
        _fetch(warehouse, "select category, count(*) from marts.fct_lead_score_components group by 1")
    )
    assert categories.get("engagement", 0) > 0 and categories.get("fit", 0) > 0
    assert gate.passed, gate.report()
