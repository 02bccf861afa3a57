"""Run the daily DAG through Airflow on already generated data; report wall time and peak memory.

Peak memory is the largest sum of resident memory over the whole process tree (the Airflow CLI
and the task processes it starts), sampled every 0.2 s.

    lead-scoring generate --contacts 1000000 --days 30 --out /tmp/scale1m/landing
    .venv/bin/python bench/dag_at_scale.py --landing /tmp/scale1m/landing --state /tmp/scale1m
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import psutil

from lead_scoring.orchestration import airflow_cli


class PeakMemory(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self._done = threading.Event()

    def run(self):
        me = psutil.Process()
        while not self._done.wait(0.2):
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)

    def stop(self):
        self._done.set()
        self.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 11, 20))
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--reuse-warehouse", action="store_true",
                        help="keep the warehouse of an earlier run (with --skip 'ingest|...' to "
                             "time what follows the load on loaded raw tables)")
    parser.add_argument("--skip", default="sync_to_crm",
                        help="regex of tasks marked successful without running (default: the "
                             "CRM sync, measured on its own by bench/sync_throughput.py)")
    args = parser.parse_args()

    warehouse = args.state / "warehouse.duckdb"
    if not args.reuse_warehouse:
        warehouse.unlink(missing_ok=True)
    env = airflow_cli.airflow_env(args.state, extra={
        "LEAD_SCORING_LANDING_DIR": str(args.landing.resolve()),
        "LEAD_SCORING_WAREHOUSE": str(warehouse),
    })
    airflow_cli.prepare(env)
    first = args.end_date - timedelta(days=args.days - 1)
    lines: list[str] = []

    def echo(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    sampler = PeakMemory()
    sampler.start()
    started = time.perf_counter()
    ok, log_file = airflow_cli.dags_test(
        "lead_scoring_daily", args.end_date.isoformat(), env,
        conf={"load_from": first.isoformat()}, echo=echo, mark_success=args.skip or None,
    )
    wall = time.perf_counter() - started
    sampler.stop()

    task_seconds: dict[str, float] = {}
    starts: dict[str, float] = {}
    for line in lines:
        if m := re.match(r"\s*\[\s*(\d+) s\] (\w+): (\w+)", line):
            at, task, state = float(m[1]), m[2], m[3]
            if state == "running":
                starts[task] = at
            elif task in starts:
                task_seconds[task] = at - starts[task]
    figures = {
        "ok": ok,
        "skipped_tasks": args.skip,
        "wall_seconds": round(wall, 1),
        "peak_rss_gb": round(sampler.peak / 1e9, 2),
        "task_seconds": task_seconds,
        "warehouse_gb": round(warehouse.stat().st_size / 1e9, 2) if warehouse.exists() else None,
        "log": str(log_file),
    }
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
