"""The daily DAG, run for real by `airflow dags test` on generated data, scores what it should.

Three runs on one warehouse: a first load of history for day N-1, the next day N (as a
scheduler's catchup would run it), and day N again, which must leave every table as it was.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta

import duckdb
import pytest

from lead_scoring.generate.generator import generate
from lead_scoring.generate.settings import Settings
from lead_scoring.orchestration import airflow_cli

pytestmark = pytest.mark.e2e

END = date(2026, 11, 20)
DAYS = 21
DAG_ID = "lead_scoring_daily"
# Differ between runs by design: when and by which run a row was loaded or checked.
RUN_METADATA = {"_loaded_at", "_dag_run_id", "recorded_at", "run_id"}


def snapshot(warehouse) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without the per-run metadata columns."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        out = {}
        for schema, table in tables:
            columns = [
                c for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall() if c not in RUN_METADATA
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            out[f"{schema}.{table}"] = sorted(
                con.execute(f'select {select} from "{schema}"."{table}"').fetchall(), key=repr
            )
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    state = tmp_path_factory.mktemp("e2e")
    settings = Settings(contacts=800, days=DAYS, end_date=END, seed=7)
    generate(state / "landing", settings)
    env = airflow_cli.airflow_env(state)
    warehouse = state / "warehouse.duckdb"

    def run(day: date, conf: dict | None = None):
        ok, log_file = airflow_cli.dags_test(DAG_ID, day.isoformat(), env, conf=conf,
                                             echo=lambda _line: None)
        assert ok, f"DAG run for {day} failed:\n" + log_file.read_text()[-6000:]

    run(END - timedelta(days=1), {"load_from": settings.start_date.isoformat()})
    run(END)
    after_first_end_run = snapshot(warehouse)
    run(END)
    planted = list(csv.DictReader((state / "landing" / "_generator" / "planted_leads.csv").open()))
    return {"warehouse": warehouse, "planted": planted, "before_rerun": after_first_end_run}


def scores(pipeline) -> dict[int, dict]:
    con = duckdb.connect(str(pipeline["warehouse"]), read_only=True)
    try:
        cursor = con.execute("select * from marts.fct_lead_scores")
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    finally:
        con.close()


def planted(pipeline, kind: str) -> list[dict]:
    return [p for p in pipeline["planted"] if p["kind"] == kind]


def test_every_contact_is_scored_once(pipeline):
    by_id = scores(pipeline)
    assert len(by_id) > 700
    for row in by_id.values():
        assert 0 <= row["lead_score"] <= 100
        assert row["tier"] in {"hot", "warm", "cold", "disqualified"}


def test_planted_hot_leads_rank_above_planted_cold_leads(pipeline):
    by_id = scores(pipeline)
    hot = [by_id[int(p["hs_object_id"])] for p in planted(pipeline, "hot")]
    cold = [by_id[int(p["hs_object_id"])] for p in planted(pipeline, "cold")]
    assert hot and cold
    assert min(r["lead_score"] for r in hot) > max(r["lead_score"] for r in cold)
    assert all(r["tier"] == "hot" for r in hot), [(r["contact_id"], r["tier"]) for r in hot]
    assert all(r["tier"] == "cold" for r in cold), [(r["contact_id"], r["tier"]) for r in cold]


def test_junk_named_leads_are_never_hot(pipeline):
    by_id = scores(pipeline)
    junk_named = [p for p in planted(pipeline, "junk")
                  if p["reason"] in {"fictional_name", "keyboard_mash"}]
    assert junk_named
    for p in junk_named:
        row = by_id[int(p["hs_object_id"])]
        assert row["tier"] != "hot" and row["is_junk"], (p, row)
        assert p["reason"] in row["junk_reasons"]


def test_catchup_run_adds_one_history_row_per_contact_per_day(pipeline):
    con = duckdb.connect(str(pipeline["warehouse"]), read_only=True)
    try:
        per_day = con.execute(
            "select score_date, count(*), count(distinct contact_id) "
            "from marts.fct_lead_score_history group by 1 order by 1"
        ).fetchall()
    finally:
        con.close()
    assert [d for d, _, _ in per_day] == [END - timedelta(days=1), END]
    assert all(n == distinct for _, n, distinct in per_day)


def test_rerunning_the_same_day_leaves_identical_tables(pipeline):
    after = snapshot(pipeline["warehouse"])
    before = pipeline["before_rerun"]
    assert sorted(after) == sorted(before)
    changed = [table for table in before if before[table] != after[table]]
    assert changed == []
