"""Plot and tabulate bench/refresh.py's results: time against size, log-log, and Markdown tables.

    .venv/bin/python bench/plot_refresh.py bench/results/refresh.json \
        --png bench/results/refresh.png --markdown bench/results/refresh.md
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

LABELS = {
    "full_refresh": "full refresh (ingest + dbt build)",
    "incremental_day": "incremental day",
    "dag": "whole DAG through Airflow",
    "pandas": "pandas baseline",
    "single_sql": "single SQL (floor)",
    "crm_sync": "CRM sync",
}
PLOTTED = ("full_refresh", "incremental_day", "dag", "pandas", "single_sql")
STYLE = {"full_refresh": "o-", "incremental_day": "s-", "dag": "^-", "pandas": "x--",
         "single_sql": "d--"}


def sizes(results: dict) -> list[tuple[int, dict]]:
    return sorted((int(size), r) for size, r in results["sizes"].items() if r.get("summary"))


def plot(results: dict, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 5))
    for step in PLOTTED:
        points = [(r["data"]["contacts"], r["summary"][step]["median_s"])
                  for _, r in sizes(results) if step in r["summary"]]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, STYLE[step], label=LABELS[step])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("contacts (about 30 web events each over 90 days)")
    ax.set_ylabel("median wall time (s)")
    machine = results.get("machine", {})
    ax.set_title(f"Daily refresh vs baselines ({machine.get('cpus')} cores, "
                 f"DuckDB {machine.get('duckdb')})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=120)


def table(results: dict) -> str:
    lines = ["| contacts | events | step | median (s) | min-max (s) | x floor | peak memory (GB) | runs |",
             "|---:|---:|---|---:|---:|---:|---:|---:|"]
    for size, r in sizes(results):
        for step, s in r["summary"].items():
            # the sync's time is set by the CRM's rate limit, not by scoring: no ratio
            ratio = "-" if step == "crm_sync" or s["ratio_to_floor"] is None else f"{s['ratio_to_floor']:.2f}"
            lines.append(
                f"| {size:,} | {r['data']['events']:,} | {LABELS[step]} | {s['median_s']:.1f} | "
                f"{s['min_s']:.1f}-{s['max_s']:.1f} | {ratio} | {s['peak_rss_gb']:.2f} | "
                f"{s['repeats']} |")
    return "\n".join(lines)


def targets(results: dict) -> str:
    """Issue #6's targets at every size measured (they are set for 1M contacts)."""
    lines = ["| contacts | full / floor (<= 2) | pandas / full (>= 5) | incremental / full (<= 0.15) "
             "| peak memory, pipeline (< 4 GB) | sync, steady share of limit (>= 0.9) "
             "| writes, unchanged sync (0) |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for size, r in sizes(results):
        medians = {step: figures["median_s"] for step, figures in r["summary"].items()}

        def ratio(a, b, medians=medians):
            return f"{medians[a] / medians[b]:.2f}" if a in medians and b in medians else "-"

        peak = max((r["summary"][k]["peak_rss_gb"] for k in ("full_refresh", "incremental_day", "dag")
                    if k in r["summary"]), default=None)
        syncs = r["runs"].get("crm_sync", [])
        shares = sorted(x["steady_share_of_limit"] for x in syncs if x["steady_share_of_limit"] is not None)
        lines.append(
            f"| {size:,} | {ratio('full_refresh', 'single_sql')} | {ratio('pandas', 'full_refresh')} | "
            f"{ratio('incremental_day', 'full_refresh')} | {f'{peak:.2f}' if peak else '-'} | "
            f"{f'{shares[len(shares) // 2]:.3f}' if shares else '-'} | "
            f"{max((x['unchanged_writes'] for x in syncs), default='-')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="?",
                        default=Path(__file__).parent / "results" / "refresh.json")
    parser.add_argument("--png", type=Path, default=Path(__file__).parent / "results" / "refresh.png")
    parser.add_argument("--markdown", type=Path, help="also write the tables here")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    plot(results, args.png)
    text = f"{table(results)}\n\nTargets:\n\n{targets(results)}\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    print(f"wrote {args.png}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
