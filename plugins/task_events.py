"""Airflow listener plugin: task and DAG-run state changes as JSON lines.

Each change is appended to the file named by $LEAD_SCORING_EVENTS_FILE (`lead_scoring.progress.emit`),
next to the progress lines the project's own steps write there (dbt nodes, days loaded, the
sync's ETA). `lead-scoring demo`, the backfill and the end-to-end tests run the DAG through
`airflow_cli.dags_test`, which sets the variable and shows these events, so their progress does
not hang on the wording of Airflow's log. Where the variable is unset (a scheduler deployment)
the listener does nothing.

Task hooks run in the task's process (Airflow 3 calls them from the task runner); DAG-run hooks
in the process that decides the run's state (the scheduler, or `airflow dags test`).
"""

from __future__ import annotations

import traceback

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

from lead_scoring.progress import emit


def _task(task_instance) -> dict:
    return {
        "dag_id": getattr(task_instance, "dag_id", None),
        "run_id": getattr(task_instance, "run_id", None),
        "task_id": getattr(task_instance, "task_id", None),
        "map_index": getattr(task_instance, "map_index", -1),
        "try_number": getattr(task_instance, "try_number", None),
    }


def _error(error) -> dict:
    if error is None:
        return {}
    if isinstance(error, BaseException):
        lines = traceback.format_exception(error)
        text = f"{type(error).__name__}: {error}"
        return {"error": text, "traceback": "".join(lines[-12:])}
    return {"error": str(error)}


class TaskEventsListener:
    """Writes task_running / task_success / task_failed / task_skipped and dag_run_* events."""

    @hookimpl
    def on_task_instance_running(self, previous_state, task_instance):
        emit("task_running", **_task(task_instance))

    @hookimpl
    def on_task_instance_success(self, previous_state, task_instance):
        emit("task_success", **_task(task_instance))

    @hookimpl
    def on_task_instance_failed(self, previous_state, task_instance, error):
        emit("task_failed", **_task(task_instance), **_error(error))

    @hookimpl
    def on_task_instance_skipped(self, previous_state, task_instance):
        emit("task_skipped", **_task(task_instance))

    @hookimpl
    def on_dag_run_running(self, dag_run, msg):
        emit("dag_run_running", task_id=None, dag_id=dag_run.dag_id, run_id=dag_run.run_id)

    @hookimpl
    def on_dag_run_success(self, dag_run, msg):
        emit("dag_run_success", task_id=None, dag_id=dag_run.dag_id, run_id=dag_run.run_id)

    @hookimpl
    def on_dag_run_failed(self, dag_run, msg):
        emit("dag_run_failed", task_id=None, dag_id=dag_run.dag_id, run_id=dag_run.run_id, message=msg)


class TaskEventsPlugin(AirflowPlugin):
    name = "lead_scoring_task_events"
    listeners = [TaskEventsListener()]
