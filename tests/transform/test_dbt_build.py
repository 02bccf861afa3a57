"""`dbt build` through lead_scoring.transform on a tiny raw fixture: real behaviour, end to end."""

from __future__ import annotations

import logging
import re
import shutil

import duckdb
import pytest

from lead_scoring.progress import EVENTS_FILE_ENV, EventTail
from lead_scoring.transform import DbtRunError, dbt_build, dbt_invoke

from .raw_fixture import COLD, DUPLICATE, HOT, JUNK, ORDINARY, create_raw_tables

DAY_1, DAY_2 = "2026-11-19", "2026-11-20"


def _fetch(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("transform")
    warehouse = root / "warehouse.duckdb"
    create_raw_tables(warehouse)
    return root, warehouse


@pytest.fixture
def env(workdir, monkeypatch):
    root, warehouse = workdir
    monkeypatch.setenv("LEAD_SCORING_STATE_DIR", str(root / "state"))
    monkeypatch.setenv("LEAD_SCORING_WAREHOUSE", str(warehouse))
    monkeypatch.delenv("LEAD_SCORING_TARGET", raising=False)
    return warehouse


class Built(tuple):
    """(warehouse, first, second), and the progress events of the DAY_1 build."""

    events: list[dict]


@pytest.fixture(scope="module")
def built(workdir):
    """Score DAY_1, then DAY_2 twice; keep what each DAY_2 run wrote."""
    root, warehouse = workdir
    events = EventTail(root / "events.jsonl")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEAD_SCORING_STATE_DIR", str(root / "state"))
        mp.setenv("LEAD_SCORING_WAREHOUSE", str(warehouse))
        mp.setenv(EVENTS_FILE_ENV, str(events.path))
        mp.delenv("LEAD_SCORING_TARGET", raising=False)
        dbt_build(DAY_1)
        day_1_events = events.read()
        dbt_build(DAY_2)
        first = _fetch(warehouse, "select * from marts.fct_lead_scores order by contact_id")
        dbt_invoke("run", score_date=DAY_2)  # the same models again (tests ran above)
        second = _fetch(warehouse, "select * from marts.fct_lead_scores order by contact_id")
    result = Built((warehouse, first, second))
    result.events = day_1_events
    return result


def _scores(warehouse):
    rows = _fetch(
        warehouse,
        "select contact_id, fit_score, engagement_score, lead_score, grade, tier, "
        "lifecycle_stage, is_junk, junk_reasons, score_reasons from marts.fct_lead_scores",
    )
    keys = ("fit", "engagement", "lead", "grade", "tier", "stage", "is_junk", "junk", "reasons")
    return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in rows}


def test_every_contact_is_scored_with_the_contract_columns(built):
    warehouse, first, _ = built
    columns = [
        row[0]
        for row in _fetch(
            warehouse,
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'fct_lead_scores' order by ordinal_position",
        )
    ]
    assert columns == [
        "contact_id",
        "email",
        "fit_score",
        "engagement_score",
        "lead_score",
        "grade",
        "tier",
        "lifecycle_stage",
        "is_junk",
        "junk_reasons",
        "score_reasons",
        "scored_at",
        "model_version",
    ]
    assert [row[0] for row in first] == [HOT, COLD, JUNK, ORDINARY, DUPLICATE]
    assert {str(row[11]) for row in first} == {"2026-11-20 23:59:59"}


