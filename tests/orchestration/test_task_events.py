"""The listener plugin (plugins/task_events.py) under a real `airflow dags test` of a tiny DAG.

`dags_test` shows a run's progress from the events the plugin writes, not from Airflow's log text:
the lines it echoes are exactly what `RunProgress` makes of the events file.
"""

from __future__ import annotations

import re

import pytest

from lead_scoring.orchestration import airflow_cli
from lead_scoring.progress import EventTail

pytestmark = pytest.mark.e2e

TINY_DAG = """
from datetime import datetime

from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowSkipException


@dag(dag_id="tiny_events", schedule=None, start_date=datetime(2026, 1, 1), catchup=False)
def tiny_events():
    @task
    def works():
        import logging

        from lead_scoring.progress import report

        report(logging.getLogger("lead_scoring.tiny"), "halfway: %d/%d", 1, 2, source="tiny")

    @task
    def skips():
        raise AirflowSkipException("nothing to do")

    @task
    def fails():
        raise ValueError("planted failure")

    works() >> [skips(), fails()]


tiny_events()
"""


def test_a_dag_run_yields_an_event_per_task_state_and_the_lines_come_from_them(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "tiny_events.py").write_text(TINY_DAG)
    env = airflow_cli.airflow_env(tmp_path / "state", extra={"AIRFLOW__CORE__DAGS_FOLDER": str(dags)})
    lines: list[str] = []

    ok, log_file = airflow_cli.dags_test("tiny_events", "2026-11-20", env, echo=lines.append)

    assert not ok  # a task failed
    (events_file,) = (tmp_path / "state" / "airflow" / "events").glob("tiny_events-2026-11-20-*.jsonl")
    events = EventTail(events_file).read()
    states = [(e["event"], e["task_id"]) for e in events if e["event"].startswith("task_")]
    assert sorted(states) == sorted(
        [
            ("task_running", "works"),
            ("task_success", "works"),
            ("task_running", "skips"),
            ("task_skipped", "skips"),
            ("task_running", "fails"),
            ("task_failed", "fails"),
        ]
    )
    (failed,) = [e for e in events if e["event"] == "task_failed"]
    assert failed["error"] == "ValueError: planted failure" and "raise ValueError" in failed["traceback"]
    assert [e["event"] for e in events if e["event"].startswith("dag_run_")][-1] == "dag_run_failed"
    (progress,) = [e for e in events if e["event"] == "progress"]
    assert (progress["task_id"], progress["message"]) == ("works", "halfway: 1/2")

    # what dags_test showed is what RunProgress makes of the events, line for line
    replayed: list[str] = []
    show = airflow_cli.RunProgress(replayed.append, started=events[0]["ts"] - 1)  # only the stamps differ
    for event in events:
        show(event)

    def unstamped(text: list[str]) -> list[str]:
        return [re.sub(r"\[\s*\d+ s\]", "[t]", re.sub(r" \(\d+\.\d s\)$", "", line)) for line in text]

    shown = unstamped(lines)
    assert shown == unstamped(replayed)
    assert shown[:3] == ["  [t] works: running", "  [t]   halfway: 1/2", "  [t] works: success"]
    assert "  [t] skips: skipped" in shown and "    ValueError: planted failure" in shown
    assert shown[-1] == "  [t] DAG run failed"
    assert "halfway: 1/2" in log_file.read_text()  # the task log has the line too
