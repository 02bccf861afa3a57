"""The Airflow hook reads connection `crm_default` and hands out a working client."""

from __future__ import annotations

import importlib
import json

import pytest

from lead_scoring.crm.client import CrmAuthError, CrmClient
from lead_scoring.crm.connection import airflow_connection_from_env, base_url

from .conftest import TOKEN


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


def test_connection_env_parsing(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_CRM_DEFAULT", "http://:s%40cret@127.0.0.1:8765/?timeout=5")
    conn = airflow_connection_from_env()
    assert conn["host"] == "127.0.0.1" and conn["port"] == 8765
    assert conn["password"] == "s@cret" and conn["extra"] == {"timeout": "5"}
    monkeypatch.setenv(
        "AIRFLOW_CONN_CRM_DEFAULT",
        json.dumps(
            {
                "conn_type": "http",
                "host": "https://api.hubapi.com",
                "password": "pat",
                "extra": {"requests_per_10s": 150},
            }
        ),
    )
    conn = airflow_connection_from_env()
    assert conn["host"] == "https://api.hubapi.com" and conn["extra"]["requests_per_10s"] == 150


@pytest.fixture
def hook_module(monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    return importlib.import_module("lead_scoring.crm.hook")


def test_hook_builds_a_client_from_crm_default(monkeypatch, sandbox, hook_module):
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
    hook = hook_module.CrmHook()
    client = hook.get_conn()
    assert isinstance(client, CrmClient)
    assert client.base_url == sandbox.url and client.connection_id == "crm_default"
    assert client.pacer.budget == 50 and client.timeout == 7.0
    assert hook.test_connection() == (True, f"connected to {sandbox.url}")
    assert hook.get_conn() is client

    monkeypatch.setenv("AIRFLOW_CONN_CRM_OTHER", f"http://:wrong@127.0.0.1:{sandbox.port}")
    ok, message = hook_module.CrmHook("crm_other").test_connection()
    assert not ok and "crm_other" in message and "401" in message and "wrong" not in message

    monkeypatch.setenv("AIRFLOW_CONN_CRM_EMPTY", f"http://127.0.0.1:{sandbox.port}")
    with pytest.raises(CrmAuthError, match="crm_empty"):
        hook_module.CrmHook("crm_empty").get_conn()
