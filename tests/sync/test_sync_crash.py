"""A sync process killed mid-way (SIGKILL, nothing can clean up), then the next run.

Real parts: the `lead-scoring sync` command in a process of its own, the sandbox over HTTP and a
DuckDB warehouse file. The kill lands once the sandbox has applied a third of the writes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from lead_scoring.crm.sandbox import start_sandbox
from lead_scoring.sync import run_sync

from .conftest import TOKEN, make_client, query, score_rows, write_scores

N = 1500
BATCH = 100


def start_killable_sync(warehouse: Path, url: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "AIRFLOW_CONN_CRM_DEFAULT"}
    env.update({"LEAD_SCORING_CRM_URL": url, "LEAD_SCORING_CRM_TOKEN": TOKEN})
    cli = Path(sys.executable).parent / "lead-scoring"
    # 40 requests per 10 s: slow enough that the kill lands mid-way
    return subprocess.Popen(
        [str(cli), "sync", "--warehouse", str(warehouse), "--requests-per-10s", "40"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_after_writes(process: subprocess.Popen, sandbox, writes: int, timeout_s: float = 120) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        done = sum(sandbox.write_counts().values())
        if done >= writes:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return done
        time.sleep(0.02)
    raise AssertionError(f"the sync ended (or stalled) before {writes} writes: {process.poll()}")


def test_a_killed_sync_resends_at_most_one_batch_and_is_marked_aborted(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    write_scores(warehouse, score_rows(N))
    with start_sandbox(
        tmp_path / "crm.sqlite", token=TOKEN, rate_limit=10_000, daily_limit=1_000_000
    ) as sandbox:
        sandbox.store.bulk_insert(
            "contacts", [{"hs_object_id": i, "email": f"lead{i}@example.com"} for i in range(1, N + 1)]
        )
        killed = start_killable_sync(warehouse, sandbox.url)
        kill_after_writes(killed, sandbox, N // 3)
        assert killed.returncode == -signal.SIGKILL
        written_before = set(sandbox.write_counts())
        assert 0 < len(written_before) < N

        [(dead_run, finished, reason)] = query(
            warehouse, "select run_id, finished_at, stopped_reason from sync.crm_sync_runs"
        )
        assert finished is None and reason is None  # the killed process could not finish it
        confirmed = query(warehouse, "select count(*) from sync.crm_sync_state")[0][0]

        with make_client(sandbox.url) as client:
            result = run_sync(warehouse, client, dag_run_id="manual__2026-11-20T00:00:00+00:00")

        assert result.complete and result.aborted_runs == [dead_run]
        counts = sandbox.write_counts()
        assert set(counts) == set(range(1, N + 1))  # every contact written
        twice = [cid for cid, n in counts.items() if n > 1]
        assert len(twice) <= BATCH, f"{len(twice)} contacts written twice after one kill"
        assert result.planned == N - confirmed

        runs = query(
            warehouse,
            "select run_id, planned, sent, succeeded, failed, stopped_reason, "
            "finished_at is not null, dag_run_id from sync.crm_sync_runs "
            "order by started_at",
        )
        assert runs[0][:5] == (dead_run, N, confirmed, confirmed, 0)
        assert runs[0][5].startswith("aborted:") and runs[0][6]
        assert runs[0][7] is None
        assert runs[1][1:] == (
            N - confirmed,
            N - confirmed,
            N - confirmed,
            0,
            None,
            True,
            "manual__2026-11-20T00:00:00+00:00",
        )

        again = run_sync(warehouse, make_client(sandbox.url))  # nothing unfinished any more
        assert again.aborted_runs == [] and again.sent == 0
