"""Generate sample data, run the daily DAG through Airflow on the embedded default, print the tiers.

Everything lives under `.state/` (or $LEAD_SCORING_STATE_DIR): the landing files, the DuckDB
warehouse, the Airflow home with its SQLite metadata. Each demo starts from an empty warehouse.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import date, timedelta

from lead_scoring import paths

DAG_ID = "lead_scoring_daily"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 11, 20))
    parser.add_argument("--seed", type=int, default=42)


def _step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def run(args: argparse.Namespace) -> int:
    from lead_scoring.generate.generator import generate
    from lead_scoring.generate.settings import Settings
    from lead_scoring.orchestration import airflow_cli, steps

    started = time.perf_counter()
    state, landing, warehouse = paths.state_dir(), paths.landing_dir(), paths.warehouse_path()
    settings = Settings(contacts=args.contacts, days=args.days, end_date=args.end_date,
                        seed=args.seed)

    _step(f"Generating {args.contacts:,} contacts over {args.days} days into {landing}")
    shutil.rmtree(landing, ignore_errors=True)
    manifest = generate(landing, settings)
    counts = manifest["counts"]
    print(f"    {counts['contacts']:,} contacts, {counts['companies']:,} companies, "
          f"{counts['deals']:,} deals, {counts['events']:,} web events")

    warehouse.unlink(missing_ok=True)
    first_day = args.end_date - timedelta(days=args.days - 1)
    _step(f"Running DAG {DAG_ID} for {args.end_date} through Airflow "
          f"(loading {first_day}..{args.end_date}); log: {state / 'airflow' / 'cli.log'}")
    env = airflow_cli.airflow_env(state)
    ok, log_file = airflow_cli.dags_test(
        DAG_ID, args.end_date.isoformat(), env, conf={"load_from": first_day.isoformat()}
    )
    if not ok:
        print(f"\nThe DAG run failed; the full Airflow log is {log_file}", file=sys.stderr)
        return 1

    _step(f"Lead tiers in {warehouse} (marts.fct_lead_scores)")
    print(steps.format_tier_summary(steps.tier_summary(warehouse)))
    print(f"\nDemo finished in {time.perf_counter() - started:.0f} s. "
          f"Query the scores: duckdb {warehouse} \"select * from marts.fct_lead_scores "
          "order by lead_score desc limit 10\"")
    return 0
