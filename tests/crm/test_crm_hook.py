"""The Airflow hook and the CLI read connection `crm_default` alike, with Airflow's own parser."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from airflow.models.connection import Connection as CoreConnection
from airflow.sdk import Connection
from airflow.sdk.bases.hook import BaseHook

from lead_scoring.cli import main
from lead_scoring.crm.client import CrmAuthError, CrmClient, CrmError
from lead_scoring.crm.connection import (
    airflow_connection_from_env,
    base_url,
    client_from_env,
    crm_settings,
    parse_airflow_connection,
)
from lead_scoring.crm.hook import CrmHook

from .conftest import TOKEN


@pytest.fixture(autouse=True)
def _airflow_env(monkeypatch, tmp_path):
    """Airflow's home in the test's folder; no CLI override hides the connection."""
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    for name in ("LEAD_SCORING_CRM_URL", "LEAD_SCORING_CRM_TOKEN", "AIRFLOW_CONN_CRM_DEFAULT"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("conn_type", "host", "port", "schema", "extra", "expected"),
    [
        ("http", "https://api.hubapi.com", None, None, {}, "https://api.hubapi.com"),
        ("http", "http://127.0.0.1", 8765, None, {}, "http://127.0.0.1:8765"),
        ("http", "127.0.0.1", 8765, "", {}, "http://127.0.0.1:8765"),
        ("https", "api.hubapi.com", None, None, {}, "https://api.hubapi.com"),
        ("hubspot", "api.hubapi.com", None, None, {}, "https://api.hubapi.com"),
        ("generic", "localhost", 9000, None, {}, "http://localhost:9000"),
        ("generic", "x", None, None, {"base_url": "http://127.0.0.1:1/"}, "http://127.0.0.1:1"),
    ],
)
def test_base_url_from_connection_fields(conn_type, host, port, schema, extra, expected):
    assert base_url(conn_type, host, port, schema, extra) == expected


def connection_forms(sandbox) -> dict[str, str]:
    """One connection (180 requests per 10 s, timeout 7 s) written the ways Airflow accepts."""
    extra = {"requests_per_10s": 180, "timeout": 7}
    conn = Connection(
        conn_id="crm_default", conn_type="http", host=sandbox.url, password=TOKEN, extra=json.dumps(extra)
    )
    return {
        # What `airflow connections get --output uri` prints: numbers do not survive a query
        # string, so the extras go in `__extra__` as JSON. The hand-made parser read none of them.
        "uri with __extra__": conn.get_uri(),
        "uri with query extras": (
            f"http://:{quote(TOKEN)}@127.0.0.1:{sandbox.port}/?requests_per_10s=180&timeout=7"
        ),
        "json": json.dumps({"conn_type": "http", "host": sandbox.url, "password": TOKEN, "extra": extra}),
    }


@pytest.mark.parametrize("form", ["uri with __extra__", "uri with query extras", "json"])
def test_cli_and_airflow_read_the_same_connection(monkeypatch, sandbox, form):
    raw = connection_forms(sandbox)[form]
    if form == "uri with __extra__":
        assert "__extra__=" in raw
    monkeypatch.setenv("AIRFLOW_CONN_CRM_DEFAULT", raw)

    airflow_conn = BaseHook.get_connection("crm_default")  # Airflow's secrets backends
    assert int(airflow_conn.extra_dejson["requests_per_10s"]) == 180
    # A deployed task gets the connection from the API server, which parses it with the core
    # model (it types query extras itself: 180, where the Task SDK gives "180").
    core = (
        CoreConnection.from_json(raw, "crm_default")
        if form == "json"
        else CoreConnection("crm_default", uri=raw)
    )
    assert crm_settings(core, "crm_default") == airflow_connection_from_env()

    cli_client = client_from_env()
    hook_client = CrmHook().get_conn()
    assert cli_client.pacer.budget == hook_client.pacer.budget == 180
    assert cli_client.timeout == hook_client.timeout == 7.0
    assert cli_client.base_url == hook_client.base_url == sandbox.url
    assert cli_client.connection_id == hook_client.connection_id == "crm_default"
    # and it reaches the CRM with the connection's token
    assert next(iter(cli_client.iter_objects("contacts", ["email"], page_size=1)), None) is None


def test_cli_overrides_keep_the_connection_extras(monkeypatch, sandbox):
    monkeypatch.setenv("AIRFLOW_CONN_CRM_DEFAULT", connection_forms(sandbox)["uri with __extra__"])
    monkeypatch.setenv("LEAD_SCORING_CRM_URL", "http://127.0.0.1:1")
    client = client_from_env(requests_per_10s=50)
    assert client.base_url == "http://127.0.0.1:1" and client.pacer.budget == 50 and client.timeout == 7.0
    monkeypatch.setenv("AIRFLOW_CONN_CRM_DEFAULT", f"http://:{TOKEN}@/?timeout=3")  # no host
    monkeypatch.delenv("LEAD_SCORING_CRM_URL")
    assert client_from_env().base_url == "http://127.0.0.1:8765"


def test_the_token_stays_out_of_reprs_logs_and_errors(monkeypatch, sandbox, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("AIRFLOW_CONN_CRM_DEFAULT", connection_forms(sandbox)["uri with __extra__"])
    settings = airflow_connection_from_env()
    assert settings.token == TOKEN and TOKEN not in repr(settings)
    hook = CrmHook()
    assert TOKEN not in repr(hook.get_conn()) and TOKEN not in repr(client_from_env())
    assert hook.test_connection()[0]
    assert main(["crm-show", "--top", "1"]) == 0

    # A URI Airflow refuses: its own message quotes the whole URI; ours names the variable only.
    bad = f"http://:{TOKEN}@https://127.0.0.1:{sandbox.port}"
    with pytest.raises(CrmError, match="AIRFLOW_CONN_CRM_DEFAULT") as refused:
        parse_airflow_connection(bad)
    assert TOKEN not in str(refused.value)
    monkeypatch.setenv("AIRFLOW_CONN_CRM_DEFAULT", bad)
    assert main(["crm-show"]) == 1

    out = capsys.readouterr()
    assert "AIRFLOW_CONN_CRM_DEFAULT is not an Airflow connection" in out.err
    for text in (out.out, out.err, caplog.text):
        assert TOKEN not in text


def test_bad_extras_fail_by_name_instead_of_falling_back_to_defaults(monkeypatch, sandbox):
    monkeypatch.setenv("AIRFLOW_CONN_CRM_DEFAULT", f"http://:{TOKEN}@127.0.0.1:{sandbox.port}/?__extra__=180")
    with pytest.raises(CrmError, match="crm_default.*JSON object"):
        client_from_env()
    monkeypatch.setenv(
        "AIRFLOW_CONN_CRM_DEFAULT", f"http://:{TOKEN}@127.0.0.1:{sandbox.port}/?requests_per_10s=lots"
    )
    with pytest.raises(CrmError, match="requests_per_10s='lots' is not int"):
        CrmHook().get_conn()


def test_hook_builds_a_client_from_crm_default(monkeypatch, sandbox):
    monkeypatch.setenv(
        "AIRFLOW_CONN_CRM_DEFAULT",
        json.dumps(
            {
                "conn_type": "http",
                "host": sandbox.url,
                "password": TOKEN,
                "extra": {"requests_per_10s": 50, "timeout": 7},
            }
        ),
    )
    hook = CrmHook()
    client = hook.get_conn()
    assert isinstance(client, CrmClient)
    assert client.base_url == sandbox.url and client.connection_id == "crm_default"
    assert client.pacer.budget == 50 and client.timeout == 7.0
    assert hook.test_connection() == (True, f"connected to {sandbox.url}")
    assert hook.get_conn() is client

    monkeypatch.setenv("AIRFLOW_CONN_CRM_OTHER", f"http://:wrong@127.0.0.1:{sandbox.port}")
    ok, message = CrmHook("crm_other").test_connection()
    assert not ok and "crm_other" in message and "401" in message and "wrong" not in message

    monkeypatch.setenv("AIRFLOW_CONN_CRM_EMPTY", f"http://127.0.0.1:{sandbox.port}")
    with pytest.raises(CrmAuthError, match="crm_empty"):
        CrmHook("crm_empty").get_conn()


def test_reading_the_connection_leaves_the_cli_output_alone(sandbox, tmp_path):
    """Importing Airflow sets up its own logging (a handler on stdout); the CLI undoes that, so a
    retry warning goes to stderr and `crm-show --json` prints JSON only."""
    sandbox.script({"status": 500, "body": {"message": "try again"}})
    extra = {"backoff_base": 0.01, "backoff_max": 0.02}
    conn = {"conn_type": "http", "host": sandbox.url, "password": TOKEN, "extra": extra}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEAD_SCORING_CRM_", "AIRFLOW_"))}
    env.update(AIRFLOW_CONN_CRM_DEFAULT=json.dumps(conn), AIRFLOW_HOME=str(tmp_path / "airflow"))
    done = subprocess.run(
        [sys.executable, "-m", "lead_scoring.cli", "crm-show", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["scored"] == 0
    assert "retrying" in done.stderr and TOKEN not in done.stderr + done.stdout
