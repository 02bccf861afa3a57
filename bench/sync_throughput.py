"""Measure reverse-sync throughput against the CRM sandbox, as a share of its rate limit.

    .venv/bin/python bench/sync_throughput.py                    # 50,000 contacts, 100 req/10 s
    .venv/bin/python bench/sync_throughput.py --contacts 20000 --budget 100 --budget 90

Starts the sandbox on 127.0.0.1 with a rolling limit of `--limit` requests per 10 s, puts
`--contacts` contacts in it and the same number of scored rows in a DuckDB warehouse (both in a
temporary folder), runs one full `run_sync` per `--budget` (the client's own request budget per
10 s), and prints: wall time, requests, 429s, contacts/s, the busiest 10-second window, and the
efficiency = (the least time any client could take for those requests under that limit) /
(the time it took). A rolling window lets the first `limit` requests through at once, so the
least time for R requests is (R - limit) / limit x 10 s. `steady_share_of_limit` is the request
rate after that opening burst as a share of the limit (the figure that matters for long syncs);
`run_share_of_limit` is requests / wall time over the whole run, burst included.
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from lead_scoring.crm.client import DEFAULT_REQUESTS_PER_10S, CrmClient
from lead_scoring.crm.sandbox import start_sandbox
from lead_scoring.sync import run_sync

TOKEN = "bench-token"


def make_warehouse(path: Path, n: int) -> None:
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema marts")
        conn.execute(f"""
            create table marts.fct_lead_scores as
            select
                i::bigint as contact_id,
                'lead' || i || '@example.com' as email,
                (i * 37) % 101 as fit_score,
                round(((i * 53) % 10001) / 100.0, 2) as engagement_score,
                (i * 41) % 101 as lead_score,
                ['A', 'B', 'C'][1 + i % 3] || (1 + i % 3)::varchar as grade,
                ['hot', 'warm', 'cold', 'disqualified'][1 + i % 4] as tier,
                'lead' as lifecycle_stage,
                i % 50 = 0 as is_junk,
                case when i % 50 = 0 then 'disposable_email' end as junk_reasons,
                'Visited pricing page x' || (i % 7) || ' (+' || (i % 30) || ')' as score_reasons,
                timestamp '2026-11-20 23:59:59' as scored_at,
                'bench-v1' as model_version
            from range(1, {n + 1}) t(i)
        """)


def busiest_window(stamps: list[float], window: float = 10.0) -> int:
    stamps = sorted(stamps)
    return max((bisect.bisect_left(stamps, t + window) - k for k, t in enumerate(stamps)),
               default=0)


def steady_share(stamps: list[float], limit: int, budget: int) -> float | None:
    """Request rate after the opening burst, as a share of the limit: measured over whole groups
    of `budget` requests from the first paced one (the budget-th), so partial bursts at the ends
    do not skew it."""
    stamps = sorted(stamps)
    groups = (len(stamps) - 1 - budget) // budget
    if groups < 1:
        return None
    span = stamps[budget + groups * budget] - stamps[budget]
    return round(groups * budget / span * 10.0 / limit, 3) if span > 0 else None


def run_once(n: int, limit: int, budget: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as tmp:
        root = Path(tmp)
        make_warehouse(root / "warehouse.duckdb", n)
        with start_sandbox(root / "crm.sqlite", token=TOKEN, rate_limit=limit,
                           daily_limit=10_000_000) as sandbox:
            sandbox.store.bulk_insert("contacts", (
                {"hs_object_id": i, "email": f"lead{i}@example.com"} for i in range(1, n + 1)))
            client = CrmClient(sandbox.url, TOKEN, requests_per_10s=budget, timeout=30)
            stamps: list[float] = []
            client.session.hooks["response"].append(lambda r, *a, **k: stamps.append(
                time.monotonic()))
            started = time.monotonic()
            result = run_sync(root / "warehouse.duckdb", client)
            elapsed = time.monotonic() - started
            counts = sandbox.write_counts()
        requests = client.stats.requests
        ideal = max(0, requests - limit) / limit * 10.0
        return {
            "contacts": n,
            "limit_per_10s": limit,
            "client_budget_per_10s": budget,
            "seconds": round(elapsed, 1),
            "requests": requests,
            "rate_limited_429": client.stats.rate_limited,
            "confirmed": result.succeeded,
            "written_once": sum(1 for v in counts.values() if v == 1),
            "contacts_per_s": round(result.succeeded / elapsed, 1),
            "busiest_10s_window": busiest_window(stamps),
            "efficiency_vs_limit": round(ideal / elapsed, 3) if elapsed else None,
            "steady_share_of_limit": steady_share(stamps, limit, budget),
            "run_share_of_limit": round(requests / elapsed * 10.0 / limit, 3),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--limit", type=int, default=100, help="sandbox requests per 10 s")
    parser.add_argument("--budget", type=int, action="append",
                        help="client request budget per 10 s (repeatable; default: the client's, "
                             f"{DEFAULT_REQUESTS_PER_10S})")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    results = []
    for budget in args.budget or [DEFAULT_REQUESTS_PER_10S]:
        outcome = run_once(args.contacts, args.limit, budget)
        results.append(outcome)
        print(json.dumps(outcome), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["confirmed"] == r["contacts"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
