"""Generate sample data, run the daily DAG through Airflow on the embedded default, print the tiers.

Everything lives under `.state/` (or $LEAD_SCORING_STATE_DIR): the landing files, the DuckDB
warehouse, the Airflow home with its SQLite metadata. Each demo starts from an empty warehouse.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import time
from datetime import date, timedelta

from lead_scoring import paths

DAG_ID = "lead_scoring_daily"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--contacts", type=int, default=2000, help="contacts to generate (default: %(default)s)"
    )
    parser.add_argument(
        "--days", type=int, default=30, help="days of web events to generate and load (default: %(default)s)"
    )
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=date(2026, 11, 20),
        metavar="YYYY-MM-DD",
        help="the last generated day, the DAG run's logical date (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=42, help="random seed of the generator (default: %(default)s)"
    )


def _step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def run(args: argparse.Namespace) -> int:
    from lead_scoring import cli
    from lead_scoring.crm.sandbox import start_sandbox
    from lead_scoring.generate.generator import generate
    from lead_scoring.generate.settings import Settings
    from lead_scoring.orchestration import airflow_cli, steps

    started = time.perf_counter()
    state, landing, warehouse = paths.state_dir(), paths.landing_dir(), paths.warehouse_path()
    settings = Settings(contacts=args.contacts, days=args.days, end_date=args.end_date, seed=args.seed)

    _step(f"Generating {args.contacts:,} contacts over {args.days} days into {landing}")
    shutil.rmtree(landing, ignore_errors=True)
    manifest = generate(landing, settings)
    counts = manifest["counts"]
    print(
        f"    {counts['contacts']:,} contacts, {counts['companies']:,} companies, "
        f"{counts['deals']:,} deals, {counts['events']:,} web events"
    )

    warehouse.unlink(missing_ok=True)
    crm_db = paths.crm_sandbox_db()
    crm_db.unlink(missing_ok=True)
    token = secrets.token_urlsafe(16)  # this run's sandbox only; handed over as a connection
    _step(f"Starting the CRM sandbox ({crm_db}) with the generated CRM records")
    with start_sandbox(crm_db, token=token, load_landing=landing) as sandbox:
        print(f"    listening on {sandbox.url}")
        first_day = args.end_date - timedelta(days=args.days - 1)
        _step(
            f"Running DAG {DAG_ID} for {args.end_date} through Airflow "
            f"(loading {first_day}..{args.end_date}); log: {state / 'airflow' / 'cli.log'}"
        )
        connection = {"conn_type": "http", "host": sandbox.url, "password": token}
        env = airflow_cli.airflow_env(state, extra={"AIRFLOW_CONN_CRM_DEFAULT": json.dumps(connection)})
        ok, log_file = airflow_cli.dags_test(
            DAG_ID, args.end_date.isoformat(), env, conf={"load_from": first_day.isoformat()}
        )
        if not ok:
            print(f"\nThe DAG run failed; the full Airflow log is {log_file}", file=sys.stderr)
            return 1

        _step(f"Lead tiers in {warehouse} (marts.fct_lead_scores)")
        print(steps.format_tier_summary(steps.tier_summary(warehouse)))
        _step("Junk leads by reason (disqualified before they reach sales)")
        print(steps.format_junk_summary(steps.junk_summary(warehouse)))

        _step(f"Scores as the CRM holds them now: lead-scoring crm-show --crm-url {sandbox.url}")
        os.environ["LEAD_SCORING_CRM_TOKEN"] = token
        cli.main(["crm-show", "--crm-url", sandbox.url, "--top", "5"])

    print(
        f"\nDemo finished in {time.perf_counter() - started:.0f} s. Everything is in {state}; "
        'README.md ("After the demo") shows how to query it.'
    )
    return 0
