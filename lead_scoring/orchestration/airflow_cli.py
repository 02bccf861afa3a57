"""Run the project's DAGs through the real Airflow CLI on the embedded default.

Airflow keeps its SQLite metadata in `<state>/airflow`; the DAGs and plugins are read from the
checkout. Used by `lead-scoring demo` and the end-to-end tests, so both exercise what a scheduler
would run, not a shortcut.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from lead_scoring import paths

WAREHOUSE_POOL = "warehouse_writer"
# Log lines of the project's own tasks worth showing while a run goes on.
HIGHLIGHTS = re.compile(r"\] (Quality gate .*|Data Docs: .*|CRM sync .*|Loaded .*)\s+\[lead_scoring")


def airflow_env(state_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for an Airflow CLI process whose metadata lives under `state_dir`."""
    home = state_dir / "airflow"
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(paths.DAGS_DIR),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(paths.PLUGINS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "LEAD_SCORING_STATE_DIR": str(state_dir),
            "LEAD_SCORING_LANDING_DIR": os.environ.get(
                "LEAD_SCORING_LANDING_DIR", str(state_dir / "landing")
            ),
            "LEAD_SCORING_WAREHOUSE": os.environ.get(
                "LEAD_SCORING_WAREHOUSE", str(state_dir / "warehouse.duckdb")
            ),
            "GX_ANALYTICS_ENABLED": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DO_NOT_TRACK": "1",
            "LEAD_SCORING_TASK_RETRIES": os.environ.get("LEAD_SCORING_TASK_RETRIES", "0"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    env.update(extra or {})
    return env


def _airflow(args: list[str], env: dict[str, str], log_file: Path) -> None:
    with log_file.open("a", encoding="utf-8") as log:
        log.write(f"\n$ airflow {' '.join(args)}\n")
        log.flush()
        done = subprocess.run(
            [str(Path(sys.executable).parent / "airflow"), *args],
            env=env, stdout=log, stderr=subprocess.STDOUT, check=False,
        )
    if done.returncode:
        raise RuntimeError(f"`airflow {' '.join(args)}` failed; see {log_file}")


def prepare(env: dict[str, str]) -> Path:
    """Migrate the metadata database once and create the warehouse pool; returns the log file."""
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log_file = home / "cli.log"
    stamp = home / ".migrated"
    if not stamp.exists():
        _airflow(["db", "migrate"], env, log_file)
        _airflow(["pools", "set", WAREHOUSE_POOL, "1", "DuckDB file: one writer at a time"],
                 env, log_file)
        stamp.touch()
    return log_file


def dags_test(
    dag_id: str,
    logical_date: str,
    env: dict[str, str],
    conf: dict | None = None,
    echo=print,
    mark_success: str | None = None,
) -> tuple[bool, Path]:
    """`airflow dags test`: one real DAG run. Streams task state changes; returns (ok, log).

    `mark_success` is a regex of task ids Airflow marks successful without running them.
    """
    log_file = prepare(env)
    args = [str(Path(sys.executable).parent / "airflow"), "dags", "test", dag_id, logical_date]
    if conf:
        args += ["--conf", json.dumps(conf)]
    if mark_success:
        args += ["--mark-success-pattern", mark_success]
    started = time.perf_counter()
    task_id, error_lines, in_error, last_highlight = "", [], False, ""
    with log_file.open("a", encoding="utf-8") as log:
        log.write(f"\n$ {' '.join(args)}\n")
        process = subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            errors="replace",
        )
        for line in process.stdout:
            log.write(line)
            elapsed = f"[{time.perf_counter() - started:5.0f} s]"
            if match := re.search(r"\[DAG TEST\] starting task_id=(\S+)", line):
                task_id = match[1]
                echo(f"  {elapsed} {task_id}: running")
            elif match := re.search(r"new_state=(\w+)", line):
                echo(f"  {elapsed} {task_id}: {match[1]}")
            elif match := re.search(r"DagRun Finished: .*?state=(\w+)", line):
                echo(f"  {elapsed} DAG run {match[1]}")
            elif (match := HIGHLIGHTS.search(line)) and match[1] != last_highlight:
                last_highlight = match[1]
                echo(f"  {elapsed}   {match[1].strip()}")
            elif "Task failed with exception" in line:
                in_error, error_lines = True, []
            elif in_error and "::group::Post Execute" in line:
                in_error = False
                echo("  " + "\n  ".join(error_lines[-12:]))
            elif in_error:
                error_lines.append(line.rstrip())
        code = process.wait()
    return code == 0, log_file
