"""Benchmark the refresh on Spark (local mode) against DuckDB on the same files and machine.

    .venv/bin/python bench/spark.py --sizes 100000,1000000 --out bench/results/spark.json

For each size the landing files of bench/refresh.py are reused (generated once into `--cache`).
For each target, in a process of its own (bench/refresh_steps.py, peak memory = that process
tree, the Spark JVM included): `full` (a new warehouse: every day but the last ingested, then
`dbt build`) and `incremental` (the last day ingested, `dbt build` for it). Per-model times come
from dbt's run_results.json: they are what a cluster would spread, the fixed costs are what it
would not (bench/spark.py's summary, BENCHMARKS.md "Spark").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.refresh import BenchmarkFailed, data_figures, landing_for, machine  # noqa: E402
from bench.refresh_steps import window  # noqa: E402
from lead_scoring import paths  # noqa: E402

TARGETS = ("duckdb", "spark")


def run_step(step: str, target: str, landing: Path, work: Path, day, log: Path) -> dict:
    """One refresh step on `target` in a new process; its figures, or BenchmarkFailed."""
    result = work / f"{step}.json"
    result.unlink(missing_ok=True)
    env = os.environ | {
        "LEAD_SCORING_TARGET": target,
        "LEAD_SCORING_SPARK_DIR": str(work / "spark"),
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
    }
    cmd = [sys.executable, "-m", "bench.refresh_steps", step, "--landing", str(landing),
           "--work", str(work), "--score-date", day.isoformat(), "--result", str(result)]
    with log.open("a") as out:
        out.write(f"\n$ LEAD_SCORING_TARGET={target} {' '.join(cmd)}\n")
        out.flush()
        done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode or not result.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise BenchmarkFailed(f"{target} {step} failed (exit {done.returncode}); {log}:\n{tail}")
    return json.loads(result.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--days", type=int, default=90, help="days generated per size")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "spark.json")
    parser.add_argument("--cache", type=Path, default=paths.state_dir() / "bench")
    args = parser.parse_args(argv)
    targets = [t for t in args.targets.split(",") if t]
    results = json.loads(args.out.read_text()) if args.out.exists() else {"sizes": {}}
    results["machine"] = machine()
    results["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")

    def echo(line: str) -> None:
        print(line, flush=True)

    for size in [int(s.replace("_", "")) for s in args.sizes.split(",")]:
        landing = landing_for(size, args.days, args.cache.resolve(), echo)
        days = window(landing)
        entry = results["sizes"].setdefault(str(size), {})
        entry["data"] = data_figures(landing)
        for target in targets:
            work = args.cache.resolve() / f"c{size}-d{args.days}" / f"work-{target}"
            shutil.rmtree(work, ignore_errors=True)
            (work / "logs").mkdir(parents=True)
            figures = {}
            for step, day in (("full", days[-2]), ("incremental", days[-1])):
                started = time.perf_counter()
                figures[step] = run_step(step, target, landing, work, day, work / "logs" / f"{step}.log")
                echo(f"{size:>10,}  {target:<7} {step:<12} {time.perf_counter() - started:7.1f} s  "
                     f"peak {figures[step]['peak_rss_gb']:.2f} GB  ingest {figures[step]['ingest_s']} s  "
                     f"dbt {figures[step]['dbt_s']} s")
            entry[target] = figures
            args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
