"""Kill a real sync process mid-way and count the contacts the next run writes a second time.

    .venv/bin/python bench/sync_kill.py                          # 5,000 contacts, kill at 40%
    .venv/bin/python bench/sync_kill.py --contacts 5000 --kill-at 0.4 --repeat 3

Starts the CRM sandbox on 127.0.0.1 (HubSpot's Free limit, 100 requests per 10 s) holding
`--contacts` contacts, writes as many scored rows to a DuckDB warehouse (both in a temporary
folder), starts `lead-scoring sync` as a process of its own, sends it SIGKILL once the sandbox has
applied `--kill-at` of the writes, then runs the sync again in this process and prints, from the
sandbox's own write log: contacts written twice, and how the killed run's audit row was closed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lead_scoring.crm.client import CrmClient
from lead_scoring.crm.sandbox import start_sandbox
from lead_scoring.sync import run_sync
from lead_scoring.warehouse import Warehouse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.sync.conftest import score_rows, write_scores  # noqa: E402

TOKEN = "bench-token"


def once(folder: Path, contacts: int, kill_at: float) -> dict:
    warehouse = folder / "warehouse.duckdb"
    write_scores(warehouse, score_rows(contacts))
    with start_sandbox(folder / "crm.sqlite", token=TOKEN, rate_limit=100) as sandbox:
        sandbox.store.bulk_insert("contacts", [
            {"hs_object_id": i, "email": f"lead{i}@example.com"} for i in range(1, contacts + 1)])
        env = {k: v for k, v in os.environ.items() if k != "AIRFLOW_CONN_CRM_DEFAULT"}
        env.update({"LEAD_SCORING_CRM_URL": sandbox.url, "LEAD_SCORING_CRM_TOKEN": TOKEN})
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "lead-scoring"), "sync", "--warehouse",
             str(warehouse)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None and sum(sandbox.write_counts().values()) < kill_at * contacts:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        at_kill = sum(sandbox.write_counts().values())
        sandbox.reset_limits()
        with CrmClient(sandbox.url, TOKEN) as client:
            result = run_sync(warehouse, client)
        counts = sandbox.write_counts()
        with Warehouse.of(warehouse).opened(read_only=True) as con:
            aborted = con.execute(
                "select planned, sent, succeeded, failed, stopped_reason from sync.crm_sync_runs "
                "where run_id = ?", [result.aborted_runs[0]]).fetchone() if result.aborted_runs \
                else None
        return {
            "contacts": contacts,
            "written_when_killed": at_kill,
            "killed_exit": process.returncode,
            "written_twice": sum(1 for n in counts.values() if n > 1),
            "never_written": contacts - len(counts),
            "next_run_planned": result.planned,
            "killed_run_row": dict(zip(["planned", "sent", "succeeded", "failed", "stopped_reason"],
                                       aborted, strict=True)) if aborted else None,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--kill-at", type=float, default=0.4, help="share of writes applied")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(once(Path(folder), args.contacts, args.kill_at)), flush=True)


if __name__ == "__main__":
    main()
