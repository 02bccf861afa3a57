"""Run the project's DAGs through the real Airflow CLI on the embedded default.

Airflow keeps its SQLite metadata in `<state>/airflow`; the DAGs and plugins are read from the
checkout. Used by `lead-scoring demo` and the end-to-end tests, so both exercise what a scheduler
would run, not a shortcut.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from lead_scoring import paths
from lead_scoring.progress import EVENTS_FILE_ENV, EventTail

WAREHOUSE_POOL = "warehouse_writer"


def airflow_env(state_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for an Airflow CLI process whose metadata lives under `state_dir`."""
    home = state_dir / "airflow"
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(paths.DAGS_DIR),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(paths.PLUGINS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "LEAD_SCORING_STATE_DIR": str(state_dir),
            "LEAD_SCORING_LANDING_DIR": os.environ.get(
                "LEAD_SCORING_LANDING_DIR", str(state_dir / "landing")
            ),
            "LEAD_SCORING_WAREHOUSE": os.environ.get(
                "LEAD_SCORING_WAREHOUSE", str(state_dir / "warehouse.duckdb")
            ),
            "GX_ANALYTICS_ENABLED": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DO_NOT_TRACK": "1",
            "LEAD_SCORING_TASK_RETRIES": os.environ.get("LEAD_SCORING_TASK_RETRIES", "0"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    env.update(extra or {})
    return env


def _airflow(args: list[str], env: dict[str, str], log_file: Path) -> None:
    with log_file.open("a", encoding="utf-8") as log:
        log.write(f"\n$ airflow {' '.join(args)}\n")
        log.flush()
        done = subprocess.run(
            [str(Path(sys.executable).parent / "airflow"), *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode:
        raise RuntimeError(f"`airflow {' '.join(args)}` failed; see {log_file}")


def prepare(env: dict[str, str]) -> Path:
    """Migrate the metadata database once and create the warehouse pool; returns the log file."""
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log_file = home / "cli.log"
    stamp = home / ".migrated"
    if not stamp.exists():
        _airflow(["db", "migrate"], env, log_file)
        _airflow(["pools", "set", WAREHOUSE_POOL, "1", "DuckDB file: one writer at a time"], env, log_file)
        stamp.touch()
    return log_file


def dags_test(
    dag_id: str,
    logical_date: str,
    env: dict[str, str],
    conf: dict | None = None,
    echo=print,
    mark_success: str | None = None,
) -> tuple[bool, Path]:
    """`airflow dags test`: one real DAG run. Shows its progress as it goes; returns (ok, log).

    The progress comes from events, not from Airflow's log text (which goes to the log file):
    the listener plugin `plugins/task_events.py` writes task and DAG-run state changes, and the
    project's steps their progress lines, to a JSON-lines file named by $LEAD_SCORING_EVENTS_FILE.
    `mark_success` is a regex of task ids Airflow marks successful without running them.
    """
    log_file = prepare(env)
    args = [str(Path(sys.executable).parent / "airflow"), "dags", "test", dag_id, logical_date]
    if conf:
        args += ["--conf", json.dumps(conf)]
    if mark_success:
        args += ["--mark-success-pattern", mark_success]
    events_dir = Path(env["AIRFLOW_HOME"]) / "events"
    events_dir.mkdir(parents=True, exist_ok=True)
    events_file = events_dir / f"{dag_id}-{logical_date}-{uuid.uuid4().hex[:8]}.jsonl"
    run_env = {**env, EVENTS_FILE_ENV: str(events_file)}
    tail, show = EventTail(events_file), RunProgress(echo)
    with log_file.open("a", encoding="utf-8") as log:
        log.write(f"\n$ {' '.join(args)}\n# events: {events_file}\n")
        log.flush()
        process = subprocess.Popen(args, env=run_env, stdout=log, stderr=subprocess.STDOUT)
        while True:
            code = process.poll()
            for event in tail.read():
                show(event)
            if code is not None:
                break
            time.sleep(0.2)
    if not show.tasks:
        echo(
            f"  no task events came from the listener plugin (plugins/task_events.py, {events_file}): "
            f"see `airflow plugins` and {log_file}"
        )
    return code == 0, log_file


class RunProgress:
    """Turns a DAG run's events into lines: task states, and the steps' progress lines.

    Routine lines (a dbt test, seed or exposure that passed; a day loaded without quarantined
    rows) are shown only when nothing was shown for `quiet_s` seconds, as a sign of life; the
    first and last of a series, every dbt model, and everything that did not go well always are.
    """

    QUIET_DBT = {"test", "unit_test", "seed", "exposure", "source", "analysis"}

    def __init__(self, echo=print, quiet_s: float = 5.0, started: float | None = None):
        self.echo = echo
        self.quiet_s = quiet_s
        self.started = self.last_shown = time.time() if started is None else started
        self.tasks: dict[str, float] = {}  # task id -> when it started running

    def __call__(self, event: dict) -> None:
        kind, task = event.get("event"), event.get("task_id")
        ts = float(event.get("ts") or time.time())
        stamp = f"[{ts - self.started:5.0f} s]"
        if kind == "task_running":
            self.tasks[task] = ts
            self._echo(ts, f"  {stamp} {task}: running")
        elif kind in ("task_success", "task_skipped", "task_failed"):
            state = kind.removeprefix("task_")
            took = f" ({ts - self.tasks[task]:.1f} s)" if task in self.tasks else ""
            self._echo(ts, f"  {stamp} {task}: {state}{took}")
            if event.get("error"):
                self.echo(f"    {event['error']}")
            if event.get("traceback"):
                self.echo("    " + event["traceback"].rstrip().replace("\n", "\n    "))
        elif kind in ("dag_run_success", "dag_run_failed"):
            self._echo(ts, f"  {stamp} DAG run {kind.removeprefix('dag_run_')}")
        elif kind == "progress" and (not self._routine(event) or ts - self.last_shown >= self.quiet_s):
            self._echo(ts, f"  {stamp}   {event.get('message', '')}")

    def _echo(self, ts: float, line: str) -> None:
        self.last_shown = ts
        self.echo(line)

    def _routine(self, event: dict) -> bool:
        if event.get("level", "info") != "info" or event.get("summary"):
            return False
        if event.get("source") == "dbt":
            return event.get("resource_type") in self.QUIET_DBT
        if event.get("source") == "ingest" and "index" in event:
            return not event.get("quarantined") and 1 < event["index"] < event["total"]
        return False


# -- Airflow as a deployment runs it: Postgres metadata, LocalExecutor, components as processes --


def local_executor_env(
    state_dir: Path,
    metadata_url: str,
    api_port: int,
    jwt_secret: str,
    api_secret_key: str,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """`airflow_env` for the scheduler / dag-processor / api-server setup of docker-compose.yml.

    The secrets are parameters, never defaults: every component must share the JWT secret (the
    scheduler signs the tokens that tasks present to the api-server's Execution API), and each
    deployment (or test) generates its own. The api-server binds loopback only.
    """
    home = state_dir / "airflow"
    base_url = f"http://127.0.0.1:{api_port}"
    settings = {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "2",  # the one-slot pool serialises the tasks anyway
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "simple_auth_manager_passwords.json"),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base_url}/execution/",
        "AIRFLOW__API__BASE_URL": base_url,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__SECRET_KEY": api_secret_key,
        "AIRFLOW__API_AUTH__JWT_SECRET": jwt_secret,
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",  # no fixed port 8974 to collide on
    }
    return SecretEnv(airflow_env(state_dir, extra={**settings, **(extra or {})}))


class SecretEnv(dict):
    """An environment that holds secrets: its repr (tracebacks, pytest's frame dumps) shows no value."""

    def __repr__(self) -> str:
        return f"SecretEnv({len(self)} variables, values hidden)"


class Secret(str):
    """A secret string: used as its value, shown as '***' by repr (tracebacks, pytest's frame dumps)."""

    def __repr__(self) -> str:
        return "'***'"


def write_admin_password(env: dict[str, str], password: str) -> None:
    """Give the SimpleAuthManager user `admin` a known password, as docker/airflow-init.sh does.

    Written before the api-server starts, so it does not generate one and print it in its log.
    """
    path = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(json.dumps({"admin": password}) + "\n")


def migrate(env: dict[str, str]) -> Path:
    """`airflow db migrate` and the warehouse pool on the metadata database `env` points at.

    Unlike `prepare`, no stamp file: a server database is migrated every time (it is idempotent),
    as the compose stack's init step does. Returns the CLI log file.
    """
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log_file = home / "cli.log"
    _airflow(["db", "migrate"], env, log_file)
    _airflow(["pools", "set", WAREHOUSE_POOL, "1", "DuckDB file: one writer at a time"], env, log_file)
    return log_file


def session_members(session_id: int) -> list[int]:
    """Pids in session `session_id`: a component's whole tree, orphans and task process groups too."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session_id:  # after "pid (comm)": state, ppid, pgrp, session
            members.append(int(stat.parent.name))
    return members


def _signal_tree(process: subprocess.Popen, sig: int) -> None:
    import psutil

    pids: set[int] = set()
    if process.poll() is None:  # once reaped, its pid may belong to someone else
        pids.add(process.pid)
        try:
            pids.update(child.pid for child in psutil.Process(process.pid).children(recursive=True))
        except psutil.NoSuchProcess:
            pass
    if sys.platform.startswith("linux"):
        pids.update(session_members(process.pid))
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def stop_process_trees(processes: list[subprocess.Popen], timeout_s: float = 20.0) -> None:
    """SIGTERM components started in sessions of their own and all under them; SIGKILL what stays.

    Signals go by pid to each component's descendants and session members, not only to its
    process group: Airflow puts each task runner in a process group of its own.
    """
    import signal

    for process in processes:
        if process.poll() is None:
            _signal_tree(process, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for process in processes:
        _signal_tree(process, signal.SIGKILL)  # leftovers (task runners, workers), the leader if alive
        process.wait()


@contextlib.contextmanager
def running_components(
    components: list[list[str]], env: dict[str, str], log_dir: Path, stop_timeout_s: float = 20.0
):
    """Start `airflow <args>` for each argument list as a real process; stop them all on exit.

    Each runs in its own session (so stopping it reaches every process it started) with its
    output in `<log_dir>/<args[0]>.log`. Yields {args[0]: Popen}, e.g. {"scheduler": ...}.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    processes: dict[str, subprocess.Popen] = {}
    try:
        for args in components:
            with (log_dir / f"{args[0]}.log").open("ab") as log:
                processes[args[0]] = subprocess.Popen(
                    [str(Path(sys.executable).parent / "airflow"), *args],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        yield processes
    finally:
        stop_process_trees(list(processes.values()), stop_timeout_s)
