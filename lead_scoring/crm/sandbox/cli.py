"""Run the local HubSpot-compatible CRM sandbox on 127.0.0.1 until interrupted."""

from __future__ import annotations

import argparse
import os
import sys

from lead_scoring import paths
from lead_scoring.crm.sandbox.server import Faults

TOKEN_ENV = "LEAD_SCORING_CRM_TOKEN"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s; 0.0.0.0 in a container)",
    )
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free)")
    parser.add_argument(
        "--db",
        default=str(paths.crm_sandbox_db()),
        help="SQLite file holding the sandbox's records (default: %(default)s, the one make demo fills)",
    )
    parser.add_argument(
        "--token", default=None, help=f"bearer token clients must send (default: ${TOKEN_ENV})"
    )
    parser.add_argument(
        "--load-landing",
        metavar="DIR",
        default=None,
        help="load crm/date=*/{contacts,companies,deals}.csv from this landing dir",
    )
    parser.add_argument(
        "--rate-limit", type=int, default=100, help="requests per rate interval (default: %(default)s)"
    )
    parser.add_argument(
        "--rate-interval",
        type=float,
        default=10.0,
        help="rolling rate interval in seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--daily-limit", type=int, default=250_000, help="requests per UTC day (default: %(default)s)"
    )
    parser.add_argument(
        "--search-cap",
        type=int,
        default=10_000,
        help="results a search can page through (default: %(default)s)",
    )
    parser.add_argument(
        "--faults",
        default=None,
        help="fault injection: JSON, a JSON file, or k=v,... with keys rate_429, "
        "error_500, garbage, slow, slow_seconds, partial_207, partial_inputs, "
        "seed (e.g. rate_429=0.2,error_500=0.05,seed=7)",
    )


def run(args: argparse.Namespace) -> int:
    from lead_scoring.crm.sandbox import start_sandbox

    token = args.token or os.environ.get(TOKEN_ENV)
    if not token:
        print(f"crm-sandbox: give --token or set ${TOKEN_ENV}", file=sys.stderr)
        return 2
    try:
        faults = Faults.parse(args.faults) if args.faults else None
    except (ValueError, TypeError) as exc:
        print(f"crm-sandbox: bad --faults: {exc}", file=sys.stderr)
        return 2
    handle = start_sandbox(
        args.db,
        port=args.port,
        token=token,
        rate_limit=args.rate_limit,
        rate_interval_s=args.rate_interval,
        daily_limit=args.daily_limit,
        search_cap=args.search_cap,
        faults=faults,
        load_landing=args.load_landing,
        background=False,
        host=args.host,
    )
    counts = {t: handle.store.count(t) for t in ("contacts", "companies", "deals")}
    print(
        f"CRM sandbox on {handle.url} (db {args.db}; {counts}); "
        f"rate limit {args.rate_limit}/{args.rate_interval:g}s, daily {args.daily_limit}",
        flush=True,
    )
    try:
        handle.server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        handle.server.server_close()
        handle.store.close()
    return 0
