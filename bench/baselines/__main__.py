"""Run one baseline on landed files; print its row count, its run time and, with --compare, how
many of its rows differ from marts.fct_lead_scores of a warehouse.

    python -m bench.baselines pandas --landing /tmp/scale1m/landing --score-date 2026-11-20 \\
        --compare /tmp/scale1m/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from bench.baselines import pandas_scoring, single_sql
from bench.baselines.compare import compare

BASELINES = {"pandas": pandas_scoring.score, "sql": single_sql.score}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baselines", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("baseline", choices=sorted(BASELINES))
    parser.add_argument("--landing", type=Path, required=True, help="the landing folder")
    parser.add_argument("--score-date", type=dt.date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--seeds", type=Path, default=None,
                        help="folder of the rule seeds (default: LEAD_SCORING_SEEDS_DIR when set, "
                             "else the dbt project's seeds)")
    parser.add_argument("--compare", type=Path, metavar="WAREHOUSE",
                        help="a DuckDB warehouse whose marts.fct_lead_scores the result must equal")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    frame = BASELINES[args.baseline](args.landing, args.score_date, args.seeds)
    seconds = time.perf_counter() - started
    print(f"{args.baseline}: {len(frame):,} rows in {seconds:.1f} s")
    if args.compare is None:
        return 0
    problems = compare(frame, args.compare)
    print(f"mismatches: {len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
