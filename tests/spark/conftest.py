"""One local Spark (session mode, loopback, its folders in a temporary directory) for the tests.

The transform tests' raw fixture is built twice with the same rules: on DuckDB (the reference) and
on Spark, each for DAY_1 then DAY_2 (the second run incremental). Spark starts once per test
session: a Derby metastore takes one process, and starting Spark costs seconds.
"""

from __future__ import annotations

import os
import shutil
import time
from decimal import Decimal

import pytest

from tests.transform.raw_fixture import create_raw_tables

from .raw_parquet import register_raw_tables

DAY_1, DAY_2 = "2026-11-19", "2026-11-20"
# Seeds and models, without data tests (tests/transform runs them on DuckDB; here the tables are
# compared with DuckDB's instead) and unit tests (test_spark_build runs those on Spark once).
BUILD_ARGS = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


def normal(rows) -> list[tuple]:
    """Rows comparable across engines: numbers as floats rounded to 9 places, sorted."""

    def value(v):
        return round(float(v), 9) if isinstance(v, float | Decimal) else v

    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


class SparkBuild:
    """The two warehouses after the builds, and how to read them."""

    def __init__(self, session, reference, root):
        self.session = session
        self.reference = reference
        self.root = root
        self.timings: dict[str, float] = {}

    def spark(self, sql: str) -> list[tuple]:
        return [tuple(row) for row in self.session.sql(sql).collect()]

    def duck(self, sql: str) -> list[tuple]:
        import duckdb

        con = duckdb.connect(str(self.reference), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def duck_tables(self, schema: str) -> dict[str, list[str]]:
        """DuckDB's tables and views of `schema`, each with its columns in order."""
        rows = self.duck(
            "select table_name, column_name from information_schema.columns "
            f"where table_schema = '{schema}' order by table_name, ordinal_position"
        )
        tables: dict[str, list[str]] = {}
        for table, column in rows:
            tables.setdefault(table, []).append(column)
        return tables

    def spark_tables(self, schema: str) -> set[str]:
        """Tables and views of `schema` (not the temporary views dbt-spark leaves in the session)."""
        rows = self.session.sql(f"show tables in {schema}").collect()
        return {row.tableName for row in rows if not row.isTemporary}

    def both(self, schema: str, table: str, columns: list[str]) -> tuple[list[tuple], list[tuple]]:
        """The rows of one table in DuckDB and in Spark, the same columns in the same order
        (Spark stores partition columns last)."""
        duck = self.duck(f"select {', '.join(columns)} from {schema}.{table}")
        spark = self.spark(f"select {', '.join(f'`{c}`' for c in columns)} from {schema}.{table}")
        return normal(duck), normal(spark)


def _dbt(score_date: str, target: str | None = None) -> float:
    from lead_scoring.transform import dbt_invoke

    start = time.monotonic()
    dbt_invoke("build", BUILD_ARGS, score_date=score_date, target=target)
    return time.monotonic() - start


@pytest.fixture(scope="session")
def spark_build(tmp_path_factory, _test_rules):
    pytest.importorskip("pyspark", reason="the Spark engine is not installed (make env-spark)")
    pytest.importorskip("dbt.adapters.spark", reason="dbt-spark is not installed (make env-spark)")
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java for Spark (install a JDK 17 or set JAVA_HOME)")
    from lead_scoring import spark

    root = tmp_path_factory.mktemp("spark")
    raw = root / "fixture.duckdb"
    create_raw_tables(raw)
    reference = root / "reference.duckdb"
    shutil.copy(raw, reference)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)  # Derby writes derby.log to the working directory
        mp.setenv("TZ", "UTC")  # pyspark returns timestamps in the process's time zone
        time.tzset()
        mp.setenv("LEAD_SCORING_STATE_DIR", str(root / "state"))
        mp.setenv("LEAD_SCORING_SPARK_DIR", str(root / "spark"))
        mp.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        mp.setenv("LEAD_SCORING_SPARK_SHUFFLE_PARTITIONS", "1")
        mp.delenv("LEAD_SCORING_SPARK_METHOD", raising=False)
        mp.delenv("LEAD_SCORING_SPARK_MASTER", raising=False)
        mp.delenv("LEAD_SCORING_TARGET", raising=False)
        mp.setenv("LEAD_SCORING_WAREHOUSE", str(reference))
        build = SparkBuild(None, reference, root)
        build.timings["duckdb_day_1"] = _dbt(DAY_1)
        build.timings["duckdb_day_2"] = _dbt(DAY_2)

        start = time.monotonic()
        session = spark.session()
        register_raw_tables(raw, root / "parquet", session.sql)
        build.session = session
        build.timings["spark_start_and_raw"] = time.monotonic() - start
        build.timings["spark_day_1"] = _dbt(DAY_1, target="spark")
        build.timings["spark_day_2"] = _dbt(DAY_2, target="spark")
        try:
            yield build
        finally:
            print(
                "\nSpark test build timings (s): "
                + ", ".join(f"{k} {v:.1f}" for k, v in build.timings.items())
            )
            session.stop()
    time.tzset()
