"""Why a contact has its score: fit, engagement and lead score, grade, tier and lifecycle; every
rule that fired with its points and evidence, what decay and caps took off; junk signals; and the
score's history with the model versions that produced it. Read from the marts of the last build.
"""

from __future__ import annotations

import argparse
import json

from lead_scoring.cli_options import add_warehouse_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("contact", metavar="CONTACT", help="a contact id, or an email address")
    parser.add_argument(
        "--days",
        type=int,
        default=30,
        metavar="N",
        help="history: the N days up to the current scores' date (default %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print the explanation as JSON")
    add_warehouse_argument(parser)


def run(args: argparse.Namespace) -> int:
    from lead_scoring.warehouse import Warehouse

    from .explain import explain, render

    explanation = explain(Warehouse.of(args.warehouse), args.contact, days=args.days)
    if args.json:
        print(json.dumps(explanation.as_dict(), indent=2, default=str))
    else:
        render(explanation)
    return 0
