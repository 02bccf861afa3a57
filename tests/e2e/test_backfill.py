"""A backfill through Airflow over three past days rebuilds their history and writes nothing to
the CRM; the latest day, run after it, syncs."""

from __future__ import annotations

import csv
import shutil
from datetime import timedelta

import duckdb
import pytest

from lead_scoring import paths
from lead_scoring.crm.client import CrmClient
from lead_scoring.crm.sandbox import start_sandbox
from lead_scoring.orchestration.backfill import backfill
from tests.e2e.conftest import END

pytestmark = pytest.mark.e2e

PAST = [END - timedelta(days=3), END - timedelta(days=2), END - timedelta(days=1)]


def copy_rules(folder):
    """The suite's rules in another folder, with the pricing-page rule worth more."""
    shutil.copytree(paths.seeds_dir(), folder)
    engagement = folder / "scoring_engagement_rules.csv"
    with engagement.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    pricing = [row for row in rows if row["value"] == "^/pricing(/|$)"]
    assert pricing, "the suite's rules lost their pricing-page rule"
    for row in pricing:
        row.update(points=str(int(row["points"]) + 5), max_points="30")
    with engagement.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def test_backfill_of_three_past_days_sends_nothing_and_the_latest_day_syncs(pipeline, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(pipeline.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute("delete from sync.crm_sync_state")  # a fresh CRM: anything synced would be written
    con.close()
    history = (
        "select score_date, contact_id, lead_score, tier, model_version "
        "from marts.fct_lead_score_history where score_date = ? order by contact_id"
    )
    latest_before = pipeline.query(history, [END], warehouse=warehouse)
    runs_before = pipeline.query("select count(*) from sync.crm_sync_runs", warehouse=warehouse)

    with start_sandbox(tmp_path / "crm.sqlite", load_landing=pipeline.landing) as sandbox:
        env = pipeline.env(warehouse=warehouse, sandbox=sandbox)
        lines: list[str] = []
        done = backfill(PAST[0], PAST[-1], env, echo=lines.append)
        output = "\n".join(lines)

        assert done == [(day, True) for day in PAST], output
        assert output.count("sync_to_crm: skipped") == 3, output
        assert output.count("CRM sync skipped: score date") == 3, output
        assert f"older than the newest scored date {END}" in output, output
        assert sandbox.write_counts() == {}
        assert [r for r in sandbox.stats()["requests"] if r["route"] == "batch_update"] == []
        assert (
            pipeline.query("select count(*) from sync.crm_sync_runs", warehouse=warehouse) == runs_before
        )  # the sync never started

        per_day = dict(
            pipeline.query(
                "select score_date, count(*) - count(distinct contact_id) "
                "from marts.fct_lead_score_history group by 1",
                warehouse=warehouse,
            )
        )
        assert set(per_day) >= {*PAST, END} and set(per_day.values()) == {0}
        assert pipeline.query(history, [END], warehouse=warehouse) == latest_before

        ok, log = pipeline.run(END, env=env)
        assert ok, log
        assert "sync_to_crm: success" in log, log
        contacts = pipeline.query("select contact_id from marts.fct_lead_scores", warehouse=warehouse)
        assert sandbox.write_counts() == {contact_id: 1 for (contact_id,) in contacts}
        held = {
            int(r["id"]): r["properties"]
            for r in CrmClient(sandbox.url, sandbox.token).iter_objects("contacts", ["lead_score"])
        }
        for _, contact_id, lead_score, _, _ in pipeline.query(history, [END], warehouse=warehouse):
            assert float(held[contact_id]["lead_score"]) == lead_score, contact_id
        (dag_run_id,) = pipeline.query(
            "select dag_run_id from sync.crm_sync_runs order by started_at desc limit 1", warehouse=warehouse
        )[0]
        assert dag_run_id.startswith("manual__")  # the Airflow run id of `airflow dags test`
        writes_after_sync = sandbox.write_counts()

        # Re-scoring a past day with changed rules: that day's rows are replaced, and it says so.
        rules = copy_rules(tmp_path / "rules")
        (old_version,) = {v for *_, v in pipeline.query(history, [PAST[1]], warehouse=warehouse)}
        log_file = pipeline.state / "airflow" / "cli.log"
        log_start = log_file.stat().st_size
        ok, log = pipeline.run(PAST[1], env={**env, "LEAD_SCORING_SEEDS_DIR": str(rules)})
        assert ok, log
        assert "sync_to_crm: skipped" in log, log
        versions = {v for *_, v in pipeline.query(history, [PAST[1]], warehouse=warehouse)}
        assert len(versions) == 1 and versions != {old_version}
        with log_file.open() as fh:
            fh.seek(log_start)
            run_log = fh.read()
        assert f"replaced that date's history rows of model_version {old_version}" in run_log
        assert sandbox.write_counts() == writes_after_sync
