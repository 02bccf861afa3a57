"""Reverse sync of lead scores to the CRM, and the warehouse tables that record it.

Importable without Airflow: the DAG calls `run_sync(warehouse_path, CrmHook().get_conn())`.
"""

from lead_scoring.sync.reverse import (
    DEFAULT_MAX_SHARE,
    SyncError,
    SyncGuardError,
    SyncResult,
    run_sync,
)

__all__ = ["DEFAULT_MAX_SHARE", "SyncError", "SyncGuardError", "SyncResult", "run_sync"]
