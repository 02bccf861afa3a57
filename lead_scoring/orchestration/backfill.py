"""Re-run the daily DAG for past days through Airflow, oldest first, on the embedded default.

    .venv/bin/python -m lead_scoring.orchestration.backfill 2026-11-17 2026-11-19
    make backfill START=2026-11-17 END=2026-11-19
    eval "$(.venv/bin/python -m lead_scoring.orchestration.backfill --print-env)"   # then plain
    airflow dags test lead_scoring_daily 2026-11-18                                 # airflow works

Each day is one real `airflow dags test` run with the Airflow home, DAG and plugin folders and
the project's paths of `.state/` (or `$LEAD_SCORING_STATE_DIR`). A past day rebuilds its history
rows and skips `sync_to_crm`: only the newest score date writes to the CRM.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from datetime import date, timedelta

from lead_scoring import paths
from lead_scoring.orchestration import airflow_cli

DAG_ID = "lead_scoring_daily"
# What `airflow dags test` needs to find and run the DAG, printed by --print-env.
ENV_NAMES = [
    "AIRFLOW_HOME",
    "AIRFLOW__CORE__DAGS_FOLDER",
    "AIRFLOW__CORE__PLUGINS_FOLDER",
    "AIRFLOW__CORE__LOAD_EXAMPLES",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__LOGGING__BASE_LOG_FOLDER",
    "LEAD_SCORING_STATE_DIR",
    "LEAD_SCORING_LANDING_DIR",
    "LEAD_SCORING_WAREHOUSE",
    "LEAD_SCORING_TASK_RETRIES",
    "GX_ANALYTICS_ENABLED",
    "DBT_SEND_ANONYMOUS_USAGE_STATS",
    "PATH",
]


def days(start: date, end: date) -> list[date]:
    if start > end:
        raise ValueError(f"the first day {start} is after the last day {end}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def backfill(
    start: date, end: date, env: dict[str, str] | None = None, echo: Callable[[str], None] = print
) -> list[tuple[date, bool]]:
    """One DAG run per day from `start` to `end`, oldest first; stops at the first failed run.

    Returns (day, succeeded) for every day run."""
    env = env or airflow_cli.airflow_env(paths.state_dir())
    done: list[tuple[date, bool]] = []
    for day in days(start, end):
        echo(f"==> {DAG_ID} for {day}")
        ok, log_file = airflow_cli.dags_test(DAG_ID, day.isoformat(), env, echo=echo)
        done.append((day, ok))
        if not ok:
            echo(f"the run for {day} failed; see {log_file}")
            break
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lead_scoring.orchestration.backfill",
        description="Re-run the daily DAG through Airflow for each day from START to END "
        "(past days never write to the CRM).",
    )
    parser.add_argument("start", nargs="?", type=date.fromisoformat, help="first day, YYYY-MM-DD")
    parser.add_argument(
        "end", nargs="?", type=date.fromisoformat, help="last day, YYYY-MM-DD (default: START)"
    )
    parser.add_argument(
        "--print-env",
        action="store_true",
        help="print `export` lines that let a shell run `airflow dags test` itself",
    )
    args = parser.parse_args(argv)
    env = airflow_cli.airflow_env(paths.state_dir())
    airflow_cli.prepare(env)  # metadata database and pool, once
    if args.print_env:
        for name in ENV_NAMES:
            print(f"export {name}={shlex.quote(env[name])}")
        return 0
    if args.start is None:
        parser.error("give START (and END), or --print-env")
    runs = backfill(args.start, args.end or args.start, env)
    return 0 if runs and all(ok for _, ok in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
