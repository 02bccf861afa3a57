"""Where the CRM is and which token to use, for the CLI and the Airflow hook alike.

The Airflow connection `crm_default` is the one source of truth when deployed: host is the base
URL (`https://api.hubapi.com`, or the sandbox's `http://127.0.0.1:8765`), password is the token,
extras tune the client (`requests_per_10s`, `timeout`, `max_attempts`, ...). The CLI reads the
same connection from `AIRFLOW_CONN_CRM_DEFAULT` with Airflow's own `Connection` parser (a hand-made
one once read 95 requests per 10 s where Airflow read 180), unless `LEAD_SCORING_CRM_URL` /
`LEAD_SCORING_CRM_TOKEN` (or flags) say otherwise. Both turn the connection into a client through
`crm_settings`, so they cannot disagree on its fields.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lead_scoring.crm.client import DEFAULT_REQUESTS_PER_10S, CrmAuthError, CrmClient, CrmError

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


def client_options(extra: dict, conn_id: str = DEFAULT_CONN_ID) -> dict:
    """The extras `CrmClient` takes, typed (a URI's query gives strings: `?requests_per_10s=180`)."""
    out = {}
    for name, kind in CLIENT_OPTIONS.items():
        if extra.get(name) not in (None, ""):
            try:
                out[name] = kind(extra[name])
            except (TypeError, ValueError):
                raise CrmError(
                    f"connection '{conn_id}': extra {name}={extra[name]!r} is not {kind.__name__}"
                ) from None
    return out


@dataclass(frozen=True)
class CrmSettings:
    """What a client needs from a connection; the token is left out of repr (and so of logs)."""

    conn_id: str
    url: str
    token: str | None = field(repr=False)
    options: dict[str, Any] = field(default_factory=dict)


def connection_extra(conn: Any, conn_id: str) -> dict:
    """The connection's extras as a dict: what Airflow's `extra_dejson` gives, except that extras
    that are not a JSON object fail here, naming the connection, instead of silently becoming `{}`
    (and the client falling back to its default budget)."""
    raw = getattr(conn, "extra", None)
    if not raw:
        return {}
    try:
        extra = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        raise CrmError(f"connection '{conn_id}': extra is not JSON ({exc})") from None
    if not isinstance(extra, dict):
        raise CrmError(f"connection '{conn_id}': extra must be a JSON object")
    return extra


def crm_settings(conn: Any, conn_id: str, *, default_url: str | None = None) -> CrmSettings:
    """URL, token and client options from an Airflow `Connection` (the Task SDK's or the model's):
    the one reading of the connection's fields, for the hook and the CLI alike. Without a host,
    `default_url` if given, else an error."""
    extra = connection_extra(conn, conn_id)
    if default_url is not None and not conn.host and not extra.get("base_url"):
        url = default_url
    else:
        try:
            url = base_url(conn.conn_type, conn.host, conn.port, conn.schema, extra)
        except ValueError as exc:
            raise CrmError(f"connection '{conn_id}': {exc}") from None
    token = conn.password or extra.get("token") or None
    return CrmSettings(conn_id, url, token, client_options(extra, conn_id))


@contextmanager
def _logging_kept():
    """Undo the logging set-up that importing Airflow does (a root handler on stdout, structlog
    format), so `crm-show --json` keeps a clean stdout and the CLI's messages their own form.
    A no-op when Airflow was imported already (in a task, Airflow's set-up is the one wanted)."""
    if "airflow" in sys.modules:
        yield
        return
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = [lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    disabled = {lg: lg.disabled for lg in loggers}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for lg, was in disabled.items():
            lg.disabled = was


def parse_airflow_connection(raw: str, conn_id: str = DEFAULT_CONN_ID):
    """An `AIRFLOW_CONN_*` value (URI or JSON form) as Airflow reads it: `Connection.from_json` for
    JSON, `Connection.from_uri` otherwise, as Airflow's secrets backends do. Airflow is imported
    here only (about 3 s), so CLI commands without the variable stay fast."""
    with _logging_kept():
        from airflow.sdk import Connection

    raw = raw.strip()
    try:
        if raw.startswith("{"):
            return Connection.from_json(raw, conn_id=conn_id)
        return Connection.from_uri(raw, conn_id=conn_id)
    except json.JSONDecodeError as exc:
        raise CrmError(f"AIRFLOW_CONN_{conn_id.upper()} is not valid JSON ({exc})") from None
    except Exception as exc:  # Airflow's message quotes the whole URI, token included
        raise CrmError(
            f"AIRFLOW_CONN_{conn_id.upper()} is not an Airflow connection URI or JSON ({type(exc).__name__})"
        ) from None


def airflow_connection_from_env(
    conn_id: str = DEFAULT_CONN_ID, *, default_url: str | None = None
) -> CrmSettings | None:
    """`AIRFLOW_CONN_<ID>` read with Airflow's parser, as settings; None when it is not set."""
    raw = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if not raw or not raw.strip():
        return None
    return crm_settings(parse_airflow_connection(raw, conn_id), conn_id, default_url=default_url)


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
    """A client without an Airflow task: URL from `url`, `$LEAD_SCORING_CRM_URL`, or the host of
    `AIRFLOW_CONN_<CONN_ID>` (else the local sandbox address); token from `$<token_env>` or that
    connection's password; connection extras and `overrides` tune the client."""
    conn = airflow_connection_from_env(conn_id, default_url=LOCAL_URL)
    url = url or os.environ.get(URL_ENV) or (conn.url if conn else LOCAL_URL)
    env_token = os.environ.get(token_env)
    token = env_token or (conn.token if conn else None)
    if not token:
        raise SystemExit(f"no CRM token: set ${token_env} (or AIRFLOW_CONN_{conn_id.upper()})")
    source = conn_id if conn and not env_token else f"${token_env}"
    options = {**(conn.options if conn else {}), **overrides}
    return CrmClient(url, token, connection_id=source, **options)


def client_from_settings(settings: CrmSettings, **overrides) -> CrmClient:
    """The client a connection describes; a connection without a token is refused by name."""
    if not settings.token:
        raise CrmAuthError(f"connection '{settings.conn_id}' has no password; put the CRM token there")
    return CrmClient(
        settings.url, settings.token, connection_id=settings.conn_id, **{**settings.options, **overrides}
    )


def client_from_args(args: argparse.Namespace) -> CrmClient:
    overrides = {"requests_per_10s": args.requests_per_10s} if args.requests_per_10s else {}
    return client_from_env(url=args.crm_url, token_env=args.token_env, **overrides)
