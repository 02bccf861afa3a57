"""What a change to the rule seeds moves, before it ships: the working seeds are scored with the
engine in a sandbox beside the real build (schemas diff_*, dropped afterwards) and compared with
the last build's scores, or with the seeds of a git ref scored the same way (--against). Reports
the tier transitions, MQLs gained and lost, the lead score shift, the rules whose effect changed,
the top movers with the rules that moved them, and what the CRM sync would then write. --markdown
writes the same as Markdown for a pull request.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lead_scoring.cli_options import add_warehouse_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--against",
        default=None,
        metavar="REF",
        help="compare with the seeds at this git ref (e.g. main, HEAD~1), scored on the same data, "
        "instead of the last build's scores",
    )
    parser.add_argument(
        "--seeds-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="the working seeds (default: $LEAD_SCORING_SEEDS_DIR or dbt_project/seeds)",
    )
    parser.add_argument(
        "--markdown",
        "--output",
        dest="markdown",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the report as Markdown, ready to paste into a pull request",
    )
    parser.add_argument(
        "--top", type=int, default=10, metavar="N", help="movers to list (default %(default)s)"
    )
    add_warehouse_argument(parser)
    parser.add_argument("--keep-sandbox", action="store_true", help="keep the diff_* schemas for inspection")


def run(args: argparse.Namespace) -> int:
    from lead_scoring import paths
    from lead_scoring.transform.runner import DbtRunError
    from lead_scoring.warehouse import Warehouse

    from . import diff_report
    from .diff import diff
    from .errors import AnalysisError

    if args.top < 0:
        raise AnalysisError(f"--top must be 0 or more, got {args.top}")
    seeds_dir = (args.seeds_dir or paths.seeds_dir()).resolve()
    try:
        report = diff(
            Warehouse.of(args.warehouse),
            seeds_dir,
            against=args.against,
            top=args.top,
            keep_sandbox=args.keep_sandbox,
            progress=lambda message: print(message, file=sys.stderr, flush=True),
        )
    except DbtRunError as exc:
        raise AnalysisError(f"scoring the rules failed: {exc}") from exc
    diff_report.render(report)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(diff_report.markdown(report), encoding="utf-8")
        print(f"Markdown: {args.markdown}", file=sys.stderr)
    return 0
