"""One generated data set, one CRM sandbox and three real DAG runs, shared by the e2e tests.

Runs: a first load of history for day N-1, the next day N (as a scheduler's catchup would run
it), and day N again, which must leave every table as it was and send nothing to the CRM.
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import duckdb
import pytest

from lead_scoring.crm.sandbox import start_sandbox
from lead_scoring.generate.generator import generate
from lead_scoring.generate.settings import Settings
from lead_scoring.orchestration import airflow_cli

END = date(2026, 11, 20)
DAG_ID = "lead_scoring_daily"
TOKEN_ENV = "E2E_CRM_TOKEN"


class Pipeline:
    def __init__(self, state, landing, sandbox):
        self.state = state
        self.landing = landing
        self.warehouse = state / "warehouse.duckdb"
        self.sandbox = sandbox
        self.planted = list(csv.DictReader((landing / "_generator" / "planted_leads.csv").open()))
        self.shown: list[list[str]] = []  # what dags_test showed of each run, from its events

    def env(self, warehouse=None, sandbox=None) -> dict[str, str]:
        sandbox = sandbox or self.sandbox
        connection = {"conn_type": "http", "host": sandbox.url, "password": sandbox.token}
        return airflow_cli.airflow_env(
            self.state,
            extra={
                "LEAD_SCORING_LANDING_DIR": str(self.landing),
                "LEAD_SCORING_WAREHOUSE": str(warehouse or self.warehouse),
                "AIRFLOW_CONN_CRM_DEFAULT": json.dumps(connection),
            },
        )

    def run(self, day: date, conf: dict | None = None, **kwargs) -> tuple[bool, str]:
        lines: list[str] = []
        ok, log_file = airflow_cli.dags_test(
            DAG_ID,
            day.isoformat(),
            kwargs.pop("env", None) or self.env(),
            conf=conf,
            echo=lines.append,
            **kwargs,
        )
        self.shown.append(lines)
        return ok, "\n".join(lines) + "\n--- log tail ---\n" + log_file.read_text()[-4000:]

    def query(self, sql: str, params=None, warehouse=None) -> list[tuple]:
        con = duckdb.connect(str(warehouse or self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def scores(self) -> dict[int, dict]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            cursor = con.execute("select * from marts.fct_lead_scores")
            names = [d[0] for d in cursor.description]
            return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
        finally:
            con.close()


@pytest.fixture(scope="package")
def pipeline(tmp_path_factory):
    from tests.e2e.snapshot import snapshot

    state = tmp_path_factory.mktemp("e2e")
    landing = state / "landing"
    settings = Settings(contacts=800, days=21, end_date=END, seed=7)
    generate(landing, settings)
    with start_sandbox(state / "crm.sqlite", load_landing=landing) as sandbox:
        p = Pipeline(state, landing, sandbox)
        for day, conf in [
            (END - timedelta(days=1), {"load_from": settings.start_date.isoformat()}),
            (END, None),
        ]:
            ok, output = p.run(day, conf)
            assert ok, f"DAG run for {day} failed:\n{output}"
        p.before_rerun = snapshot(p.warehouse)
        p.writes_before_rerun = sandbox.write_counts()
        ok, output = p.run(END)
        assert ok, f"re-run of {END} failed:\n{output}"
        yield p
