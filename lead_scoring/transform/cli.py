"""`lead-scoring transform`: build the dbt project (rules, models, data tests) for one score date."""

from __future__ import annotations

import argparse
import datetime as dt


def dbt_vars(text: str) -> dict[str, object]:
    """`--vars` as dbt reads it: a YAML (or JSON) mapping, e.g. '{"fit_weight": 0.6}'."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise argparse.ArgumentTypeError(f"not YAML or JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(
            f"expected a mapping such as '{{\"fit_weight\": 0.6}}', got {text!r}"
        )
    if "score_date" in value:
        raise argparse.ArgumentTypeError("set the score date with --score-date, not in --vars")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--score-date",
        default=dt.datetime.now(dt.UTC).date().isoformat(),
        help="day to score, YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument("--full-refresh", action="store_true", help="rebuild incremental models")
    parser.add_argument("--select", nargs="+", help="dbt selection (default: everything)")
    parser.add_argument("--target", help="dbt target: duckdb (default) or postgres")
    parser.add_argument(
        "--vars",
        type=dbt_vars,
        metavar="YAML",
        help="dbt vars overriding dbt_project.yml's, as YAML or JSON, e.g. '{\"fit_weight\": 0.6}'",
    )
    parser.add_argument(
        "--unit-tests", action="store_true", help="also run the dbt unit tests (left to CI by default)"
    )


def run(args: argparse.Namespace) -> int:
    from lead_scoring.transform import DbtRunError, dbt_build

    try:
        dbt_build(
            args.score_date,
            full_refresh=args.full_refresh,
            select=args.select,
            target=args.target,
            vars=args.vars,
            unit_tests=args.unit_tests,
        )
    except DbtRunError as exc:
        print(exc)
        return 1
    return 0
