"""Suite-wide settings: nothing a test does touches the checkout's `.state/` or the network."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("DO_NOT_TRACK", "1")

import pytest  # noqa: E402

# The rules the engine's tests score with: their own, not the shipped example in dbt_project/seeds,
# which users edit (see the header of its _seeds.yml for how it differs).
TEST_RULES_DIR = Path(__file__).resolve().parent / "fixtures" / "rules"


@pytest.fixture(scope="session", autouse=True)
def _test_rules():
    """dbt, the baselines and every Airflow run started by a test read tests/fixtures/rules.

    Session-wide (set before any module or package fixture builds a warehouse); Airflow
    subprocesses inherit it through `airflow_cli.airflow_env`, which copies the environment.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEAD_SCORING_SEEDS_DIR", str(TEST_RULES_DIR))
        yield TEST_RULES_DIR


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path_factory, monkeypatch):
    """Point every default path at a temporary state folder."""
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("LEAD_SCORING_STATE_DIR", str(state))
    monkeypatch.delenv("LEAD_SCORING_LANDING_DIR", raising=False)
    monkeypatch.delenv("LEAD_SCORING_WAREHOUSE", raising=False)
    return state


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server for the session, started from the machine's binaries."""
    from tests.pg_server import find_pg_bin, running_postgres

    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (set PG_BIN to a folder with pg_ctl and initdb)")
    with running_postgres(bin_dir) as server:
        yield server


@pytest.fixture(scope="session")
def spark_warehouse(tmp_path_factory):
    """One local SparkSession for the test session (one JVM per process), on loopback, its catalog
    and files under a temporary folder; skipped without pyspark (`make env-spark`) or Java."""
    pytest.importorskip("pyspark")
    from lead_scoring import spark
    from lead_scoring.warehouse import Warehouse

    root = tmp_path_factory.mktemp("spark")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        mp.setenv("LEAD_SCORING_SPARK_METHOD", "session")
        mp.setenv("LEAD_SCORING_SPARK_DIR", str(root))
        mp.setenv("LEAD_SCORING_SPARK_SHUFFLE_PARTITIONS", "1")
        try:
            spark.prepare_environment()
        except RuntimeError as exc:
            pytest.skip(str(exc))
        spark.session().sparkContext.setLogLevel("ERROR")
        yield Warehouse("spark", path=root / "workspace.duckdb")
