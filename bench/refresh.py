"""Benchmark the daily refresh against a pandas script and a single SQL query (issue #6).

    .venv/bin/python bench/refresh.py --sizes 10000,100000 --repeat 3 --out bench/results/refresh.json
    .venv/bin/python bench/plot_refresh.py bench/results/refresh.json   # plot + markdown table

For each size (contacts; about 30 web events each over `--days` days) the landing files are
generated once into `--cache` and reused. Then, `--repeat` times, each step in its own process
(bench/refresh_steps.py; peak memory = that process tree's largest resident size):

1. full_refresh: a new warehouse, every day but the last ingested, `dbt build` for that day;
2. pandas and single_sql: the two baselines on the same files and score date, each checked
   against the warehouse's fct_lead_scores (a mismatch stops the benchmark);
3. incremental_day: the last day ingested into that warehouse and `dbt build` for it (on the
   first repeat, single_sql for the last day checks it against a full refresh's scores);
4. crm_sync: every score synced to the CRM sandbox, then a second sync with nothing changed;
5. dag: the whole DAG through Airflow on a new warehouse (bench/dag_at_scale.py), same days.

Steps interleave, so background load spreads over all of them. Each figure is the median over
the repeats, and its ratio to single_sql's median at that size (the floor). Results measured
earlier and not now (other sizes, or steps left out with `--steps`) are kept in `--out`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.refresh_steps import window  # noqa: E402
from lead_scoring import paths  # noqa: E402
from lead_scoring.crm.client import DEFAULT_REQUESTS_PER_10S  # noqa: E402

STEPS = ("full_refresh", "incremental_day", "pandas", "single_sql", "crm_sync", "dag")
CHILD_STEP = {"full_refresh": "full", "incremental_day": "incremental", "pandas": "pandas",
              "single_sql": "sql", "crm_sync": "sync"}


class BenchmarkFailed(RuntimeError):
    pass


def machine() -> dict:
    import dbt.version
    import duckdb
    import psutil

    return {
        "cpus": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt_core": dbt.version.__version__,
        "platform": platform.platform(),
        "duckdb_memory_limit": _duckdb_memory_limit(),
    }


def _duckdb_memory_limit() -> str | None:
    from lead_scoring.warehouse import duckdb_settings

    return duckdb_settings().get("memory_limit")


def landing_for(size: int, days: int, cache: Path, echo) -> Path:
    """Generated files for `size` contacts, reused when a complete earlier run left them."""
    landing = cache / f"c{size}-d{days}" / "landing"
    if (landing / "_generator" / "manifest.json").exists():
        return landing
    shutil.rmtree(landing, ignore_errors=True)  # an interrupted run leaves no manifest
    echo(f"{size:>10,}  generating {days} days into {landing}")
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "lead-scoring"), "generate", "--contacts", str(size),
         "--days", str(days), "--out", str(landing)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    echo(f"{size:>10,}  generated in {time.perf_counter() - started:.0f} s")
    return landing


def data_figures(landing: Path) -> dict:
    manifest = json.loads((landing / "_generator" / "manifest.json").read_text())
    last = window(landing)[-1]
    last_day_events = 0
    for path in (landing / "web_events" / f"date={last}").glob("*.jsonl*"):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            last_day_events += sum(1 for _ in f)
    events = manifest["counts"]["events"]
    return {
        "contacts": manifest["counts"]["contacts"],
        "events": events,
        "events_per_contact": round(events / manifest["counts"]["contacts"], 1),
        "days": manifest["window"]["days"],
        "last_day_events": last_day_events,
        "last_day_share": round(last_day_events / events, 4),
        "landing_mb": round(sum(p.stat().st_size for p in landing.rglob("*") if p.is_file()) / 1e6),
    }


def run_child(step: str, landing: Path, work: Path, score_date: date, args, log: Path) -> dict:
    """Run one step in a new process; its figures (JSON) or BenchmarkFailed with the log's tail."""
    result = work / f"{step}.json"
    result.unlink(missing_ok=True)
    if step == "dag":
        days_loaded = len([d for d in window(landing) if d <= score_date])
        cmd = [sys.executable, str(ROOT / "bench" / "dag_at_scale.py"), "--landing", str(landing),
               "--state", str(work / "dag"), "--end-date", score_date.isoformat(),
               "--days", str(days_loaded), "--out", str(result)]
    else:
        cmd = [sys.executable, "-m", "bench.refresh_steps", CHILD_STEP[step],
               "--landing", str(landing), "--work", str(work), "--score-date", score_date.isoformat(),
               "--result", str(result), "--sync-limit", str(args.sync_limit),
               "--sync-budget", str(args.sync_budget)]
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        done = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode or not result.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise BenchmarkFailed(f"{step} failed (exit {done.returncode}); {log}:\n{tail}")
    figures = json.loads(result.read_text())
    if step == "dag":
        if not figures["ok"]:
            raise BenchmarkFailed(f"the DAG run failed; see {figures['log']}")
        figures = {"seconds": figures.pop("wall_seconds"), **figures}
    return figures


