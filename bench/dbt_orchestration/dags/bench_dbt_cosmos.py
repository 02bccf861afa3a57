"""Benchmark DAG: the same dbt project rendered by astronomer-cosmos, a task per node.

Run by `bench/dbt_orchestration/run.py` with `airflow dags test bench_dbt_cosmos <date>`.

- `DbtTaskGroup` with `TestBehavior.BUILD`: each model task runs `dbt build --select <model>`
  (the model and its tests); seeds get their own tasks.
- Load mode (`BENCH_DBT_LOAD_MODE`): `dbt_manifest` (default) reads the manifest.json written
  beforehand by `dbt parse` (path in `BENCH_DBT_MANIFEST`, default
  `<state>/dbt_bench_manifest/target/manifest.json`), so parsing this file runs no dbt at all;
  `dbt_ls` makes cosmos run `dbt ls` while the DAG file is parsed.
- Environment replicated from `lead_scoring.transform.runner._environment()`: the warehouse path
  (`LEAD_SCORING_WAREHOUSE`) and no telemetry / version check. dbt's `target/` and `logs/` go to the
  temporary copy of the project cosmos makes for every task, so the checkout stays clean.
- Tests with several parents (relationships, multi-model singular tests) run in their own tasks
  after all their parents (`should_detach_multiple_parents_tests=True`; `BENCH_DBT_DETACH_TESTS=0`
  turns it off). Without it, cosmos's per-model `dbt build --select <model>` (indirect selection
  `eager`) runs such a test with the FIRST parent built, against the other parent's table from the
  previous run: on an empty warehouse the run fails (relationships_fct_lead_scores_contact_id...
  -> "Table with name fct_lead_scores does not exist"), otherwise the test checks stale data.
- dbt executable: `BENCH_DBT_EXECUTABLE`, default `<venv>/bin/dbt` next to the running Python.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

from airflow.sdk import dag
from cosmos import (
    DbtTaskGroup,
    ExecutionConfig,
    LoadMode,
    ProfileConfig,
    ProjectConfig,
    RenderConfig,
    TestBehavior,
)

from lead_scoring import paths

WAREHOUSE_POOL = "warehouse_writer"
LOAD_MODE = LoadMode(os.environ.get("BENCH_DBT_LOAD_MODE", LoadMode.DBT_MANIFEST.value))
MANIFEST = Path(
    os.environ.get("BENCH_DBT_MANIFEST")
    or paths.state_dir() / "dbt_bench_manifest" / "target" / "manifest.json"
)
DETACH_TESTS = os.environ.get("BENCH_DBT_DETACH_TESTS", "1") != "0"
DBT_EXECUTABLE = Path(
    os.environ.get("BENCH_DBT_EXECUTABLE") or Path(sys.executable).parent / "dbt"
)

# What lead_scoring.transform.runner._environment() sets around every in-process dbt call.
DBT_ENV = {
    "LEAD_SCORING_WAREHOUSE": str(paths.warehouse_path()),
    "LEAD_SCORING_TARGET": "duckdb",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DO_NOT_TRACK": "1",
    "DBT_VERSION_CHECK": "False",
}

if LOAD_MODE is LoadMode.DBT_MANIFEST:
    if not MANIFEST.is_file():
        raise FileNotFoundError(
            f"{MANIFEST} not found: run `dbt parse` first (bench/dbt_orchestration/run.py does)"
        )
    project_config = ProjectConfig(
        dbt_project_path=paths.DBT_PROJECT_DIR,
        manifest_path=MANIFEST,
        project_name="lead_scoring",
        env_vars=DBT_ENV,
    )
else:
    project_config = ProjectConfig(dbt_project_path=paths.DBT_PROJECT_DIR, env_vars=DBT_ENV)


@dag(
    dag_id="bench_dbt_cosmos",
    schedule=None,
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    tags=["bench", "dbt", "cosmos"],
    default_args={"owner": "analytics-engineering", "retries": 0},
)
def bench_dbt_cosmos():
    DbtTaskGroup(
        group_id="dbt",
        project_config=project_config,
        profile_config=ProfileConfig(
            profile_name="lead_scoring",
            target_name="duckdb",
            profiles_yml_filepath=paths.DBT_PROJECT_DIR / "profiles.yml",
        ),
        execution_config=ExecutionConfig(dbt_executable_path=DBT_EXECUTABLE),
        render_config=RenderConfig(
            load_method=LOAD_MODE,
            test_behavior=TestBehavior.BUILD,
            should_detach_multiple_parents_tests=DETACH_TESTS,
        ),
        operator_args={
            "vars": {"score_date": "{{ ds }}"},
            "pool": WAREHOUSE_POOL,
        },
    )


bench_dbt_cosmos()
