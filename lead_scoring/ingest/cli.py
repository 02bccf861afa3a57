"""Load landed CRM exports and web events of one or more days into the warehouse's raw tables."""

from __future__ import annotations

import argparse
import logging
from datetime import date, timedelta

from lead_scoring import paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", type=date.fromisoformat, required=True, help="last day to load")
    parser.add_argument("--from-date", type=date.fromisoformat, help="first day to load (default: --date)")
    parser.add_argument("--landing", type=paths.Path, default=None, help="landing folder")
    parser.add_argument(
        "--warehouse",
        type=paths.Path,
        default=None,
        help="DuckDB file (on the postgres target: ingestion's workspace)",
    )
    parser.add_argument(
        "--max-bad-share",
        type=float,
        default=None,
        metavar="F",
        help="fail (after loading the day) when a file's quarantined rows pass this share of its "
        "rows, 0..1 (default: 0.05)",
    )
    parser.add_argument("--run-id", default="manual", help="recorded as _dag_run_id")


def run(args: argparse.Namespace) -> int:
    from lead_scoring.ingest import load_days
    from lead_scoring.ingest.load import DEFAULT_MAX_BAD_SHARE
    from lead_scoring.ingest.mapping import load_column_mapping
    from lead_scoring.ingest.mirror import configured_mirror

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    first = args.from_date or args.date
    days = [first + timedelta(days=i) for i in range((args.date - first).days + 1)]
    report = load_days(
        days,
        landing_dir=args.landing or paths.landing_dir(),
        warehouse_path=args.warehouse or paths.warehouse_path(),
        dag_run_id=args.run_id,
        max_bad_share=args.max_bad_share if args.max_bad_share is not None else DEFAULT_MAX_BAD_SHARE,
        column_mapping=load_column_mapping(),
        mirror=configured_mirror(),
    )
    print(
        f"loaded {report.total('rows_loaded')} rows from {len(report.files)} files, "
        f"{report.total('rows_quarantined')} quarantined, {report.total('rows_duplicate')} duplicate"
        + (
            f"; {len(report.not_loaded)} file(s) not recognised, not loaded (raw.load_audit)"
            if report.not_loaded
            else ""
        )
    )
    return 0
