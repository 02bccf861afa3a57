"""Propose rule points learned from real conversions, as a reviewable change to the seeds.

Scores the current rules and generated candidate rules with the engine (in `calibration_*`
schemas beside the real build), fits a regularised logistic regression on a training part of the
contacts, maps the coefficients to integer points, a base per category, group caps, fit_weight
and thresholds, and compares current and proposed rules on the held-out contacts. Writes the
proposed seed files, a unified diff, a summary (summary.md), the figures (proposal.json) and the
held-out contacts (holdout_contacts.csv); with --apply, writes the proposal into the seeds folder
(rebuild afterwards: lead-scoring transform). Deterministic for a --seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from lead_scoring.cli_options import add_warehouse_argument


def _shares(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from exc
    if any(not 0 < v < 1 for v in values) or list(values) != sorted(values):
        raise argparse.ArgumentTypeError(f"shares must be increasing and between 0 and 1: {text!r}")
    return values


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not 0.05 <= value <= 0.5:
        raise argparse.ArgumentTypeError(f"must be between 0.05 and 0.5: {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_warehouse_argument(parser)
    parser.add_argument(
        "--seeds-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="the rules to start from and, with --apply, to change (default: "
        "$LEAD_SCORING_SEEDS_DIR or dbt_project/seeds)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the proposal goes (default: $LEAD_SCORING_STATE_DIR/calibration)",
    )
    parser.add_argument(
        "--apply", action="store_true", help="write the proposed seed files into the seeds folder"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="random seed of the holdout split and cross-validation (default %(default)s)",
    )
    parser.add_argument(
        "--test-share",
        type=_share,
        default=0.3,
        help="share of contacts held out to compare the rules (default %(default)s)",
    )
    parser.add_argument(
        "--min-conversions",
        type=int,
        default=100,
        help="refuse to learn with fewer conversions (or non-conversions) than this (default %(default)s)",
    )
    parser.add_argument(
        "--min-support",
        type=int,
        default=None,
        help="a candidate rule must fire for this many contacts (default: 0.5%% "
        "of the contacts, at least 20)",
    )
    parser.add_argument(
        "--horizon-days",
        type=int,
        default=30,
        help="point in time: learn from conversions in the N days after the scores (default %(default)s)",
    )
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="score the rules as of this past day and learn from the conversions "
        "after it (default: the day --horizon-days before the outcomes, when "
        "the loaded history reaches back twice that far; else today, in sample)",
    )
    parser.add_argument(
        "--exclude-property",
        action="append",
        default=[],
        metavar="NAME",
        help="never propose rules on this property (repeatable); outcome properties are always excluded",
    )
    parser.add_argument(
        "--tier-shares",
        type=_shares,
        default=(0.10, 0.35),
        metavar="HOT,WARM",
        help="cumulative shares of hot and hot+warm contacts (default 0.10,0.35)",
    )
    parser.add_argument(
        "--tier-rates",
        type=_shares,
        default=None,
        metavar="HOT,WARM",
        help="instead of shares: the lowest conversion rate of the hot and warm "
        "tiers' contacts and up, e.g. 0.30,0.10",
    )
    parser.add_argument(
        "--mql-share", type=_share, default=0.20, help="share of contacts that are MQLs (default %(default)s)"
    )
    parser.add_argument(
        "--mql-rate",
        type=float,
        default=None,
        help="instead of a share: the conversion rate from which a lead is an MQL",
    )
    parser.add_argument(
        "--keep-sandbox", action="store_true", help="keep the calibration_* schemas for inspection"
    )


def run(args: argparse.Namespace) -> int:
    from lead_scoring import paths
    from lead_scoring.transform.runner import DbtRunError
    from lead_scoring.warehouse import Warehouse

    from . import rules
    from .calibrate import Settings, calibrate
    from .dataset import NoOutcomesError

    seeds_dir = (args.seeds_dir or paths.seeds_dir()).resolve()
    out = (args.out or paths.state_dir() / "calibration").resolve()
    settings = Settings(
        seed=args.seed,
        test_share=args.test_share,
        min_conversions=args.min_conversions,
        min_support=args.min_support,
        horizon_days=args.horizon_days,
        as_of=args.as_of,
        exclude_properties=tuple(args.exclude_property),
        tier_shares=args.tier_shares,
        tier_rates=args.tier_rates,
        mql_share=args.mql_share,
        mql_rate=args.mql_rate,
        keep_sandbox=args.keep_sandbox,
    )
    try:
        proposal = calibrate(Warehouse.of(args.warehouse), seeds_dir, out, settings)
    except (NoOutcomesError, FileNotFoundError, ValueError) as exc:
        print(f"calibrate: {exc}", file=sys.stderr)
        return 2
    except DbtRunError as exc:
        print(f"calibrate: the sandbox build failed: {exc}", file=sys.stderr)
        return 1
    proposed_dir = proposal.proposed.write(out / "proposed_seeds")
    (out / "seeds.diff").write_text(proposal.diff, encoding="utf-8")
    (out / "summary.md").write_text(summary_markdown(proposal), encoding="utf-8")
    (out / "proposal.json").write_text(json.dumps(proposal.figures(), indent=2), encoding="utf-8")
    (out / "holdout_contacts.csv").write_text(
        "contact_id\n" + "".join(f"{i}\n" for i in proposal.holdout_ids), encoding="utf-8"
    )
    print_summary(proposal)
    print(f"proposed seeds: {proposed_dir}\ndiff: {out / 'seeds.diff'}\nsummary: {out / 'summary.md'}")
    if args.apply:
        changed = rules.apply(proposal.proposed, seeds_dir)
        rebuild = f"lead-scoring transform --score-date {proposal.outcomes_date}"
        if seeds_dir != paths.seeds_dir().resolve():
            rebuild = f"LEAD_SCORING_SEEDS_DIR={seeds_dir} {rebuild}"
        print(
            f"applied to {seeds_dir}: {', '.join(changed) or 'nothing changed'}; rebuild to "
            f"score with them: {rebuild}"
        )
    else:
        print("nothing changed in the seeds; review the diff, then run again with --apply")
    return 0


TERMINAL_ROWS = 20


def _points(value) -> str:
    return "-" if value is None or value != value else str(value)


def _number(value) -> str:
    return "" if value is None or value != value else f"{value:.2f}"


def _cell(text: str) -> str:
    """A Markdown table cell: a rule's pattern or list keeps its `|`."""
    return "`" + str(text).replace("|", "\\|") + "`"


