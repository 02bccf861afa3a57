"""One measured step of the refresh benchmark (bench/refresh.py), run in a process of its own.

    .venv/bin/python -m bench.refresh_steps full --landing L --work W --score-date 2026-11-19 \
        --result W/full.json

A process per step, so each step's peak memory is its own: the largest resident size of this
process and its children (bench/dag_at_scale.py's sampler), with nothing left over from the step
before. Steps: `full` (a fresh warehouse: ingest every landed day up to the score date, then
`dbt build`), `incremental` (ingest the score date alone into the warehouse `full` left, then
`dbt build`), `pandas` and `sql` (the baselines, checked against the warehouse's
fct_lead_scores) and `sync` (two reverse syncs against the CRM sandbox: everything, then nothing);
`dbt` runs `dbt build` alone on the warehouse a step left, to profile the models.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bench` importable
    sys.path.insert(0, str(ROOT))

from bench.dag_at_scale import PeakMemory  # noqa: E402
from lead_scoring.crm.client import DEFAULT_REQUESTS_PER_10S  # noqa: E402

SEEDS_DIR = ROOT / "dbt_project" / "seeds"
SYNC_TOKEN = "bench-token"


def window(landing: Path) -> list[date]:
    """Every day the generator wrote into `landing`, oldest first (from its manifest)."""
    manifest = json.loads((landing / "_generator" / "manifest.json").read_text())
    first = date.fromisoformat(manifest["window"]["start_date"])
    return [first + timedelta(days=i) for i in range(manifest["window"]["days"])]


def _ingest(landing: Path, warehouse: Path, days: list[date]) -> dict:
    from lead_scoring.ingest import load_days
    from lead_scoring.ingest.mapping import load_column_mapping
    from lead_scoring.ingest.mirror import configured_mirror

    started = time.perf_counter()
    report = load_days(days, landing_dir=landing, warehouse_path=warehouse,
                       dag_run_id="bench", column_mapping=load_column_mapping(),
                       mirror=configured_mirror())  # Postgres or Spark: the raw days copied there
    return {"ingest_s": round(time.perf_counter() - started, 2),
            "rows_loaded": report.total("rows_loaded")}


def _dbt(work: Path, score_date: date, full_refresh: bool = False) -> dict:
    from lead_scoring.transform import dbt_build

    started = time.perf_counter()
    dbt_build(score_date.isoformat(), full_refresh=full_refresh)
    seconds = round(time.perf_counter() - started, 2)
    results = json.loads((work / "dbt" / "target" / "run_results.json").read_text())["results"]
    models = sorted(
        ((r["unique_id"].split(".")[-1], r["execution_time"]) for r in results
         if r["unique_id"].startswith("model.")),
        key=lambda item: -item[1],
    )
    tests = sum(r["execution_time"] for r in results if r["unique_id"].startswith(("test.", "unit_test.")))
    return {"dbt_s": seconds, "dbt_tests_s": round(tests, 1),
            "models_s": {name: round(s, 1) for name, s in models}}


def full_refresh(args) -> dict:
    """A new warehouse: every landed day up to the score date, then `dbt build`."""
    for leftover in args.work.glob("warehouse.duckdb*"):
        leftover.unlink()
    shutil.rmtree(args.work / "dbt", ignore_errors=True)  # no partial-parse or state to reuse
    shutil.rmtree(args.work / "spark", ignore_errors=True)  # the spark target's tables and catalog
    days = [d for d in window(args.landing) if d <= args.score_date]
    return {**_ingest(args.landing, args.warehouse, days), **_dbt(args.work, args.score_date)}


def dbt_only(args) -> dict:
    """`dbt build` alone on the work folder's warehouse (for profiling the models)."""
    return _dbt(args.work, args.score_date, full_refresh=args.full_refresh)


def incremental_day(args) -> dict:
    """The next day on the warehouse `full` left: its files, then `dbt build` for it."""
    return {**_ingest(args.landing, args.warehouse, [args.score_date]),
            **_dbt(args.work, args.score_date)}


