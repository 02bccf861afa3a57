"""Measure astronomer-cosmos's overhead against one `dbt build`, on the project's own dbt project.

    .venv/bin/python bench/dbt_orchestration/run.py                  # 3 repetitions, manifest
    .venv/bin/python bench/dbt_orchestration/run.py --reps 5 --load-mode dbt_ls --json out.json

Everything happens in a temporary folder (`--work` to choose it, `--keep` to keep it):

1. `lead-scoring generate --contacts 2000 --days 30` and `lead-scoring ingest` of all 30 days into
   a fresh DuckDB warehouse;
2. `dbt parse` writes the manifest the cosmos DAG reads (`LoadMode.DBT_MANIFEST`; timed, it is a
   deploy-time cost), `airflow db migrate` + pool `warehouse_writer` (not timed);
3. parse time of each benchmark DAG file: a fresh Python process with the Airflow environment
   loads the file in a `DagBag` twice; `cold` = first load (imports cosmos, builds the graph),
   `warm` = second load in the same process (modules already imported, as in a dag processor
   that pre-imports them);
4. one untimed warm-up round of every variant (creates the incremental table and dbt's partial
   parse files, fills cosmos's cache), reported as "first run";
5. `--reps` timed rounds, variants interleaved (cli, single, cosmos, cli, ...) so that load from
   other processes on the machine spreads over all of them:
   - `cli`: `dbt build` from the command line, no Airflow;
   - `single`: `airflow dags test bench_dbt_single <date>` (one task: `lead_scoring.transform.dbt_build`);
   - `cosmos`: `airflow dags test bench_dbt_cosmos <date>` (DbtTaskGroup, TestBehavior.BUILD).
   Before every run `marts.fct_lead_scores` is dropped; a run counts only if it exits 0, the DAG
   run finished `success` with every task `success`, and the table is back with rows scored on
   `<date>`. Any failure stops the benchmark (exit code 1).

Prints a Markdown table: median wall time per variant, overhead against `cli`, Airflow tasks,
dbt nodes executed, and a breakdown of the Airflow runs (start-up until the first task, mean time
per task).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lead_scoring import paths
from lead_scoring.orchestration import airflow_cli

HERE = Path(__file__).resolve().parent
DAGS = HERE / "dags"
BIN = Path(sys.executable).parent
VARIANTS = {
    "cli": "plain `dbt build` (no Airflow)",
    "single": "Airflow, one task (`bench_dbt_single`)",
    "cosmos": "Airflow + cosmos DbtTaskGroup (`bench_dbt_cosmos`)",
}
DAG_IDS = {"single": "bench_dbt_single", "cosmos": "bench_dbt_cosmos"}

STAMP = r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z)"
TASK_START = re.compile(STAMP + r".*\[DAG TEST\] starting task_id=(\S+)", re.M)
TASK_END = re.compile(STAMP + r".*\[DAG TEST\] end task task_id=(\S+)", re.M)
NEW_STATE = re.compile(r"new_state=(\w+)")
RUN_STATE = re.compile(r"DagRun Finished: .*?state=(\w+)")
DBT_DONE = re.compile(r"Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)")
# dbt's summary of one invocation: time spent running nodes, after start-up and parsing
DBT_FINISHED = re.compile(r"Finished running .*? in (\d+) hours (\d+) minutes and ([\d.]+) seconds")
# dbt's result line of one node: "12 of 40 OK created sql table model marts.x ....", "3 of 4 PASS y ..."
DBT_NODE = re.compile(r"\d+ of \d+ (?:PASS|WARN|ERROR|FAIL|SKIP|OK [a-z ]+) (\S+)(?: \.+)? +\[")

PARSE_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
from airflow.dag_processing.dagbag import DagBag
import_s = time.perf_counter() - t0
out = {"airflow_import_s": import_s, "loads": []}
for _ in range(2):
    t = time.perf_counter()
    bag = DagBag(dag_folder=sys.argv[1], safe_mode=False)
    wall = time.perf_counter() - t
    if bag.import_errors:
        print(json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()}}))
        sys.exit(1)
    stat = bag.dagbag_stats[0]
    out["loads"].append({"wall_s": wall, "file_s": stat.duration.total_seconds(),
                         "tasks": stat.task_num, "dags": list(bag.dag_ids)})
print(json.dumps(out))
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_checked(args: list[str], env: dict[str, str], what: str, log_file: Path) -> float:
    """Run a command, append its output to log_file; returns its wall time. Raises on failure."""
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, errors="replace")
    elapsed = time.perf_counter() - started
    with log_file.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(args)}\n{done.stdout}{done.stderr}")
    if done.returncode:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise RuntimeError(f"{what} failed (exit {done.returncode}); see {log_file}\n{tail}")
    return elapsed


def dbt_args(command: str, target_dir: Path, score_date: str | None) -> list[str]:
    args = [
        str(BIN / "dbt"), command,
        "--project-dir", str(paths.DBT_PROJECT_DIR),
        "--profiles-dir", str(paths.DBT_PROJECT_DIR),
        "--target", "duckdb",
        "--target-path", str(target_dir / "target"),
        "--log-path", str(target_dir / "logs"),
    ]
    if score_date:
        args += ["--vars", json.dumps({"score_date": score_date})]
    return args


def warehouse_check(warehouse: Path, score_date: str) -> int:
    """Rows of marts.fct_lead_scores, all scored on score_date; raises if missing or empty."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows, days = conn.execute(
            "select count(*), count(distinct cast(scored_at as date)) filter "
            "(where cast(scored_at as date) <> cast(? as date)) from marts.fct_lead_scores",
            [score_date],
        ).fetchone()
    if not rows:
        raise RuntimeError("marts.fct_lead_scores is empty")
    if days:
        raise RuntimeError(f"marts.fct_lead_scores has rows not scored on {score_date}")
    return rows