def test_a_contract_violation_fails_the_model_and_keeps_the_table(built, env, tmp_path, monkeypatch):
    """fct_lead_scores has an enforced contract: SQL that changes a column's type fails the model
    before the table the CRM sync and BI read is replaced."""
    from lead_scoring import paths

    project = tmp_path / "dbt_project"
    shutil.copytree(paths.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    model = project / "models" / "marts" / "scoring" / "fct_lead_scores.sql"
    sql = model.read_text()
    assert "        fit_score,\n" in sql
    model.write_text(sql.replace("        fit_score,\n", "        fit_score / 2 as fit_score,\n"))  # a double
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(built[0].read_bytes())
    monkeypatch.setattr(paths, "DBT_PROJECT_DIR", project)
    monkeypatch.setenv("LEAD_SCORING_WAREHOUSE", str(copy))
    monkeypatch.setenv("LEAD_SCORING_STATE_DIR", str(tmp_path / "state"))
    type_of_fit_score = (
        "select data_type from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'fct_lead_scores' and column_name = 'fit_score'"
    )

    with pytest.raises(DbtRunError) as info:
        dbt_invoke("run", ["--select", "fct_lead_scores"], score_date=DAY_2)

    assert [uid for uid, _, _ in info.value.failures] == ["model.lead_scoring.fct_lead_scores"]
    message = str(info.value)
    assert "contract" in message and "fit_score" in message and "data type mismatch" in message
    assert _fetch(copy, type_of_fit_score) == [("INTEGER",)]
    assert _fetch(copy, "select * from marts.fct_lead_scores order by contact_id") == built[1]


def test_the_build_reports_each_node_from_dbt_events(built):
    nodes = [e for e in built.events if e["source"] == "dbt" and not e.get("summary")]
    total = nodes[0]["total"]
    assert [e["index"] for e in nodes] == list(range(1, total + 1))  # every node, once, in order
    assert {e["total"] for e in nodes} == {total}
    by_node = {e["node"]: e for e in nodes}
    score = by_node["model.lead_scoring.int_lead_scores"]
    assert re.fullmatch(rf"dbt \[\d+/{total}\] model int_lead_scores success \d+\.\ds", score["message"])
    assert {e["resource_type"] for e in nodes} >= {"seed", "model", "test"}
    assert {e["status"] for e in nodes} <= {"success", "pass", "no-op"}
    found, summary = [e for e in built.events if e.get("summary")]
    assert re.fullmatch(r"dbt build: found \d+ models, \d+ data tests, \d+ seeds, .*", found["message"])
    models = sum(1 for e in nodes if e["resource_type"] == "model")
    assert summary["message"].startswith(f"dbt build: {total} node(s) in ")
    assert f"{models} model success" in summary["message"]


def test_planted_hot_lead_outranks_cold_lead(built):
    scores = _scores(built[0])
    hot, cold = scores[HOT], scores[COLD]
    assert hot["lead"] > cold["lead"]
    assert hot["fit"] > cold["fit"] and hot["engagement"] > cold["engagement"]
    assert hot["tier"] in ("hot", "warm") and hot["grade"].startswith("A")
    assert cold["tier"] == "cold" and cold["grade"].startswith("C")
    assert "Requested a demo" in hot["reasons"]


def test_junk_named_contact_is_disqualified(built):
    scores = _scores(built[0])
    junk = scores[JUNK]
    assert junk["tier"] == "disqualified"
    assert junk["is_junk"] is True
    assert "fictional_name" in junk["junk"].split(",")
    assert junk["stage"] == "lead"
    assert scores[DUPLICATE]["junk"] == "duplicate_email"
    assert scores[ORDINARY]["is_junk"] is False and scores[ORDINARY]["stage"] == "sql"
    assert scores[HOT]["is_junk"] is False and scores[COLD]["is_junk"] is False


def test_components_sum_to_scores_before_clamping(built):
    warehouse = built[0]
    rows = _fetch(
        warehouse,
        """
        select s.contact_id, s.fit_score, s.engagement_score,
               coalesce(sum(c.points) filter (where c.category in ('fit', 'junk')), 0),
               coalesce(sum(c.points) filter (where c.category = 'engagement'), 0)
        from marts.fct_lead_scores s
        left join marts.fct_lead_score_components c using (contact_id)
        group by all
        """,
    )
    for contact_id, fit, engagement, fit_points, engagement_points in rows:
        assert fit == round(min(max(float(fit_points), 0), 100)), contact_id
        assert engagement == round(min(max(float(engagement_points), 0), 100)), contact_id
    junk_fit = next(r for r in rows if r[0] == JUNK)
    assert junk_fit[3] < 0  # junk points pulled the fit below zero before clamping


def test_anonymous_visits_before_identify_count(built):
    rows = _fetch(
        built[0],
        f"select occurrences, evidence from marts.fct_lead_score_components "
        f"where contact_id = {HOT} and rule_id = 'e_page_pricing'",
    )
    assert rows and rows[0][0] == 3, rows
    assert rows[0][1].startswith("3 x /pricing")


def test_staging_keeps_latest_version_and_custom_properties(built):
    warehouse = built[0]
    assert _fetch(warehouse, f"select jobtitle from staging.stg_crm__contacts where contact_id = {HOT}") == [
        ("VP Sales",)
    ]
    assert _fetch(
        warehouse,
        f"select value from intermediate.int_contact_properties where contact_id = {HOT} "
        "and object = 'contact' and property = 'lead_source_detail'",
    ) == [("webinar",)]


def test_history_has_one_row_per_contact_per_day(built):
    rows = _fetch(
        built[0],
        "select score_date, count(*), count(distinct contact_id) "
        "from marts.fct_lead_score_history group by score_date order by score_date",
    )
    assert [(str(d), n, k) for d, n, k in rows] == [(DAY_1, 5, 5), (DAY_2, 5, 5)]


def test_rerunning_the_same_score_date_gives_identical_scores(built):
    _, first, second = built
    assert first == second


def test_rule_performance_measures_every_rule(built):
    rows = _fetch(
        built[0],
        "select rule_id, contacts_fired, won_fired from marts.fct_rule_performance",
    )
    by_rule = {r[0]: r[1:] for r in rows}
    assert by_rule["fictional_name"] == (1, 0)
    assert by_rule["e_demo_requested"] == (1, 0)
    assert "f_title_vp" in by_rule and "duplicate_email" in by_rule


def test_unit_tests_pass(built, env):
    result = dbt_invoke("test", ["--select", "test_type:unit"], score_date=DAY_2)
    statuses = [str(r.status) for r in result.results]
    assert len(statuses) >= 7 and set(statuses) == {"pass"}


def test_failure_names_the_failed_node(built, env):
    with pytest.raises(DbtRunError) as info:
        dbt_build(DAY_2, select="int_lead_scores", vars={"fit_weight": 2})
    assert isinstance(info.value, RuntimeError)
    assert "fit_weight" in str(info.value)


def test_score_date_must_be_iso():
    with pytest.raises(ValueError):
        dbt_build("20/11/2026")


def test_model_version_follows_the_rules(built, env):
    # same rules on both days: one hash; another fit_weight: another hash
    (before,) = _fetch(built[0], "select distinct model_version from marts.fct_lead_score_history")
    dbt_build(DAY_2, select="int_scoring_model_version", vars={"fit_weight": 0.6})
    (after,) = _fetch(built[0], "select model_version from intermediate.int_scoring_model_version")
    assert after != before


def test_key_tests_catch_a_duplicate(built, env, tmp_path, monkeypatch, caplog):
    # unique and unique_combination_of_columns run a hash-first query on DuckDB
    # (macros/tests/): a planted duplicate key must still fail them, on a copy of the warehouse
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(built[0].read_bytes())
    con = duckdb.connect(str(copy))
    con.execute("insert into staging.stg_web__events select * from staging.stg_web__events limit 1")
    con.execute("insert into intermediate.int_fit_points select * from intermediate.int_fit_points limit 1")
    con.close()
    monkeypatch.setenv("LEAD_SCORING_WAREHOUSE", str(copy))
    caplog.set_level(logging.INFO, logger="lead_scoring.transform")
    with pytest.raises(DbtRunError) as info:
        dbt_invoke(
            "test",
            ["--select", "stg_web__events", "int_fit_points", "--exclude-resource-type", "unit_test"],
            score_date=DAY_2,
        )
    failed = {uid.split(".")[2] for uid, _, _ in info.value.failures}
    assert failed == {
        "unique_stg_web__events_message_id",
        "unique_combination_of_columns_int_fit_points_contact_id__rule_id",
    }
    progress = [r for r in caplog.records if r.getMessage().startswith("dbt [")]
    warned = {r.getMessage().split()[3] for r in progress if r.levelno == logging.WARNING}
    assert warned == failed  # the failed tests' progress lines are warnings
    assert all(
        re.fullmatch(r"dbt \[\d+/\d+\] test \w+ (pass|fail) \d+\.\ds", r.getMessage()) for r in progress
    )


def test_transform_cli_passes_vars_to_dbt(built, env, tmp_path, monkeypatch):
    from lead_scoring.cli import main

    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(built[0].read_bytes())
    monkeypatch.setenv("LEAD_SCORING_WAREHOUSE", str(copy))
    query = "select contact_id, fit_score, engagement_score, lead_score from intermediate.int_lead_scores"
    before = _fetch(copy, query)
    assert any(lead != fit for _, fit, _, lead in before)  # fit_weight 0.5 mixes both scores

    # JSON, as in dbt's own --vars: lead_score is the fit score alone
    assert (
        main(
            ["transform", "--score-date", DAY_2, "--select", "int_lead_scores", "--vars", '{"fit_weight": 1}']
        )
        == 0
    )
    assert all(lead == fit for _, fit, _, lead in _fetch(copy, query))

    # YAML works too: the engagement score alone
    assert (
        main(["transform", "--score-date", DAY_2, "--select", "int_lead_scores", "--vars", "fit_weight: 0"])
        == 0
    )
    assert all(lead == engagement for _, _, engagement, lead in _fetch(copy, query))

    # a value the model refuses fails the command
    assert (
        main(["transform", "--score-date", DAY_2, "--select", "int_lead_scores", "--vars", "{fit_weight: 2}"])
        == 1
    )


@pytest.mark.parametrize("text", ["[0.6]", "fit_weight", "{fit_weight: [", '{"score_date": "2026-11-20"}'])
def test_transform_cli_refuses_vars_that_are_not_a_mapping(text, capsys):
    from lead_scoring.cli import main

    with pytest.raises(SystemExit) as info:
        main(["transform", "--vars", text])
    assert info.value.code == 2
    assert "--vars" in capsys.readouterr().err


def test_builds_leave_the_rules_folder_as_it_was(built):
    # dbt writes what it ran for a seed under target/run/<seed path>: the runner passes dbt a
    # relative rules folder, so that is never the (absolute) rules folder itself
    from tests.conftest import TEST_RULES_DIR

    assert sorted(p.suffix for p in TEST_RULES_DIR.iterdir()) == [".csv"] * 12 + [".yml"]
    header = (TEST_RULES_DIR / "scoring_fit_rules.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "rule_id,rule_group,object,property,operator,value,points,disqualify,reason"
    rule_ids = {r[0] for r in _fetch(built[0], "select rule_id from seeds.scoring_fit_rules")}
    assert "f_title_vp" in rule_ids and not any(r.startswith("fit_") for r in rule_ids)
