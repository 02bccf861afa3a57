"""One scored warehouse for the analysis tests: the tiny raw layer of tests/transform (planted
hot, cold, junk, ordinary and duplicate contacts), scored on two days with the suite's rules, and
synced once to a real CRM sandbox so that `sync.crm_sync_state` holds confirmed writes."""

from __future__ import annotations

import pytest

from lead_scoring.crm.client import CrmClient
from lead_scoring.crm.sandbox import start_sandbox
from lead_scoring.sync.reverse import run_sync
from lead_scoring.transform import dbt_build, dbt_invoke
from tests.transform.raw_fixture import CONTACTS, create_raw_tables

DAY_1, DAY_2 = "2026-11-19", "2026-11-20"
TOKEN = "analysis-test-token"


def _settings(root) -> dict[str, str]:
    return {
        "LEAD_SCORING_STATE_DIR": str(root / "state"),
        "LEAD_SCORING_WAREHOUSE": str(root / "warehouse.duckdb"),
    }


@pytest.fixture(scope="package")
def scored(tmp_path_factory):
    root = tmp_path_factory.mktemp("analysis")
    warehouse = root / "warehouse.duckdb"
    create_raw_tables(warehouse)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in _settings(root).items():
            mp.setenv(name, value)
        mp.delenv("LEAD_SCORING_TARGET", raising=False)
        # DAY_1's models only (the history's first day), then DAY_2 with the data tests.
        dbt_invoke(
            "build",
            ["--select", "+fct_lead_score_history", "--resource-type", "seed", "--resource-type", "model"],
            score_date=DAY_1,
        )
        dbt_build(DAY_2)
        contact_ids = sorted({row[0] for _, row in CONTACTS})
        with start_sandbox(root / "crm.sqlite", token=TOKEN, rate_limit=10_000) as crm:
            crm.store.bulk_insert(
                "contacts", [{"hs_object_id": cid, "email": f"c{cid}@example.com"} for cid in contact_ids]
            )
            with CrmClient(crm.url, TOKEN, requests_per_10s=10_000) as client:
                result = run_sync(warehouse, client)
        assert result.succeeded == len(contact_ids), result.summary()
    return {"root": root, "warehouse": warehouse, "contacts": contact_ids}


@pytest.fixture
def env(scored, monkeypatch):
    """This package's warehouse as the configured one (and its dbt state, for dbt's partial parse)."""
    for name, value in _settings(scored["root"]).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LEAD_SCORING_TARGET", raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # rich: wide enough that no rule id is cut
    return scored
