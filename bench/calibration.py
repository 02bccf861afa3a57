"""Benchmark `lead-scoring evaluate` and `lead-scoring calibrate` at scale (issue #12).

    .venv/bin/python bench/calibration.py --sizes 100000,1000000 --cache /tmp/lead-scoring-bench

For each size: generated data with planted effects (`generate --plant-effects`, --days days),
ingested and built once (timed, for reference), then `evaluate` and `calibrate` each in a process
of its own, measured for wall time and peak memory (the process tree's largest resident size),
and the calibration's figures (held-out AUC of the rules before and after, the points the
planted signals got). Results go to --out as JSON; BENCHMARKS.md has the table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dag_at_scale import PeakMemory  # noqa: E402

CLI = [sys.executable, "-m", "lead_scoring.cli"]
END = date(2026, 11, 20)


def timed(cmd: list[str], env: dict, log: Path) -> dict:
    """Run a command in a new process; wall seconds and peak memory of its process tree."""
    sampler = PeakMemory()
    sampler.start()
    started = time.perf_counter()
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                              check=False)
    seconds = round(time.perf_counter() - started, 1)
    sampler.stop()
    if done.returncode:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"{' '.join(cmd[2:4])} failed (exit {done.returncode}):\n{tail}")
    return {"seconds": seconds, "peak_rss_gb": round(sampler.peak / 1e9, 2)}


def bench_size(size: int, args, echo) -> dict:
    work = args.cache / f"calibration-{size}"
    landing = work / "landing"
    env = {**os.environ, "LEAD_SCORING_STATE_DIR": str(work), "LEAD_SCORING_LANDING_DIR": str(landing)}
    env.pop("LEAD_SCORING_WAREHOUSE", None)
    log = work / "bench.log"
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {"contacts": size, "days": args.days}
    if not (work / "warehouse.duckdb").exists():
        echo(f"{size:,}: generating and building the warehouse (once)")
        timed([*CLI, "generate", "--contacts", str(size), "--days", str(args.days),
               "--plant-effects", "--out", str(landing)], env, log)
        first = (END - timedelta(days=args.days - 1)).isoformat()
        result["ingest"] = timed([*CLI, "ingest", "--from-date", first, "--date", END.isoformat()],
                                 env, log)
        result["dbt_build"] = timed([*CLI, "transform", "--score-date", END.isoformat()], env, log)
    echo(f"{size:,}: evaluate")
    result["evaluate"] = timed([*CLI, "evaluate", "--no-store"], env, log)
    echo(f"{size:,}: calibrate")
    result["calibrate"] = timed([*CLI, "calibrate", "--seeds-dir", str(ROOT / "dbt_project" / "seeds")],
                                env, log)
    figures = json.loads((work / "calibration" / "proposal.json").read_text())
    points = {}
    for name in ("scoring_fit_rules.csv", "scoring_engagement_rules.csv"):
        with (work / "calibration" / "proposed_seeds" / name).open() as handle:
            points.update({r["rule_id"]: int(r["points"]) for r in csv.DictReader(handle)})
    result["figures"] = {
        **{k: figures[k] for k in ("mode", "train_contacts", "train_conversions", "test_contacts",
                                   "test_conversions", "held_out_auc_current",
                                   "held_out_auc_proposed", "changed_rules")},
        "planted_strong_points": points.get("fit_contact_hs_analytics_source_referrals"),
        "planted_no_effect_points": points.get("eng_page_case_studies"),
    }
    echo(f"{size:,}: evaluate {result['evaluate']['seconds']} s ({result['evaluate']['peak_rss_gb']} GB), "
         f"calibrate {result['calibrate']['seconds']} s ({result['calibrate']['peak_rss_gb']} GB); "
         f"held-out AUC {figures['held_out_auc_current']['auc']:.3f} -> "
         f"{figures['held_out_auc_proposed']['auc']:.3f}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="contacts, comma-separated")
    parser.add_argument("--days", type=int, default=60, help="days of generated data (default 60)")
    parser.add_argument("--cache", type=Path, required=True,
                        help="folder for the generated data and warehouses (outside the checkout)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "calibration.json")
    args = parser.parse_args(argv)
    args.cache = args.cache.resolve()
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    for size in (int(s) for s in args.sizes.split(",")):
        results[str(size)] = bench_size(size, args, lambda m: print(m, flush=True))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
