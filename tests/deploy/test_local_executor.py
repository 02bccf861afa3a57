"""The daily DAG run as a deployment runs it, not through `airflow dags test`.

The scheduler (LocalExecutor), the dag-processor and the api-server run as separate processes on
PostgreSQL metadata, as in docker-compose.yml. The run is triggered through the api-server's REST
API (v2, with a JWT from the SimpleAuthManager) and must succeed within a time limit.
Every secret (JWT secret, API secret key, UI password, CRM token) is generated here, shows as '***'
in tracebacks, and must not appear in any log.

Catchup: the DAG runs `@daily` with catchup from `LEAD_SCORING_START_DATE`. The test sets it to
the moment the test starts, as a new deployment sets its go-live time, and loads the landed history
with one manual run at that moment (`load_from`): unpausing schedules nothing before the next
midnight (UTC), and the test checks that no catchup run was created. The run cannot be dated before
the start date: Airflow creates no task instances for such a run, which then "succeeds" empty.
"""

from __future__ import annotations

import json
import secrets
import socket
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
import pytest

from lead_scoring.crm.client import CrmClient
from lead_scoring.crm.sandbox import start_sandbox
from lead_scoring.generate.generator import generate
from lead_scoring.generate.settings import Settings
from lead_scoring.orchestration import airflow_cli

pytestmark = pytest.mark.e2e

DAG_ID = "lead_scoring_daily"
# The scheduler's log server would bind a fixed port (8793) on every interface; the api-server
# reads the task logs from the shared local folder instead.
COMPONENTS = [["scheduler", "--skip-serve-logs"], ["dag-processor"], ["api-server"]]
STARTUP_LIMIT_S = 120
RUN_LIMIT_S = 600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError as exc:
        return f"({exc})"