def baseline(args) -> dict:
    """Score with a baseline, then check it equals the pipeline: only the scoring is measured."""
    from bench.baselines import compare, pandas_scoring, single_sql

    module = {"pandas": pandas_scoring, "sql": single_sql}[args.step]
    started = time.perf_counter()
    frame = module.score(args.landing, args.score_date, seeds_dir=SEEDS_DIR)
    seconds = round(time.perf_counter() - started, 2)
    args.sampler.stop()
    return {"seconds": seconds, "contacts": len(frame),
            "mismatches": compare.compare(frame, args.warehouse)[:20]}


def crm_sync(args) -> dict:
    """Sync every score to a fresh sandbox, then sync again with nothing changed.

    The shares of the sandbox's rate limit are bench/sync_throughput.py's measures. The second
    sync must plan, send and apply nothing (the sandbox counts applied writes per contact).
    """
    import duckdb

    from bench.sync_throughput import busiest_window, steady_share
    from lead_scoring.crm.client import CrmClient
    from lead_scoring.crm.sandbox import start_sandbox
    from lead_scoring.sync import run_sync

    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        contacts = con.execute("select contact_id, email from marts.fct_lead_scores").fetchall()
    db = args.work / "crm.sqlite"
    db.unlink(missing_ok=True)
    limit, budget = args.sync_limit, args.sync_budget
    with start_sandbox(db, token=SYNC_TOKEN, rate_limit=limit, daily_limit=100_000_000) as sandbox:
        sandbox.store.bulk_insert("contacts", ({"hs_object_id": cid, "email": email}
                                               for cid, email in contacts))
        client = CrmClient(sandbox.url, SYNC_TOKEN, requests_per_10s=budget, timeout=60)
        stamps: list[float] = []
        client.session.hooks["response"].append(
            lambda r, *a, **k: stamps.append(time.monotonic()))
        started = time.monotonic()
        first = run_sync(args.warehouse, client)
        seconds = time.monotonic() - started
        requests = client.stats.requests
        writes_before = sum(sandbox.write_counts().values())
        started = time.monotonic()
        second = run_sync(args.warehouse, client)
        unchanged_seconds = time.monotonic() - started
        writes_after = sum(sandbox.write_counts().values())
    return {
        "seconds": round(seconds, 1),
        "limit_per_10s": limit,
        "client_budget_per_10s": budget,
        "contacts": len(contacts),
        "confirmed": first.succeeded,
        "requests": requests,
        "rate_limited_429": first.rate_limited,
        "busiest_10s_window": busiest_window(stamps),
        "steady_share_of_limit": steady_share(stamps, limit, budget),
        "run_share_of_limit": round(requests / seconds * 10.0 / limit, 3),
        "unchanged_seconds": round(unchanged_seconds, 1),
        "unchanged_planned": second.planned,
        "unchanged_requests": second.requests,
        "unchanged_writes": writes_after - writes_before,
    }


STEPS = {"full": full_refresh, "incremental": incremental_day, "dbt": dbt_only, "pandas": baseline,
         "sql": baseline, "sync": crm_sync}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="warehouse and dbt state folder")
    parser.add_argument("--score-date", type=date.fromisoformat, required=True)
    parser.add_argument("--result", type=Path, required=True, help="write the figures here")
    parser.add_argument("--sync-limit", type=int, default=100, help="sandbox requests per 10 s")
    parser.add_argument("--sync-budget", type=int, default=DEFAULT_REQUESTS_PER_10S,
                        help="client requests per 10 s (default: the client's, %(default)s)")
    parser.add_argument("--full-refresh", action="store_true", help="step `dbt`: dbt --full-refresh")
    args = parser.parse_args(argv)
    args.work = args.work.resolve()
    args.landing = args.landing.resolve()
    args.warehouse = args.work / "warehouse.duckdb"
    args.work.mkdir(parents=True, exist_ok=True)
    # dbt's target/ (run_results.json) and logs/ go under the work folder, not the checkout.
    os.environ["LEAD_SCORING_STATE_DIR"] = str(args.work)
    os.environ["LEAD_SCORING_WAREHOUSE"] = str(args.warehouse)

    args.sampler = PeakMemory()
    args.sampler.start()
    started = time.perf_counter()
    figures = STEPS[args.step](args)
    wall = round(time.perf_counter() - started, 2)
    args.sampler.stop()
    figures = {"seconds": wall, "peak_rss_gb": round(args.sampler.peak / 1e9, 2), **figures}
    args.result.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
