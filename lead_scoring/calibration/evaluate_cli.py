"""Measure the current rules against real conversions (marts.fct_lead_outcomes).

Point in time when the score history reaches back far enough (the scores of day T against the
conversions of the N days after it), otherwise today's scores against conversions so far (an
in-sample snapshot, labelled as such). Writes a self-contained HTML report with plots, appends
the figures to the warehouse tables evaluation.score_evaluations and evaluation.rule_evaluations,
and prints a summary.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from lead_scoring.cli_options import add_warehouse_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_warehouse_argument(parser)
    parser.add_argument(
        "--horizon-days",
        type=int,
        default=30,
        metavar="N",
        help="point in time: count conversions in the N days after the scores (default %(default)s)",
    )
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="point in time: the day of the scores to measure (default: the latest "
        "day of the history at least --horizon-days before the outcomes)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=None,
        metavar="FILE",
        help="HTML report (default: $LEAD_SCORING_STATE_DIR/reports/evaluation.html)",
    )
    parser.add_argument(
        "--resamples",
        type=int,
        default=1000,
        help="bootstrap resamples of the AUC interval (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default %(default)s)")
    parser.add_argument(
        "--no-store",
        action="store_true",
        help="do not append the figures to the warehouse's evaluation tables",
    )


def run(args: argparse.Namespace) -> int:
    from lead_scoring import paths
    from lead_scoring.warehouse import Warehouse

    from . import report, store
    from .dataset import NoOutcomesError, load_labelled, load_rule_hits
    from .evaluation import evaluate

    warehouse = Warehouse.of(args.warehouse)
    try:
        labelled = load_labelled(warehouse, horizon_days=args.horizon_days, as_of=args.as_of)
        rule_hits = load_rule_hits(warehouse)
    except (NoOutcomesError, ValueError) as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    ev = evaluate(labelled, rule_hits, resamples=args.resamples, seed=args.seed)
    path = report.write(ev, args.report or paths.state_dir() / "reports" / "evaluation.html")
    if not args.no_store:
        store.save(ev, warehouse)
    print_summary(ev, path)
    return 0


def print_summary(ev, report_path: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    lab = ev.labelled
    console.print(f"[bold]Evaluation[/bold] ({lab.label})")
    console.print(
        f"contacts {ev.contacts:,}, conversions {ev.conversions:,} "
        f"({ev.conversions / max(ev.contacts, 1):.1%}); ROC AUC {ev.auc}"
    )
    console.print(
        "conversions captured: " + ", ".join(f"top {int(t * 100)}% {v:.0%}" for t, v in ev.gains.items())
    )
    for warning in ev.warnings:
        console.print(f"[red]{warning}[/red]")
    table = Table("tier", "contacts", "share", "conversions", "rate")
    for row in ev.tiers.itertuples(index=False):
        table.add_row(
            row.segment,
            f"{row.contacts:,}",
            f"{row.share:.1%}",
            f"{row.conversions:,}",
            f"{row.conversion_rate:.1%}",
        )
    console.print(table)
    never = ev.rules.loc[ev.rules["never_fires"], "rule_id"].tolist()
    disagree = ev.rules.loc[ev.rules["sign_disagrees"], "rule_id"].tolist()
    if never:
        console.print(f"rules that never fire: {', '.join(never)}")
    if disagree:
        console.print(f"rules whose points disagree with their lift: {', '.join(disagree)}")
    console.print(f"report: {report_path}")