class Api:
    """The api-server's public REST API (v2) with a bearer token from the SimpleAuthManager."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url, timeout=30)

    def login(self, username: str, password: str) -> None:
        response = self.http.post("/auth/token", json={"username": username, "password": password})
        assert response.status_code == 201, f"login failed: HTTP {response.status_code}"
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs) -> dict:
        response = self.http.request(method, f"/api/v2{path}", **kwargs)
        assert response.is_success, f"{method} {path}: HTTP {response.status_code} {response.text[:500]}"
        return response.json()

    def task_states(self, run_id: str) -> dict[str, str | None]:
        body = self.call("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances")
        return {ti["task_id"]: ti["state"] for ti in body["task_instances"]}


class Deployment:
    def __init__(self, root: Path, env: dict[str, str], processes: dict):
        self.root, self.env, self.processes = root, env, processes
        self.started = time.monotonic()

    def elapsed(self) -> str:
        return f"[{time.monotonic() - self.started:5.0f} s]"

    def check_alive(self) -> None:
        dead = {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}
        assert not dead, f"Airflow components exited: {dead}\n{self.diagnostics()}"

    def diagnostics(self, api: Api | None = None, run_id: str | None = None) -> str:
        """Task states, the tails of the component logs and of the task logs."""
        parts = []
        if api and run_id:
            try:
                parts.append(f"task states: {api.task_states(run_id)}")
            except Exception as exc:  # noqa: BLE001 - diagnostics must not hide the failure
                parts.append(f"task states unavailable: {exc}")
        for name in self.processes:
            parts.append(f"--- {name}.log (tail) ---\n{_tail(self.root / 'components' / f'{name}.log')}")
        parts.append(f"--- cli.log (tail) ---\n{_tail(Path(self.env['AIRFLOW_HOME']) / 'cli.log')}")
        task_logs = sorted(
            Path(self.env["AIRFLOW__LOGGING__BASE_LOG_FOLDER"]).rglob("attempt=*.log"),
            key=lambda p: p.stat().st_mtime,
        )
        for log in task_logs[-3:]:
            parts.append(f"--- task log {log.relative_to(log.parents[3])} (tail) ---\n{_tail(log)}")
        return "\n".join(parts)

    def wait_until(self, what: str, ready, limit_s: float, api=None, run_id=None, every_s: float = 1.0):
        deadline = time.monotonic() + limit_s
        while True:
            self.check_alive()
            try:
                if result := ready():
                    return result
            except httpx.TransportError:
                pass  # the api-server is not listening yet
            assert time.monotonic() < deadline, (
                f"{what}: not within {limit_s} s\n{self.diagnostics(api, run_id)}"
            )
            time.sleep(every_s)


def _run_dag(
    deployment: Deployment, api: Api, admin_password: str, logical_date: datetime, load_from: date
) -> dict:
    def api_healthy():
        response = api.http.get("/api/v2/monitor/health")
        body = response.json() if response.is_success else {}
        return all(
            body.get(part, {}).get("status") == "healthy"
            for part in ("metadatabase", "scheduler", "dag_processor")
        )

    deployment.wait_until("api-server, scheduler and dag-processor healthy", api_healthy, STARTUP_LIMIT_S)
    print(f"{deployment.elapsed()} components healthy")
    api.login("admin", admin_password)

    def dag_parsed():
        response = api.http.get(f"/api/v2/dags/{DAG_ID}")
        return response.is_success and response.json()

    dag = deployment.wait_until(f"dag-processor parsed {DAG_ID}", dag_parsed, STARTUP_LIMIT_S)
    assert not dag["has_import_errors"], api.call("GET", "/importErrors")
    print(f"{deployment.elapsed()} {DAG_ID} parsed (paused: {dag['is_paused']})")
    api.call("PATCH", f"/dags/{DAG_ID}", json={"is_paused": False})

    run = api.call(
        "POST",
        f"/dags/{DAG_ID}/dagRuns",
        json={
            "logical_date": logical_date.isoformat(),
            "conf": {"load_from": load_from.isoformat()},
        },
    )
    run_id = run["dag_run_id"]
    print(f"{deployment.elapsed()} triggered {run_id} through the REST API")

    last: dict = {}

    def run_finished():
        state = api.call("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}")["state"]
        tasks = api.task_states(run_id)
        for task_id, task_state in tasks.items():
            if last.get(task_id) != task_state:
                print(f"{deployment.elapsed()} {task_id}: {task_state}")
        last.update(tasks)
        return state if state in ("success", "failed") else None

    # Every 2 s: each poll costs the api-server CPU the tasks need on a small machine.
    state = deployment.wait_until(f"run {run_id} finished", run_finished, RUN_LIMIT_S, api, run_id, every_s=2)
    print(f"{deployment.elapsed()} DAG run {state}")
    return {
        "run_id": run_id,
        "state": state,
        "conf": run["conf"],
        "tasks": api.task_states(run_id),
        "runs": api.call("GET", f"/dags/{DAG_ID}/dagRuns")["dag_runs"],
        "diagnostics": "" if state == "success" else deployment.diagnostics(api, run_id),
    }


@pytest.fixture(scope="module")
def deployed_run(tmp_path_factory, postgres_server):
    """Generate data, start the CRM sandbox and Airflow's components, run the DAG once; stop all."""
    root = tmp_path_factory.mktemp("local-executor")
    state, landing = root / "state", root / "state" / "landing"
    go_live = datetime.now(UTC).replace(microsecond=0)
    settings = Settings(contacts=250, days=5, end_date=go_live.date(), seed=11)
    generate(landing, settings)
    database = postgres_server.create_database("airflow_local_executor")
    generated = {
        name: airflow_cli.Secret(secrets.token_urlsafe(32))
        for name in ("admin password", "JWT secret", "API secret key", "CRM token")
    }
    admin_password = generated["admin password"]
    api_port = _free_port()

    with start_sandbox(root / "crm.sqlite", token=generated["CRM token"], load_landing=landing) as sandbox:
        connection = {"conn_type": "http", "host": sandbox.url, "password": sandbox.token}
        env = airflow_cli.local_executor_env(
            state,
            postgres_server.url(database),
            api_port,
            jwt_secret=generated["JWT secret"],
            api_secret_key=generated["API secret key"],
            extra={
                "LEAD_SCORING_LANDING_DIR": str(landing),
                "LEAD_SCORING_WAREHOUSE": str(state / "warehouse.duckdb"),
                "LEAD_SCORING_TARGET": "duckdb",
                "LEAD_SCORING_CRM_SOURCE": "exports",
                "LEAD_SCORING_START_DATE": go_live.isoformat(),  # the DAG reads it at parse time
                "AIRFLOW_CONN_CRM_DEFAULT": json.dumps(connection),
            },
        )
        started = time.monotonic()
        airflow_cli.migrate(env)
        airflow_cli.write_admin_password(env, admin_password)
        print(f"[{time.monotonic() - started:5.0f} s] metadata migrated, pool created")
        with airflow_cli.running_components(COMPONENTS, env, root / "components") as processes:
            deployment = Deployment(root, env, processes)
            deployment.started = started
            api = Api(f"http://127.0.0.1:{api_port}")
            try:
                result = _run_dag(deployment, api, admin_password, go_live, settings.start_date)
            finally:
                api.http.close()
        print(f"[{time.monotonic() - started:5.0f} s] components stopped")
        result.update(
            warehouse=state / "warehouse.duckdb",
            sandbox=sandbox,
            go_live=go_live,
            settings=settings,
            processes=processes,
            root=root,
            generated=generated,
        )
        yield result


