"""Show the lead scores the CRM holds: contacts per tier and the top contacts by lead score."""

from __future__ import annotations

import argparse
import json
import sys

from lead_scoring.crm.client import CrmClient, CrmError
from lead_scoring.crm.connection import add_client_arguments, client_from_args

TIERS = ["hot", "warm", "cold", "disqualified"]
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
    print(f"CRM {client.base_url}: {data['scored']} contacts scored, {data['unscored']} not scored")
    for tier, n in data["tiers"].items():
        print(f"  {tier:<13} {n:>7}")
    if data["top"]:
        print(f"Top {len(data['top'])} by lead_score:")
        print(f"  {'id':>8}  {'score':>6}  {'grade':<5}  {'tier':<12}  {'email':<32}  reasons")
        for row in data["top"]:
            reasons = (row.get("lead_score_reasons") or "")[:60]
            print(
                f"  {row['id']:>8}  {row.get('lead_score') or '':>6}  "
                f"{row.get('lead_grade') or '':<5}  {row.get('lead_tier') or '':<12}  "
                f"{row.get('email') or '':<32}  {reasons}"
            )
    return 0