def drop_scores(warehouse: Path) -> None:
    import duckdb

    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("drop table if exists marts.fct_lead_scores")


def parse_stamp(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def dbt_nodes(output: str) -> int:
    """dbt nodes executed (pass + warn + error + skip), summed over every dbt invocation."""
    return sum(sum(int(x) for x in m.groups()) for m in DBT_DONE.finditer(output))


def dbt_exec_s(output: str) -> float:
    """Seconds dbt spent running nodes, summed over every dbt invocation (no start-up, no parse)."""
    return sum(int(h) * 3600 + int(m) * 60 + float(sec) for h, m, sec in DBT_FINISHED.findall(output))


def run_variant(
    variant: str, score_date: str, env: dict[str, str], work: Path, log_file: Path
) -> dict:
    warehouse = Path(env["LEAD_SCORING_WAREHOUSE"])
    drop_scores(warehouse)
    if variant == "cli":
        args = dbt_args("build", work / "dbt_cli", score_date)
    else:
        args = [str(BIN / "airflow"), "dags", "test", DAG_IDS[variant], score_date]
    load_before = os.getloadavg()[0]
    attempts = 0
    while True:
        attempts += 1
        started_at = time.time()
        started = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, text=True, errors="replace")
        wall = time.perf_counter() - started
        output = done.stdout + done.stderr
        with log_file.open("a", encoding="utf-8") as out:
            out.write(f"\n$ {' '.join(args)}\n{output}")
        if done.returncode >= 0 or attempts == 3:
            break
        # Killed by a signal from outside (shared machine): not a result, run it again.
        log(f"  {variant}: killed by signal {-done.returncode} after {wall:.1f} s, running again")
        drop_scores(warehouse)
    result = {"variant": variant, "wall_s": wall, "exit_code": done.returncode,
              "attempts": attempts, "load_avg_1m_before": load_before,
              "dbt_nodes": dbt_nodes(output), "dbt_exec_s": dbt_exec_s(output),
              "node_names": sorted(set(DBT_NODE.findall(output)))}
    if done.returncode:
        raise RuntimeError(f"{variant}: exit code {done.returncode}; see {log_file}")
    if variant != "cli":
        starts = TASK_START.findall(output)
        ends = TASK_END.findall(output)
        states = NEW_STATE.findall(output)
        run_state = RUN_STATE.findall(output)
        if run_state != ["success"]:
            raise RuntimeError(f"{variant}: DAG run state {run_state}; see {log_file}")
        if not starts or len(starts) != len(ends) or states.count("success") != len(starts):
            raise RuntimeError(
                f"{variant}: {len(starts)} tasks started, {len(ends)} ended, "
                f"{states.count('success')} succeeded ({states}); see {log_file}"
            )
        task_s = [parse_stamp(e[0]) - parse_stamp(s[0]) for s, e in zip(starts, ends, strict=True)]
        result.update(
            tasks=len(starts),
            startup_s=parse_stamp(starts[0][0]) - started_at,
            mean_task_s=statistics.mean(task_s),
            tasks_total_s=sum(task_s),
        )
    result["fct_lead_scores_rows"] = warehouse_check(warehouse, score_date)
    return result