def describe(figures: dict) -> str:
    """The details worth a glance on the progress line."""
    parts = []
    if "ingest_s" in figures:
        parts.append(f"ingest {figures['ingest_s']:.1f} s, dbt {figures['dbt_s']:.1f} s")
    if "task_seconds" in figures:
        parts.append(", ".join(f"{t} {s:.0f} s" for t, s in figures["task_seconds"].items() if s >= 1))
    if "steady_share_of_limit" in figures:
        parts.append(f"{figures['confirmed']:,} synced, steady {figures['steady_share_of_limit']} / "
                     f"run {figures['run_share_of_limit']} of the limit; unchanged: "
                     f"{figures['unchanged_writes']} writes")
    if "mismatches" in figures:
        parts.append(f"{figures['contacts']:,} contacts, equal to fct_lead_scores")
    return "; ".join(parts)


def summarise(size_result: dict) -> None:
    """Median seconds, largest peak memory and the ratio to the floor, per step."""
    runs = size_result["runs"]
    summary = {}
    for step in STEPS:
        measured = [r for r in runs.get(step, [])]
        if measured:
            seconds = [r["seconds"] for r in measured]
            summary[step] = {
                "median_s": round(statistics.median(seconds), 2),
                "min_s": min(seconds),
                "max_s": max(seconds),
                "peak_rss_gb": max(r["peak_rss_gb"] for r in measured),
                "repeats": len(measured),
            }
    floor = summary.get("single_sql", {}).get("median_s")
    for step_summary in summary.values():
        step_summary["ratio_to_floor"] = round(step_summary["median_s"] / floor, 2) if floor else None
    size_result["summary"] = summary


def check_baseline(step: str, figures: dict, score_date: date) -> None:
    if figures["mismatches"]:
        raise BenchmarkFailed(f"{step} differs from fct_lead_scores for {score_date}:\n  "
                              + "\n  ".join(figures["mismatches"]))


