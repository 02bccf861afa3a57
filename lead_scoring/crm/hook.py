"""Airflow hook for the CRM (HubSpot CRM v3, or the local sandbox).

Connection `crm_default` (override with `crm_conn_id`):

- host: the API base URL, `https://api.hubapi.com` or `http://127.0.0.1:8765` for the sandbox
  (a bare host name works too: loopback hosts get http, others https, unless the connection type
  or the `scheme` extra says otherwise);
- password: the token (a HubSpot private-app access token);
- extra (optional): `requests_per_10s`, `timeout`, `max_attempts`, `max_rate_limit_retries`,
  `backoff_base`, `backoff_max`, `rate_limit_backoff`, `base_url`.

For example `AIRFLOW_CONN_CRM_DEFAULT='{"conn_type": "http", "host": "https://api.hubapi.com",
"password": "pat-...", "extra": {"requests_per_10s": 95}}'`.

    from lead_scoring.crm.hook import CrmHook
    from lead_scoring.sync import run_sync
    result = run_sync(warehouse_path, CrmHook().get_conn())

The fields are read by `lead_scoring.crm.connection.crm_settings`, as the CLI reads them, so
Airflow and `lead-scoring sync` use the same URL and request budget.
"""

from __future__ import annotations

try:
    from airflow.sdk.bases.hook import BaseHook
except ImportError:  # Airflow 2
    from airflow.hooks.base import BaseHook

from lead_scoring.crm.client import CrmClient, CrmError
from lead_scoring.crm.connection import DEFAULT_CONN_ID, client_from_settings, crm_settings


def _mask(secret: str | None) -> None:
    """Have Airflow's log masker hide the token (also when it came from the `token` extra)."""
    if not secret:
        return
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:  # Airflow 2
        from airflow.utils.log.secrets_masker import mask_secret
    mask_secret(secret)


class CrmHook(BaseHook):
    """Builds a `CrmClient` from an Airflow connection."""

    conn_name_attr = "crm_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = "http"
    hook_name = "HubSpot CRM (lead scoring)"

    def __init__(self, crm_conn_id: str = DEFAULT_CONN_ID, **client_overrides):
        super().__init__()
        self.crm_conn_id = crm_conn_id
        self.client_overrides = client_overrides
        self._client: CrmClient | None = None

    def get_conn(self) -> CrmClient:
        if self._client is None:
            settings = crm_settings(self.get_connection(self.crm_conn_id), self.crm_conn_id)
            _mask(settings.token)
            self._client = client_from_settings(settings, **self.client_overrides)
        return self._client

    def test_connection(self) -> tuple[bool, str]:
        try:
            client = self.get_conn()
            next(iter(client.iter_objects("contacts", ["email"], page_size=1)), None)
        except CrmError as exc:
            return False, str(exc)
        return True, f"connected to {client.base_url}"