def parse_times(
    env: dict[str, str], log_file: Path, reps: int, variants: list[str]
) -> dict[str, dict]:
    out = {}
    for variant, dag_id in DAG_IDS.items():
        if variant not in variants:
            continue
        samples = []
        for _ in range(reps):
            args = [sys.executable, "-c", PARSE_SCRIPT, str(DAGS / f"{dag_id}.py")]
            done = subprocess.run(args, env=env, capture_output=True, text=True)
            with log_file.open("a", encoding="utf-8") as f:
                f.write(f"\n$ parse {dag_id}\n{done.stdout}{done.stderr}")
            if done.returncode:
                raise RuntimeError(f"parsing {dag_id} failed: {done.stdout[-2000:]}")
            samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
        out[variant] = {
            "first_s": samples[0]["loads"][0]["file_s"],
            "cold_s": statistics.median(s["loads"][0]["file_s"] for s in samples),
            "warm_s": statistics.median(s["loads"][1]["file_s"] for s in samples),
            "tasks": samples[0]["loads"][0]["tasks"],
            "samples": samples,
        }
    return out


def summarise(rounds: list[dict], warmup: list[dict], variants: list[str]) -> dict[str, dict]:
    summary = {}
    cli_names = next((r["node_names"] for r in rounds if r["variant"] == "cli"), [])
    for variant in variants:
        runs = [r for r in rounds if r["variant"] == variant]
        first = next(r for r in warmup if r["variant"] == variant)
        item = {
            "median_s": statistics.median(r["wall_s"] for r in runs),
            "min_s": min(r["wall_s"] for r in runs),
            "max_s": max(r["wall_s"] for r in runs),
            "runs_s": [round(r["wall_s"], 2) for r in runs],
            "first_run_s": first["wall_s"],
            "dbt_exec_s": statistics.median(r["dbt_exec_s"] for r in runs),
            "dbt_nodes": runs[-1]["dbt_nodes"],
            "distinct_nodes": len(runs[-1]["node_names"]),
            "missing_vs_cli": sorted(set(cli_names) - set(runs[-1]["node_names"])),
            "tasks": runs[-1].get("tasks"),
            "rows": runs[-1]["fct_lead_scores_rows"],
        }
        if variant != "cli":
            item["startup_s"] = statistics.median(r["startup_s"] for r in runs)
            item["mean_task_s"] = statistics.median(r["mean_task_s"] for r in runs)
            item["tasks_total_s"] = statistics.median(r["tasks_total_s"] for r in runs)
        summary[variant] = item
    return summary


