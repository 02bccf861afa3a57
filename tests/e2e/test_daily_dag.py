"""The daily DAG, run for real by `airflow dags test` on generated data, scores what it should
and writes it to the CRM sandbox once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lead_scoring import paths
from lead_scoring.crm.client import CrmClient
from tests.e2e.conftest import END
from tests.e2e.snapshot import snapshot

pytestmark = pytest.mark.e2e


def planted(pipeline, kind: str) -> list[dict]:
    return [p for p in pipeline.planted if p["kind"] == kind]


def test_every_contact_is_scored_once(pipeline):
    by_id = pipeline.scores()
    assert len(by_id) > 700
    for row in by_id.values():
        assert 0 <= row["lead_score"] <= 100
        assert row["tier"] in {"hot", "warm", "cold", "disqualified"}


def test_planted_hot_leads_rank_above_planted_cold_leads(pipeline):
    by_id = pipeline.scores()
    hot = [by_id[int(p["hs_object_id"])] for p in planted(pipeline, "hot")]
    cold = [by_id[int(p["hs_object_id"])] for p in planted(pipeline, "cold")]
    assert hot and cold
    assert min(r["lead_score"] for r in hot) > max(r["lead_score"] for r in cold)
    assert all(r["tier"] == "hot" for r in hot), [(r["contact_id"], r["tier"]) for r in hot]
    assert all(r["tier"] == "cold" for r in cold), [(r["contact_id"], r["tier"]) for r in cold]


def test_junk_named_leads_are_never_hot(pipeline):
    by_id = pipeline.scores()
    junk_named = [p for p in planted(pipeline, "junk") if p["reason"] in {"fictional_name", "keyboard_mash"}]
    assert junk_named
    for p in junk_named:
        row = by_id[int(p["hs_object_id"])]
        assert row["tier"] != "hot" and row["is_junk"], (p, row)
        assert p["reason"] in row["junk_reasons"]


def test_catchup_run_adds_one_history_row_per_contact_per_day(pipeline):
    per_day = pipeline.query(
        "select score_date, count(*), count(distinct contact_id) "
        "from marts.fct_lead_score_history group by 1 order by 1"
    )
    assert [d for d, _, _ in per_day] == [END - timedelta(days=1), END]
    assert all(n == distinct for _, n, distinct in per_day)


def test_rerunning_the_same_day_leaves_identical_tables(pipeline):
    after = snapshot(pipeline.warehouse)
    assert sorted(after) == sorted(pipeline.before_rerun)
    changed = [table for table in after if after[table] != pipeline.before_rerun[table]]
    assert changed == []


def test_the_crm_holds_the_warehouse_scores_and_a_rerun_sends_nothing(pipeline):
    client = CrmClient(pipeline.sandbox.url, pipeline.sandbox.token)
    held = {
        int(r["id"]): r["properties"]
        for r in client.iter_objects("contacts", ["lead_score", "lead_tier", "lead_grade", "lead_is_junk"])
    }
    for contact_id, row in pipeline.scores().items():
        crm = held[contact_id]
        assert float(crm["lead_score"]) == row["lead_score"], contact_id
        assert (crm["lead_tier"], crm["lead_grade"]) == (row["tier"], row["grade"]), contact_id
        assert crm["lead_is_junk"] == ("true" if row["is_junk"] else "false")
    assert pipeline.sandbox.write_counts() == pipeline.writes_before_rerun
    (last_run,) = pipeline.query(
        "select planned, sent from sync.crm_sync_runs order by started_at desc limit 1"
    )
    assert last_run == (0, 0)


def test_the_airflow_runs_score_with_the_tests_own_rules(pipeline):
    # LEAD_SCORING_SEEDS_DIR (tests/fixtures/rules) reaches the Airflow task processes: the
    # tests' rule ids and points, not the shipped example's
    fired = {r[0] for r in pipeline.query("select distinct rule_id from marts.fct_lead_score_components")}
    assert {"f_title_vp", "e_page_pricing"} <= fired
    assert not {r for r in fired if r.startswith(("fit_", "eng_"))}
    [(points,)] = pipeline.query(
        "select points from seeds.scoring_engagement_rules where rule_id = 'e_page_pricing'"
    )
    assert points == 4


def test_the_runs_show_every_task_and_the_steps_progress_from_events(pipeline):
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(paths.DAGS_DIR)).dags["lead_scoring_daily"]
    first, _, rerun = pipeline.shown[:3]  # the fixture's runs: history to N-1, N, N again
    text = "\n".join(first)
    for task in dag.task_ids:
        assert f"] {task}: running" in text, task
        assert re.search(rf"\] {task}: success \(", text), task
    assert first[-1].endswith("] DAG run success")
    days = [(int(i), int(n)) for i, n in re.findall(r"ingest \[(\d+)/(\d+)\] ", text)]
    total = days[0][1]  # the first run loads all the history: first and last day shown
    assert total > 10 and days[0] == (1, total) and days[-1] == (total, total)
    assert re.search(r"dbt \[\d+/(\d+)\] model fct_lead_scores success", text)
    assert re.search(r"dbt build: \d+ node\(s\) in .*\d+ model success", text)
    assert re.search(r"CRM sync: (\d[\d,]*)/\1 contacts in ", text)
    assert "Quality gate passed" in text
    assert not re.search(r"CRM sync: \d", "\n".join(rerun))  # nothing to send: no progress line