def summary_markdown(p) -> str:
    lines = [
        "# Calibration proposal",
        "",
        f"- Scores as of {p.score_date} ({p.mode.replace('_', ' ')}"
        + (f", conversions in the {p.horizon_days} days after" if p.horizon_days else "")
        + ")",
        f"- Training: {p.n_train:,} contacts ({p.conversions_train:,} conversions); held out: "
        f"{p.n_test:,} ({p.conversions_test:,})",
        f"- Held-out ROC AUC: current rules {p.auc_current}, proposed rules {p.auc_proposed} "
        f"(the fitted model itself {p.auc_model_test:.3f}; cross-validated {p.auc_cv:.3f}, "
        f"C={p.regularisation_c:g})",
        f"- fit_weight {p.fit_weight:.2f}; base points: fit {p.base_points['fit']}, "
        f"engagement {p.base_points['engagement']}",
        *[f"- Note: {note}" for note in p.notes],
        "",
        "Lift: the conversion rate when the rule fires over the rate when it does not, on its own.",
        "Odds ratio: the rule's effect given all the other rules (per occurrence for an engagement",
        "rule), which the points follow. A rule with a high lift can get few or negative points when",
        "other rules already carry its signal (a contact page visited by people who also request demos).",
        "",
        "| rule | status | fired | lift [95%] | odds ratio | points | rule definition |",
        "|---|---|---:|---|---:|---|---|",
    ]
    for row in p.changes.itertuples(index=False):
        lift = f"{row.lift:.2f} [{row.lift_low:.2f}, {row.lift_high:.2f}]" if row.lift == row.lift else ""
        lines.append(
            f"| {row.rule_id} | {row.status} | {row.contacts_fired:,} | {lift} | "
            f"{_number(row.odds_ratio)} | {_points(row.points_before)} → "
            f"{_points(row.points_after)} | {_cell(row.rule)} |"
        )
    return "\n".join(lines) + "\n"


def print_summary(p) -> None:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    console.print(
        f"[bold]Calibration[/bold]: scores as of {p.score_date} "
        f"({p.mode.replace('_', ' ')}); trained on {p.n_train:,} contacts "
        f"({p.conversions_train:,} conversions), held out {p.n_test:,} "
        f"({p.conversions_test:,})"
    )
    for note in p.notes:
        console.print(f"note: {note}")
    console.print(
        f"held-out ROC AUC: current {p.auc_current} -> proposed {p.auc_proposed} "
        f"(model {p.auc_model_test:.3f}, cross-validated {p.auc_cv:.3f})"
    )
    console.print(
        f"fit_weight {p.fit_weight:.2f}; base points fit {p.base_points['fit']}, "
        f"engagement {p.base_points['engagement']}"
    )
    before = pd.to_numeric(p.changes["points_before"], errors="coerce").fillna(0)
    after = pd.to_numeric(p.changes["points_after"], errors="coerce").fillna(0)
    changes = p.changes.assign(move=(after - before).abs())
    shown = changes.sort_values(["move", "rule_id"], ascending=[False, True]).head(TERMINAL_ROWS)
    table = Table("rule", "status", "fired", "lift", "odds ratio", "points", title="Largest changes")
    for row in shown.itertuples(index=False):
        table.add_row(
            row.rule_id,
            row.status,
            f"{row.contacts_fired:,}",
            _number(row.lift),
            _number(row.odds_ratio),
            f"{_points(row.points_before)} -> {_points(row.points_after)}",
        )
    console.print(table)
    if len(changes) > len(shown):
        console.print(f"... and {len(changes) - len(shown)} more changes (summary.md)")