def markdown(summary: dict[str, dict], parse: dict[str, dict], meta: dict) -> str:
    base = summary.get("cli", {}).get("median_s")
    built = (f"{meta['dbt_nodes_cli']} nodes built by `dbt build`" if meta["dbt_nodes_cli"]
             else "plain `dbt build` not measured")
    lines = [
        f"dbt project: {built}; data: "
        f"{meta['contacts']} contacts x {meta['days']} days, score date {meta['date']}; "
        f"{meta['reps']} timed repetitions (median), cosmos load mode `{meta['load_mode']}`, "
        f"multi-parent tests detached: {meta['detach_tests']}.",
        "",
        "| variant | median wall (s) | min-max (s) | vs plain dbt | Airflow tasks "
        "| dbt nodes run (distinct) | dbt running nodes (s) | first run (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for variant, item in summary.items():
        over = (f"+{item['median_s'] - base:.1f} s (x{item['median_s'] / base:.1f})"
                if base and variant != "cli" else "-")
        lines.append(
            f"| {VARIANTS[variant]} | {item['median_s']:.1f} | {item['min_s']:.1f}-"
            f"{item['max_s']:.1f} | {over} | {item['tasks'] if item['tasks'] else '- (0)'} "
            f"| {item['dbt_nodes']} ({item['distinct_nodes']}) | {item['dbt_exec_s']:.1f} "
            f"| {item['first_run_s']:.1f} |"
        )
    for variant, item in summary.items():
        if item["missing_vs_cli"]:
            lines.append(f"\n{DAG_IDS[variant]} did not run {len(item['missing_vs_cli'])} node(s) "
                         f"that `dbt build` runs: {', '.join(item['missing_vs_cli'])}")
    airflow = [v for v in summary if v != "cli"]
    if airflow:
        lines += [
            "",
            "| Airflow variant | start-up until 1st task (s) | sum of task times (s) "
            "| mean per task (s) |",
            "|---|---:|---:|---:|",
        ]
        for variant in airflow:
            item = summary[variant]
            lines.append(f"| {DAG_IDS[variant]} | {item['startup_s']:.1f} "
                         f"| {item['tasks_total_s']:.1f} | {item['mean_task_s']:.2f} |")
    if parse:
        lines += [
            "",
            "| DAG file parse (DagBag) | very first load, empty cosmos cache (s) "
            "| cold: first load in a fresh process, median (s) | warm: second load, median (s) "
            "| tasks |",
            "|---|---:|---:|---:|---:|",
        ]
        for variant, item in parse.items():
            lines.append(f"| {DAG_IDS[variant]}.py | {item['first_s']:.2f} | {item['cold_s']:.2f} "
                         f"| {item['warm_s']:.2f} | {item['tasks']} |")
    lines += ["", f"`dbt parse` (manifest for cosmos): {meta['dbt_parse_s']:.1f} s. "
                  f"Machine: {meta['machine']}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions (default 3)")
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--date", default="2026-11-20", help="score / logical date")
    parser.add_argument("--load-mode", choices=["dbt_manifest", "dbt_ls"], default="dbt_manifest",
                        help="cosmos LoadMode of bench_dbt_cosmos (default dbt_manifest)")
    parser.add_argument("--no-detach", action="store_true",
                        help="cosmos: keep multi-parent tests inside the model tasks (cosmos's "
                             "default; fails on an empty marts schema)")
    parser.add_argument("--variants", default="cli,single,cosmos",
                        help="comma-separated subset of cli,single,cosmos")
    parser.add_argument("--parse-reps", type=int, default=3, help="0 skips DAG parse timing")
    parser.add_argument("--work", type=Path, help="work folder (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    args = parser.parse_args(argv)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if unknown := set(variants) - set(VARIANTS):
        parser.error(f"unknown variants: {sorted(unknown)}")

    work = (args.work or Path(tempfile.mkdtemp(prefix="dbt_orch_bench_"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    log_file = work / "bench.log"
    log(f"work folder: {work} (full output: {log_file})")
    date = dt.date.fromisoformat(args.date)
    first_day = date - dt.timedelta(days=args.days - 1)
    manifest_dir = work / "dbt_bench_manifest"
    # State dir = work: warehouse work/warehouse.duckdb, landing work/landing, Airflow work/airflow.
    os.environ.pop("LEAD_SCORING_WAREHOUSE", None)
    os.environ.pop("LEAD_SCORING_LANDING_DIR", None)
    env = airflow_cli.airflow_env(work, extra={
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__COSMOS__CACHE_DIR": str(work / "cosmos_cache"),
        "BENCH_DBT_LOAD_MODE": args.load_mode,
        "BENCH_DBT_DETACH_TESTS": "0" if args.no_detach else "1",
        "BENCH_DBT_MANIFEST": str(manifest_dir / "target" / "manifest.json"),
        "BENCH_DBT_EXECUTABLE": str(BIN / "dbt"),
        "LEAD_SCORING_TARGET": "duckdb",
        "DBT_VERSION_CHECK": "False",
    })
    warehouse = Path(env["LEAD_SCORING_WAREHOUSE"])
    try:
        log("generating and loading data...")
        run_checked([str(BIN / "lead-scoring"), "generate", "--contacts", str(args.contacts),
                     "--days", str(args.days), "--end-date", args.date,
                     "--out", str(work / "landing")], env, "generate", log_file)
        run_checked([str(BIN / "lead-scoring"), "ingest", "--from-date", first_day.isoformat(),
                     "--date", args.date, "--landing", str(work / "landing"),
                     "--warehouse", str(warehouse)], env, "ingest", log_file)
        log("dbt parse (manifest for cosmos)...")
        dbt_parse_s = run_checked(dbt_args("parse", manifest_dir, args.date), env, "dbt parse",
                                  log_file)
        log("airflow db migrate + pool...")
        airflow_cli.prepare(env)

        parse = {}
        if args.parse_reps > 0:
            log("timing DAG file parsing...")
            parse = parse_times(env, log_file, args.parse_reps, variants)
            for variant, item in parse.items():
                log(f"  {DAG_IDS[variant]}: cold {item['cold_s']:.2f} s, warm "
                    f"{item['warm_s']:.2f} s, {item['tasks']} tasks")

        warmup, rounds = [], []
        for rep in range(args.reps + 1):
            label = "warm-up" if rep == 0 else f"rep {rep}/{args.reps}"
            for variant in variants:
                result = run_variant(variant, args.date, env, work, log_file)
                result["rep"] = rep
                (warmup if rep == 0 else rounds).append(result)
                extra = f", {result['tasks']} tasks" if "tasks" in result else ""
                log(f"  {label} {variant}: {result['wall_s']:.1f} s{extra}, "
                    f"{result['dbt_nodes']} dbt nodes, {result['fct_lead_scores_rows']} scores")

        summary = summarise(rounds, warmup, variants)
        cli_nodes = next((r["dbt_nodes"] for r in rounds if r["variant"] == "cli"), 0)
        meta = {
            "date": args.date, "contacts": args.contacts, "days": args.days, "reps": args.reps,
            "load_mode": args.load_mode, "detach_tests": not args.no_detach,
            "dbt_parse_s": dbt_parse_s, "dbt_nodes_cli": cli_nodes,
            "machine": f"{platform.python_version()}, {os.cpu_count()} cores, load average "
                       f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} at the end",
        }
        print(markdown(summary, parse, meta))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(
                {"meta": meta, "summary": summary, "parse": parse, "warmup": warmup,
                 "rounds": rounds}, indent=2, default=str) + "\n")
            log(f"wrote {args.json}")
        return 0
    except RuntimeError as exc:
        log(f"FAILED: {exc}")
        return 1
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
