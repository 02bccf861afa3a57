"""Where the CRM is and which token to use, for the CLI and the Airflow hook alike.

The Airflow connection `crm_default` is the one source of truth when deployed: host is the base
URL (`https://api.hubapi.com`, or the sandbox's `http://127.0.0.1:8765`), password is the token,
extras tune the client (`requests_per_10s`, `timeout`, `max_attempts`, ...). The CLI reads the
same connection from `AIRFLOW_CONN_CRM_DEFAULT` without importing Airflow, unless
`LEAD_SCORING_CRM_URL` / `LEAD_SCORING_CRM_TOKEN` (or flags) say otherwise.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
from urllib.parse import unquote, urlsplit

from lead_scoring.crm.client import DEFAULT_REQUESTS_PER_10S, CrmClient

DEFAULT_CONN_ID = "crm_default"
URL_ENV = "LEAD_SCORING_CRM_URL"
TOKEN_ENV = "LEAD_SCORING_CRM_TOKEN"
LOCAL_URL = "http://127.0.0.1:8765"

# Connection extras passed on to CrmClient, with their types.
CLIENT_OPTIONS = {
    "requests_per_10s": int,
    "window_s": float,
    "timeout": float,
    "max_attempts": int,
    "max_rate_limit_retries": int,
    "backoff_base": float,
    "backoff_max": float,
    "rate_limit_backoff": float,
}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url(
    conn_type: str | None,
    host: str | None,
    port: int | None = None,
    schema: str | None = None,
    extra: dict | None = None,
) -> str:
    """The API base URL from an Airflow-style connection's fields."""
    extra = extra or {}
    if extra.get("base_url"):
        return str(extra["base_url"]).rstrip("/")
    if not host:
        raise ValueError("the CRM connection has no host (the API base URL)")
    host = host.strip().rstrip("/")
    if "://" in host:
        url = host
        if port and urlsplit(url).port is None:
            url = f"{url}:{port}"
        return url
    scheme = extra.get("scheme")
    if not scheme:
        if (conn_type or "").lower() in ("http", "https"):
            scheme = conn_type.lower()
        elif (schema or "").lower() in ("http", "https"):
            scheme = schema.lower()
        else:
            scheme = "http" if _is_loopback(host) else "https"
    return f"{scheme}://{host}{f':{port}' if port else ''}"


def client_options(extra: dict) -> dict:
    out = {}
    for name, kind in CLIENT_OPTIONS.items():
        if extra.get(name) not in (None, ""):
            out[name] = kind(extra[name])
    return out


def airflow_connection_from_env(conn_id: str = DEFAULT_CONN_ID) -> dict | None:
    """Parse `AIRFLOW_CONN_<ID>` (URI or JSON form) without importing Airflow."""
    raw = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if not raw:
        return None
    raw = raw.strip()
    if raw.startswith("{"):
        data = json.loads(raw)
        extra = data.get("extra") or {}
        if isinstance(extra, str):
            extra = json.loads(extra) if extra.strip() else {}
        return {
            "conn_type": data.get("conn_type"),
            "host": data.get("host"),
            "port": data.get("port"),
            "schema": data.get("schema"),
            "password": data.get("password"),
            "extra": extra,
        }
    parts = urlsplit(raw)
    extra = {}
    for pair in filter(None, parts.query.split("&")):
        key, _, value = pair.partition("=")
        extra[unquote(key)] = unquote(value)
    return {
        "conn_type": parts.scheme.replace("-", "_"),
        "host": unquote(parts.hostname or ""),
        "port": parts.port,
        "schema": unquote(parts.path.lstrip("/")) or None,
        "password": unquote(parts.password) if parts.password else None,
        "extra": extra,
    }


def add_client_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--crm-url",
        default=None,
        help=f"CRM API base URL (default: ${URL_ENV}, else the host of "
        f"AIRFLOW_CONN_CRM_DEFAULT, else {LOCAL_URL})",
    )
    parser.add_argument(
        "--token-env",
        default=TOKEN_ENV,
        help="environment variable holding the token (default: %(default)s; "
        "falls back to the password of AIRFLOW_CONN_CRM_DEFAULT)",
    )
    parser.add_argument(
        "--requests-per-10s",
        type=int,
        default=None,
        help=f"request budget per 10 s (default: {DEFAULT_REQUESTS_PER_10S}, or the connection's extra)",
    )


def client_from_env(
    conn_id: str = DEFAULT_CONN_ID, *, url: str | None = None, token_env: str = TOKEN_ENV, **overrides
) -> CrmClient:
    """A client without Airflow: URL from `url`, `$LEAD_SCORING_CRM_URL`, or the host of
    `AIRFLOW_CONN_<CONN_ID>` (else the local sandbox address); token from `$<token_env>` or that
    connection's password; connection extras and `overrides` tune the client."""
    conn = airflow_connection_from_env(conn_id) or {}
    extra = conn.get("extra") or {}
    url = url or os.environ.get(URL_ENV)
    if not url:
        url = (
            base_url(conn.get("conn_type"), conn.get("host"), conn.get("port"), conn.get("schema"), extra)
            if conn.get("host")
            else LOCAL_URL
        )
    token = os.environ.get(token_env) or conn.get("password")
    if not token:
        raise SystemExit(f"no CRM token: set ${token_env} (or AIRFLOW_CONN_{conn_id.upper()})")
    source = conn_id if conn and not os.environ.get(token_env) else f"${token_env}"
    return CrmClient(url, token, connection_id=source, **{**client_options(extra), **overrides})


def client_from_args(args: argparse.Namespace) -> CrmClient:
    overrides = {"requests_per_10s": args.requests_per_10s} if args.requests_per_10s else {}
    return client_from_env(url=args.crm_url, token_env=args.token_env, **overrides)
