"""Run the Great Expectations quality gate on the warehouse and print where the Data Docs are.

Exit status 1 when a critical expectation fails (each one is listed), 0 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging

from lead_scoring.paths import EXPECTATIONS_DIR
from lead_scoring.quality.gate import STAGE_SUITES, run_quality_gate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--date", default=dt.date.today().isoformat(), help="score date, YYYY-MM-DD (default: today)"
    )
    parser.add_argument(
        "--stage",
        choices=sorted(STAGE_SUITES),
        default="marts",
        help="raw: after ingestion; marts: staging and marts, before the CRM sync",
    )
    parser.add_argument(
        "--run-id", default=None, help="run id recorded with the metrics (default: manual__<now>)"
    )
    parser.add_argument("--warehouse", default=None, help="a DuckDB file (default: the configured warehouse)")
    parser.add_argument(
        "--no-record", action="store_true", help="do not record this run's metrics as the next run's baseline"
    )
    parser.add_argument(
        "--write-project",
        action="store_true",
        help="regenerate the GX project under expectations/ from suites.py, then exit",
    )


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    if args.write_project:
        from lead_scoring.quality.project import write_project

        for path in write_project(EXPECTATIONS_DIR):
            print(f"wrote {path}")
        return 0
    run_id = args.run_id or f"manual__{dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%S}"
    result = run_quality_gate(
        args.warehouse,
        args.date,
        run_id,
        stage=args.stage,
        record_metrics=not args.no_record,
    )
    print(result.report())
    return 0 if result.passed else 1
