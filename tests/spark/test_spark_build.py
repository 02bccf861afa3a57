"""The dbt project on a local Spark gives DuckDB's tables row for row, from the same raw fixture.

Three Spark differences fail silently, and each has a test here: the session seed loader turned
empty cells into the string 'None'; `regexp_replace(..., 'g')` returns NULL; dbt-spark's listagg
drops its ORDER BY (a random model_version hash and reason lists).
"""

from __future__ import annotations

import pytest

from lead_scoring.transform import dbt_invoke
from tests.transform.raw_fixture import JUNK

from .conftest import DAY_1, DAY_2, normal

pytestmark = pytest.mark.spark


def test_every_mart_equals_duckdb_row_for_row(spark_build):
    tables = spark_build.duck_tables("marts")
    assert spark_build.spark_tables("marts") == set(tables)
    assert "fct_lead_score_history" in tables
    for table, columns in tables.items():
        duck, spark = spark_build.both("marts", table, columns)
        assert duck, f"marts.{table} is empty"
        assert spark == duck, f"marts.{table} differs between Spark and DuckDB"


def test_score_history_holds_both_days(spark_build):
    days = spark_build.spark("select distinct cast(score_date as string) from marts.fct_lead_score_history")
    assert sorted(day for (day,) in days) == [DAY_1, DAY_2]


def test_seeds_equal_duckdb_with_null_for_empty_cells_and_apostrophes_kept(spark_build):
    tables = spark_build.duck_tables("seeds")
    for table, columns in tables.items():
        duck, spark = spark_build.both("seeds", table, columns)
        assert spark == duck, f"seeds.{table} differs between Spark and DuckDB"
        text = [c for c in columns if c in ("description", "reason", "rule_group", "value", "universe")]
        for column in text:
            nones = spark_build.spark(f"select count(*) from seeds.{table} where `{column}` = 'None'")
            assert nones == [(0,)], f"seeds.{table}.{column} holds the string 'None'"
    # tests/fixtures/rules/scoring_rule_groups.csv: "industry,fit,20,-10,,,,Industry of the contact's company"
    row = spark_build.spark(
        "select window_days, decay_percent, description from seeds.scoring_rule_groups "
        "where rule_group = 'industry'"
    )
    assert row == [(None, None, "Industry of the contact's company")]


def test_regex_replace_gives_duckdbs_values(spark_build):
    """Name normalisation (regexp_remove) finds the fictional name, and `in` rules (their value
    lists normalised with regexp_replace_all) match: both are NULL on Spark with a 'g' flag."""
    junk = spark_build.spark(
        f"select reason_code from intermediate.int_junk_signals where contact_id = {JUNK} order by 1"
    )
    assert ("fictional_name",) in junk
    for table in ("int_junk_signals", "int_fit_points", "stg_crm__contacts"):
        schema = "staging" if table.startswith("stg_") else "intermediate"
        columns = spark_build.duck_tables(schema)[table]
        duck, spark = spark_build.both(schema, table, columns)
        assert spark == duck, f"{schema}.{table} differs between Spark and DuckDB"
    matched_in_rules = spark_build.spark(
        "select count(*) from intermediate.int_fit_points where rule_id like 'f_industry_%'"
    )
    assert matched_in_rules[0][0] > 0


def test_model_version_and_reason_lists_equal_duckdb(spark_build):
    """listagg keeps its order on Spark: the hash over the rules' text and the reason lists."""
    sql = "select model_version from intermediate.int_scoring_model_version"
    assert spark_build.spark(sql) == spark_build.duck(sql)
    sql = "select contact_id, junk_reasons, score_reasons from marts.fct_lead_scores"
    spark, duck = normal(spark_build.spark(sql)), normal(spark_build.duck(sql))
    assert spark == duck
    assert any(reasons and reasons.count(";") >= 2 for _, _, reasons in spark), "no list long enough to order"


def test_rerun_of_a_day_replaces_it(spark_build):
    """A second run of DAY_2 overwrites its partitions: no row twice, nothing else changes."""
    tables = {"staging": "stg_web__events", "marts": "fct_lead_score_history"}
    before = {s: spark_build.spark(f"select * from {s}.{t}") for s, t in tables.items()}
    dbt_invoke(
        "run",
        ["--select", "stg_web__events", "fct_lead_score_history"],
        score_date=DAY_2,
        target="spark",
    )
    for schema, table in tables.items():
        after = spark_build.spark(f"select * from {schema}.{table}")
        assert normal(after) == normal(before[schema]), f"{schema}.{table} changed on a re-run"


def test_web_events_rebuild_when_the_score_date_goes_back(spark_build):
    """Scoring DAY_1 after DAY_2 empties the table (TRUNCATE: Parquet has no DELETE) and rebuilds
    it; DAY_2 again then rewrites its days, and the table equals DuckDB's."""
    select = ["--select", "stg_web__events"]
    dbt_invoke("run", select, score_date=DAY_1, target="spark")
    ids = spark_build.spark("select message_id, cast(event_timestamp as string) from staging.stg_web__events")
    assert ids and all(ts < "2026-11-20" for _, ts in ids)
    source = spark_build.spark(
        "select message_id from raw.web_events where event_timestamp < cast('2026-11-20' as timestamp)"
    )
    assert sorted(i for i, _ in ids) == sorted(i for (i,) in source)
    dbt_invoke("run", select, score_date=DAY_2, target="spark")
    columns = spark_build.duck_tables("staging")["stg_web__events"]
    duck, spark = spark_build.both("staging", "stg_web__events", columns)
    assert spark == duck
    assert len(spark) > len(ids)


def test_web_events_unit_tests_pass_on_spark(spark_build):
    """stg_web__events' unit tests, the Spark-only one of its by-day runs included (the other
    models' unit tests cost about 15 s each on Spark: their SQL is proven by the marts above)."""
    result = dbt_invoke(
        "test", ["--select", "stg_web__events,test_type:unit"], score_date=DAY_2, target="spark"
    )
    names = {r.node.name for r in result.results}
    assert "incremental_run_rewrites_the_days_with_new_rows" in names
    assert "incremental_run_reads_new_loads_and_late_events" not in names
