"""Write sample CRM exports and web events into the landing folder.

Daily incremental CRM exports (contacts, companies, deals) and daily Segment-spec web events for
a synthetic population with planted hot, cold and junk leads (listed in
_generator/planted_leads.csv). Same arguments and --seed give byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from .settings import DEFAULT_END_DATE, Settings


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Settings()
    parser.add_argument(
        "--contacts",
        type=int,
        default=defaults.contacts,
        metavar="N",
        help="number of CRM contacts (default %(default)s)",
    )
    parser.add_argument(
        "--days",
        type=int,
        default=defaults.days,
        metavar="D",
        help="number of days generated, ending with --end-date (default %(default)s)",
    )
    parser.add_argument(
        "--end-date",
        type=_date,
        default=DEFAULT_END_DATE,
        metavar="YYYY-MM-DD",
        help="last day generated (default %(default)s)",
    )
    parser.add_argument(
        "--events-per-contact",
        type=float,
        default=defaults.events_per_contact,
        metavar="X",
        help="average web events per contact over the window, anonymous noise included (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed (default %(default)s)")
    parser.add_argument(
        "--junk-share",
        type=float,
        default=defaults.junk_share,
        metavar="F",
        help="share of junk leads (default %(default)s)",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=defaults.chunk_size,
        help="contacts simulated at a time; bounds memory, and is part of what "
        "the output depends on (default %(default)s)",
    )
    parser.add_argument(
        "--plant-effects",
        action="store_true",
        help="plant a known truth for calibration: hs_analytics_source=REFERRALS "
        "triples deals (the example rules ignore it); case-study pages are "
        "read at random, with no effect on deals (the example rules reward "
        "them)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="landing folder (default: $LEAD_SCORING_LANDING_DIR or .state/landing)",
    )


def run(args: argparse.Namespace) -> int:
    from lead_scoring.paths import landing_dir

    from .generator import generate

    try:
        settings = Settings(
            contacts=args.contacts,
            days=args.days,
            end_date=args.end_date,
            events_per_contact=args.events_per_contact,
            seed=args.seed,
            junk_share=args.junk_share,
            chunk_size=args.chunk_size,
            plant_effects=args.plant_effects,
        )
    except ValueError as exc:
        print(f"lead-scoring generate: {exc}", file=sys.stderr)
        return 2
    out = args.out if args.out is not None else landing_dir()
    started = time.perf_counter()
    manifest = generate(out, settings, progress=sys.stderr)
    elapsed = time.perf_counter() - started
    counts = manifest["counts"]
    print(
        f"wrote {counts['contacts']:,} contacts, {counts['companies']:,} companies, "
        f"{counts['deals']:,} deals, {counts['events']:,} events for "
        f"{settings.start_date}..{settings.end_date} to {out} in {elapsed:.1f} s "
        f"({counts['events'] / max(elapsed, 1e-9):,.0f} events/s)",
        file=sys.stderr,
    )
    return 0
