"""The CRM side of the workflow: a HubSpot CRM v3 client, extraction through the API into the
landing layout, and a local HubSpot-compatible sandbox server (`lead_scoring.crm.sandbox`).

Only `lead_scoring.crm.hook` (the Airflow hook wrapping `CrmClient`) imports Airflow; nothing
imports it here, so the rest works without Airflow.
"""

from lead_scoring.crm.client import (
    CrmAuthError,
    CrmBadResponse,
    CrmClient,
    CrmError,
    CrmRequestError,
    CrmServerError,
    DailyLimitReached,
    RateLimitExhausted,
)

__all__ = [
    "CrmAuthError",
    "CrmBadResponse",
    "CrmClient",
    "CrmError",
    "CrmRequestError",
    "CrmServerError",
    "DailyLimitReached",
    "RateLimitExhausted",
]