def bench_size(size: int, args, results: dict, save, echo) -> None:
    landing = landing_for(size, args.days, args.cache, echo)
    days = window(landing)
    score_date, next_day = days[-2], days[-1]
    work = args.cache / f"c{size}-d{args.days}" / "work"
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    planned = [s for s in STEPS if s in args.steps]
    if size > args.dag_max_size:
        planned = [s for s in planned if s != "dag"]
    if args.sync_max_size is not None and size > args.sync_max_size:
        planned = [s for s in planned if s != "crm_sync"]
    previous = results["sizes"].get(str(size), {})
    size_result = results["sizes"][str(size)] = {
        "data": data_figures(landing), "score_date": score_date.isoformat(),
        "incremental_date": next_day.isoformat(),
        # steps not measured now keep the runs of an earlier invocation (`--steps dag`, say)
        "runs": {step: runs for step, runs in previous.get("runs", {}).items() if step not in planned},
        "checks": previous.get("checks", {}),
    }
    data = size_result["data"]
    echo(f"{size:>10,}  {data['events']:,} events ({data['events_per_contact']} per contact) over "
         f"{data['days']} days; last day {data['last_day_events']:,} ({data['last_day_share']:.1%})")

    order = ["full_refresh", "pandas", "single_sql", "incremental_day", "crm_sync", "dag"]
    for rep in range(1, args.repeat + 1):
        for step in [s for s in order if s in planned]:
            if step in ("pandas", "single_sql", "incremental_day", "crm_sync") \
                    and "full_refresh" not in planned:
                raise BenchmarkFailed(f"{step} needs full_refresh's warehouse")
            day = next_day if step == "incremental_day" else score_date
            load = os.getloadavg()[0]
            figures = run_child(step, landing, work, day, args, logs / f"{step}-{rep}.log")
            figures["load_avg_1m_before"] = round(load, 2)
            if step in ("pandas", "single_sql"):
                check_baseline(step, figures, day)
            size_result["runs"].setdefault(step, []).append(figures)
            echo(f"{size:>10,}  rep {rep}/{args.repeat}  {step:<16}{figures['seconds']:>8.1f} s  "
                 f"peak {figures['peak_rss_gb']:5.2f} GB  load {load:4.1f}  {describe(figures)}")
            if step == "incremental_day" and rep == 1 and "single_sql" in planned:
                check = run_child("single_sql", landing, work, next_day, args,
                                  logs / "incremental-check.log")
                check_baseline("single_sql", check, next_day)
                size_result["checks"]["incremental_equals_single_sql"] = next_day.isoformat()
                echo(f"{size:>10,}  rep {rep}/{args.repeat}  incremental_day's scores equal "
                     f"single_sql's for {next_day}")
            if step == "crm_sync" and figures["unchanged_writes"]:
                raise BenchmarkFailed(f"a sync with nothing changed wrote {figures['unchanged_writes']}"
                                      " contacts")
            summarise(size_result)
            save()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000",
                        help="comma-separated contact counts (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--days", type=int, default=90, help="days generated per size")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "refresh.json")
    parser.add_argument("--cache", type=Path, default=paths.state_dir() / "bench",
                        help="generated data and work folders (default %(default)s)")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help="comma-separated subset of: " + ", ".join(STEPS))
    parser.add_argument("--dag-max-size", type=int, default=100_000,
                        help="run the DAG only up to this many contacts (default %(default)s)")
    parser.add_argument("--sync-max-size", type=int, default=None,
                        help="sync only up to this many contacts (default: every size)")
    parser.add_argument("--sync-limit", type=int, default=100, help="sandbox requests per 10 s")
    parser.add_argument("--sync-budget", type=int, default=DEFAULT_REQUESTS_PER_10S,
                        help="client requests per 10 s (default: the client's, %(default)s)")
    args = parser.parse_args(argv)
    args.steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    if unknown := set(args.steps) - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    args.cache = args.cache.resolve()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]

    results = json.loads(args.out.read_text()) if args.out.exists() else {"sizes": {}}
    results["machine"] = machine()
    results["settings"] = {"days": args.days, "repeat": args.repeat, "sync_limit_per_10s":
                           args.sync_limit, "sync_budget_per_10s": args.sync_budget}
    results["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")

    def save() -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(results, indent=2) + "\n")
        tmp.replace(args.out)

    def echo(line: str) -> None:
        print(line, flush=True)

    echo(f"machine: {results['machine']}")
    try:
        for size in sizes:
            bench_size(size, args, results, save, echo)
    except BenchmarkFailed as exc:
        save()
        echo(f"FAILED: {exc}")
        return 1
    save()
    echo(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
