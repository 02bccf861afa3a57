"""Write the lead scores that changed since the last confirmed sync back to the CRM.

Exit status: 0 everything planned is confirmed; 1 some rows failed or the daily limit stopped the
run (the next run sends the rest); 2 bad credentials or configuration; 3 the overwrite guard
refused the run (check the scores, then use --force).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from lead_scoring.crm.connection import add_client_arguments, client_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        default=None,
        help="a DuckDB file (default: the configured warehouse, LEAD_SCORING_TARGET)",
    )
    add_client_arguments(parser)
    parser.add_argument(
        "--dry-run", action="store_true", help="report what would change; write nothing to the CRM"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write even if more than --max-share of the contacts would change",
    )
    parser.add_argument(
        "--max-share",
        type=float,
        default=0.5,
        help="overwrite guard: largest share of scored contacts one run may write "
        "once a sync has happened (default: %(default)s)",
    )
    parser.add_argument("--batch-size", type=int, default=100, help="inputs a batch (<= 100)")
    parser.add_argument(
        "--show",
        type=int,
        default=10,
        help="dry run: how many planned changes to print (default: %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    from lead_scoring.crm.client import CrmAuthError, CrmError
    from lead_scoring.sync import SyncError, SyncGuardError, run_sync

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    client = None if args.dry_run else client_from_args(args)
    try:
        result = run_sync(
            args.warehouse,
            client,
            dry_run=args.dry_run,
            force=args.force,
            max_share=args.max_share,
            batch_size=args.batch_size,
        )
    except SyncGuardError as exc:
        print(f"sync refused: {exc}", file=sys.stderr)
        return 3
    except CrmAuthError as exc:
        print(f"sync failed: {exc}", file=sys.stderr)
        return 2
    except (SyncError, CrmError) as exc:
        print(f"sync failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if client is not None:
            client.close()
    if args.json:
        out = result.as_dict()
        out["changes"] = out["changes"][: args.show]
        print(json.dumps(out, indent=2, default=str))
    else:
        print(result.summary())
        for change in result.changes[: args.show]:
            fields = ", ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in change["changes"].items())
            print(f"  contact {change['contact_id']}: {fields}")
        if len(result.changes) > args.show:
            print(f"  ... and {len(result.changes) - args.show} more")
        for error in result.errors[:10]:
            print(f"  failed contact {error['contact_id']}: {error['category']}: {error['message']}")
    if args.dry_run or result.complete:
        return 0
    return 1
