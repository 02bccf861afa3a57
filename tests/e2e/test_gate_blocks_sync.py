"""A mart corrupted on purpose stops the DAG at the quality gate: the CRM receives nothing."""

from __future__ import annotations

import shutil

import pytest

from lead_scoring.crm.sandbox import start_sandbox
from tests.e2e.conftest import END

pytestmark = pytest.mark.e2e

# Checks the gate owns (docs/quality.md): the marts' keys and ranges are dbt tests, which fail
# dbt_build itself; these corruptions get past a build and must stop at the gate.
CORRUPTIONS = {
    "half_the_leads_gone": (
        "delete from marts.fct_lead_scores where contact_id % 2 = 0",
        ["run_metrics on marts.fct_lead_scores", "lead_count"],
    ),
    "raw_event_without_message_id": (
        f"update raw.web_events set message_id = null where message_id = "
        f"(select min(message_id) from raw.web_events where _load_date = date '{END}')",
        ["raw_web_events on raw.web_events", "message_id"],
    ),
    "tripled_junk_share": (
        """
        update marts.fct_lead_scores
        set is_junk = true, tier = 'disqualified', junk_reasons = 'fictional_name'
        where not is_junk and contact_id in (
            select contact_id from marts.fct_lead_scores where not is_junk
            order by hash(contact_id)
            limit (select 2 * count(*) filter (where is_junk) from marts.fct_lead_scores)
        )
        """,
        ["junk_pct"],
    ),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupted_mart_fails_the_gate_and_nothing_reaches_the_crm(pipeline, tmp_path, name):
    import duckdb

    sql, expected_in_log = CORRUPTIONS[name]
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(pipeline.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute(sql)
    con.close()

    with start_sandbox(tmp_path / "crm.sqlite", load_landing=pipeline.landing) as sandbox:
        # The corrupted mart is the day's result: Airflow marks the loading and building
        # tasks successful without running them, then runs the gate and what follows.
        ok, output = pipeline.run(
            END,
            env=pipeline.env(warehouse=warehouse, sandbox=sandbox),
            mark_success="^(extract_from_crm|ingest|dbt_build)$",
        )
        assert not ok, output
        assert "quality_gate: failed" in output, output
        assert "sync_to_crm: running" not in output, output
        for text in expected_in_log:
            assert text in output, output
        assert sandbox.write_counts() == {}
        updates = [r for r in sandbox.stats()["requests"] if r["route"] == "batch_update"]
        assert updates == []