def test_the_run_triggered_through_the_api_succeeds(deployed_run):
    assert deployed_run["state"] == "success", deployed_run["diagnostics"]
    assert deployed_run["conf"] == {"load_from": deployed_run["settings"].start_date.isoformat()}
    tasks = deployed_run["tasks"]
    assert set(tasks) == {
        "extract_from_crm",
        "ingest",
        "source_freshness",
        "dbt_build",
        "quality_gate",
        "publish",
        "sync_to_crm",
    }
    assert set(tasks.values()) == {"success"}, tasks


def test_unpausing_schedules_no_catchup_run(deployed_run):
    """Only our run; a scheduled one can appear only if the test crossed midnight (UTC)."""
    next_midnight = datetime.combine(
        deployed_run["go_live"].date() + timedelta(days=1), datetime.min.time(), UTC
    )
    others = [
        (r["dag_run_id"], r["logical_date"])
        for r in deployed_run["runs"]
        if r["dag_run_id"] != deployed_run["run_id"]
        and datetime.fromisoformat(r["logical_date"]) < next_midnight
    ]
    assert others == []
    assert [r["run_type"] for r in deployed_run["runs"] if r["dag_run_id"] == deployed_run["run_id"]] == [
        "manual"
    ]


def test_every_component_was_stopped(deployed_run):
    for name, process in deployed_run["processes"].items():
        assert process.returncode is not None, name
        assert airflow_cli.session_members(process.pid) == [], f"{name} left processes behind"


def test_the_warehouse_scored_the_generated_contacts(deployed_run):
    con = duckdb.connect(str(deployed_run["warehouse"]), read_only=True)
    try:
        count, distinct, bad = con.execute(
            "select count(*), count(distinct contact_id), "
            "count(*) filter (where lead_score not between 0 and 100) from marts.fct_lead_scores"
        ).fetchone()
    finally:
        con.close()
    assert count == distinct == deployed_run["settings"].contacts
    assert bad == 0


def test_the_crm_holds_the_scores(deployed_run):
    con = duckdb.connect(str(deployed_run["warehouse"]), read_only=True)
    try:
        scores = {
            row[0]: row[1:]
            for row in con.execute(
                "select contact_id, lead_score, tier, grade from marts.fct_lead_scores"
            ).fetchall()
        }
    finally:
        con.close()
    sandbox = deployed_run["sandbox"]
    held = {
        int(r["id"]): r["properties"]
        for r in CrmClient(sandbox.url, sandbox.token).iter_objects(
            "contacts", ["lead_score", "lead_tier", "lead_grade"]
        )
    }
    assert scores
    for contact_id, (score, tier, grade) in scores.items():
        crm = held[contact_id]
        assert float(crm["lead_score"]) == score, contact_id
        assert (crm["lead_tier"], crm["lead_grade"]) == (tier, grade), contact_id


def test_no_generated_secret_reaches_a_log(deployed_run):
    """Component, CLI and task logs: Airflow masks the connection password; nothing prints the rest."""
    logs = [p for p in deployed_run["root"].rglob("*.log") if p.is_file()]
    assert any("scheduler" in p.name for p in logs) and any("attempt=" in p.name for p in logs)
    for log in logs:
        text = log.read_text(errors="replace")
        leaked = [name for name, value in deployed_run["generated"].items() if value in text]
        assert leaked == [], f"{', '.join(leaked)} in {log}"
