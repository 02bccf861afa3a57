"""What `dags_test` shows of a run's events: every state change, routine lines only as a sign of life."""

from __future__ import annotations

from lead_scoring.orchestration.airflow_cli import RunProgress

T0 = 1_000.0


def shown(events: list[dict]) -> list[str]:
    lines: list[str] = []
    show = RunProgress(lines.append, quiet_s=5, started=T0)
    for event in events:
        show(event)
    return lines


def day(i: int, ts: float, quarantined: int = 0) -> dict:
    return {
        "event": "progress",
        "ts": ts,
        "source": "ingest",
        "level": "info",
        "index": i,
        "total": 9,
        "quarantined": quarantined,
        "message": f"ingest [{i}/9]",
    }


def dbt(kind: str, name: str, ts: float, status: str = "pass", level: str = "info") -> dict:
    return {
        "event": "progress",
        "ts": ts,
        "source": "dbt",
        "level": level,
        "resource_type": kind,
        "status": status,
        "message": f"dbt {kind} {name} {status}",
    }


def test_days_show_the_first_the_last_the_quarantined_and_one_per_quiet_spell():
    events = [day(1, T0 + 1), day(2, T0 + 2), day(3, T0 + 3, quarantined=2), day(4, T0 + 4)]
    events += [day(5, T0 + 8.6), day(6, T0 + 9), day(7, T0 + 14), day(8, T0 + 14.5), day(9, T0 + 15)]
    assert shown(events) == [
        "  [    1 s]   ingest [1/9]",
        "  [    3 s]   ingest [3/9]",
        "  [    9 s]   ingest [5/9]",  # 5.6 s after the last line shown
        "  [   14 s]   ingest [7/9]",
        "  [   15 s]   ingest [9/9]",
    ]


def test_dbt_shows_models_and_trouble_and_counts_passing_tests():
    events = [
        {"event": "task_running", "ts": T0, "task_id": "dbt_build"},
        dbt("seed", "rules", T0 + 1, "success"),
        dbt("test", "unique_id", T0 + 2),
        dbt("model", "int_fit_points", T0 + 3, "success"),
        dbt("test", "not_null_email", T0 + 4, "fail", level="warning"),
        dbt("test", "accepted_tier", T0 + 9),  # 5 s of quiet: shown
        {
            "event": "progress",
            "ts": T0 + 10,
            "source": "dbt",
            "level": "info",
            "summary": True,
            "message": "sum",
        },
        {"event": "task_failed", "ts": T0 + 11, "task_id": "dbt_build", "error": "DbtRunError: 1 failed"},
        {"event": "dag_run_failed", "ts": T0 + 12, "task_id": None},
    ]
    assert shown(events) == [
        "  [    0 s] dbt_build: running",
        "  [    3 s]   dbt model int_fit_points success",
        "  [    4 s]   dbt test not_null_email fail",
        "  [    9 s]   dbt test accepted_tier pass",
        "  [   10 s]   sum",
        "  [   11 s] dbt_build: failed (11.0 s)",
        "    DbtRunError: 1 failed",
        "  [   12 s] DAG run failed",
    ]
