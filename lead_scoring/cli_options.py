"""Command-line options several commands share, spelled once."""

from __future__ import annotations

import argparse


def add_warehouse_argument(parser: argparse.ArgumentParser) -> None:
    """`--warehouse PATH`: another DuckDB file than the configured target's."""
    parser.add_argument(
        "--warehouse",
        default=None,
        metavar="PATH",
        help="DuckDB warehouse file (default: the configured target, "
        "$LEAD_SCORING_WAREHOUSE or .state/warehouse.duckdb)",
    )
