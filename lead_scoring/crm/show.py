"""Show the lead scores the CRM holds: contacts per tier and the top contacts by lead score."""

from __future__ import annotations

import argparse
import json
import sys

from lead_scoring.crm.client import CrmClient, CrmError
from lead_scoring.crm.connection import add_client_arguments, client_from_args

TIERS = ["hot", "warm", "cold", "disqualified"]
REASONS_SHOWN = 60
SHOWN = ["email", "firstname", "lastname", "lead_score", "lead_grade", "lead_tier", "lead_score_reasons"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_client_arguments(parser)
    parser.add_argument("--top", type=int, default=10, help="contacts to list (default: 10)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def crm_scores(client: CrmClient, top: int = 10) -> dict:
    """Tier counts and the top contacts by `lead_score`, with a handful of search requests."""

    def count(filters: list[dict]) -> int:
        return int(client.search("contacts", filter_groups=[{"filters": filters}], limit=1).get("total", 0))

    tiers = {tier: count([{"propertyName": "lead_tier", "operator": "EQ", "value": tier}]) for tier in TIERS}
    scored = count([{"propertyName": "lead_score", "operator": "HAS_PROPERTY"}])
    unscored = count([{"propertyName": "lead_score", "operator": "NOT_HAS_PROPERTY"}])
    best = client.search(
        "contacts",
        filter_groups=[{"filters": [{"propertyName": "lead_score", "operator": "HAS_PROPERTY"}]}],
        sorts=[{"propertyName": "lead_score", "direction": "DESCENDING"}],
        properties=SHOWN,
        limit=max(1, min(top, 200)),
    )["results"][:top]
    return {
        "tiers": tiers,
        "scored": scored,
        "unscored": unscored,
        "top": [{"id": r.get("id"), **{k: (r.get("properties") or {}).get(k) for k in SHOWN}} for r in best],
    }


def run(args: argparse.Namespace) -> int:
    client = client_from_args(args)
    try:
        data = crm_scores(client, args.top)
    except CrmError as exc:
        print(f"crm-show: {exc}", file=sys.stderr)
        return 2
    finally:
        client.close()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print_scores(data, client.base_url)
    return 0


def print_scores(data: dict, base_url: str, *, width: int | None = None) -> None:
    """Tier counts and the top contacts as a rich table, so a long email or reason cannot push the
    columns out of line: a cell too wide for its column wraps inside it. Reasons are cut at
    `REASONS_SHOWN` characters; output that is not a terminal is laid out 160 columns wide."""
    from rich.console import Console

    if width is None and not sys.stdout.isatty():
        width = 160
    console = Console(highlight=False, markup=False, emoji=False, width=width)
    with console.capture() as captured:
        _print_tables(console, data, base_url)
    # without the padding rich puts after the last column, which logs and diffs keep
    print("\n".join(line.rstrip() for line in captured.get().splitlines()))


def _print_tables(console, data: dict, base_url: str) -> None:
    from rich import box
    from rich.table import Table

    console.print(f"CRM {base_url}: {data['scored']} contacts scored, {data['unscored']} not scored")
    tiers = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2))
    tiers.add_column(no_wrap=True)
    tiers.add_column(justify="right", no_wrap=True)
    for tier, n in data["tiers"].items():
        tiers.add_row(tier, f"{n:,}")
    console.print(tiers)
    if not data["top"]:
        return
    console.print(f"Top {len(data['top'])} by lead_score:")
    top = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    top.add_column("id", justify="right", no_wrap=True)
    top.add_column("score", justify="right", no_wrap=True)
    top.add_column("grade", no_wrap=True)
    top.add_column("tier", no_wrap=True)
    top.add_column("email", overflow="fold")
    top.add_column("reasons")
    for row in data["top"]:
        reasons = " ".join((row.get("lead_score_reasons") or "").split())
        top.add_row(
            str(row["id"]),
            str(row.get("lead_score") or ""),
            row.get("lead_grade") or "",
            row.get("lead_tier") or "",
            row.get("email") or "",
            reasons if len(reasons) <= REASONS_SHOWN else reasons[: REASONS_SHOWN - 3] + "...",
        )
    console.print(top)
