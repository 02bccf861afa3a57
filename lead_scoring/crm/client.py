"""A small HubSpot CRM v3 client: paging, incremental search, batches, properties, associations.

What it does for every request:

- paces itself to a request budget (`requests_per_10s`, a sliding window kept client-side), so a
  long sync uses the portal's rate limit without tripping it;
- on a 429 with `policyName` TEN_SECONDLY_ROLLING (or any 429 that is not DAILY) sleeps with an
  exponential, jittered backoff and tries again, a bounded number of times (it never reads
  Retry-After);
- on a 429 with `policyName` DAILY raises `DailyLimitReached` at once: callers stop and leave the
  rest for the next run;
- retries 5xx answers, timeouts and refused connections with exponential backoff and jitter,
  `max_attempts` in all, then raises `CrmServerError`;
- a 401/403 raises `CrmAuthError` naming the connection (the token is never logged or put in a
  message);
- every field of an error body is optional; a body that is not JSON gives `CrmBadResponse`
  (2xx) or an error quoting the start of the body.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from lead_scoring.crm.timeutil import to_ms

log = logging.getLogger(__name__)

MAX_BATCH = 100
# The default request budget per 10 s: 95% of a Free/Starter portal's limit (100), leaving a little
# to the portal's other integrations; set `requests_per_10s` to about 180 on Pro/Enterprise (190).
DEFAULT_REQUESTS_PER_10S = 95
MAX_SEARCH_PAGE = 200
SEARCH_CAP = 10_000

# The property holding the modification time, per object type (HubSpot's names).
MODIFIED_PROPERTY = {
    "contacts": "lastmodifieddate",
    "companies": "hs_lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}


# ---- errors --------------------------------------------------------------------------------------


class CrmError(Exception):
    """Base of every error the client raises. `status`, `category`, `correlation_id` and `body`
    are set when the CRM answered at all."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        category: str | None = None,
        correlation_id: str | None = None,
        body: Any = None,
    ):
        super().__init__(message)
        self.status = status
        self.category = category
        self.correlation_id = correlation_id
        self.body = body


class CrmAuthError(CrmError):
    """The CRM refused the credentials (401) or the scopes (403)."""


class CrmRequestError(CrmError):
    """A 4xx other than 401/403/429: the request itself is wrong; retrying will not help."""


class CrmServerError(CrmError):
    """5xx answers, timeouts or refused connections, still failing after the bounded retries."""


class CrmBadResponse(CrmError):
    """The CRM answered something that is not the JSON the API documents."""


class RateLimitExhausted(CrmError):
    """Still rate limited (TEN_SECONDLY_ROLLING) after the bounded number of backoffs."""


class DailyLimitReached(CrmError):
    """The portal's daily request cap is spent; stop and leave the rest for the next run."""


# ---- results -------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    """A batch answer: `results` (objects the CRM confirmed) and `errors` (per-input failures)."""

    status: int
    results: list[dict]
    errors: list[dict]

    def confirmed_ids(self) -> set[str]:
        return {str(r["id"]) for r in self.results if isinstance(r, dict) and "id" in r}

    def failures(self, input_ids: Iterable[str]) -> dict[str, dict]:
        """Input id -> error for every input the CRM did not confirm.

        Errors name their inputs in `context.ids` when the CRM says; an input that is neither
        confirmed nor named gets the first unattributed error (or a generic one).
        """
        confirmed = self.confirmed_ids()
        named: dict[str, dict] = {}
        unattributed: list[dict] = []
        for error in self.errors:
            if not isinstance(error, dict):
                unattributed.append({"message": str(error)})
                continue
            ids = (error.get("context") or {}).get("ids") if isinstance(error.get("context"), dict) else None
            if isinstance(ids, list) and ids:
                for i in ids:
                    named.setdefault(str(i), error)
            else:
                unattributed.append(error)
        fallback = (
            unattributed[0]
            if unattributed
            else {
                "category": "UNCONFIRMED",
                "message": "the CRM neither confirmed this input nor reported an error for it",
            }
        )
        return {i: named.get(i, fallback) for i in map(str, input_ids) if i not in confirmed}


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    timeouts: int = 0
    paced_s: float = 0.0
    backoff_s: float = 0.0
    by_status: dict = field(default_factory=dict)


# ---- pacing --------------------------------------------------------------------------------------


class RequestPacer:
    """At most `budget` requests in any `window_s` seconds, as seen by this client."""

    def __init__(
        self,
        budget: int,
        window_s: float = 10.0,
        *,
        margin_s: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if budget < 1:
            raise ValueError("the request budget must be at least 1")
        self.budget = budget
        self.window_s = window_s
        self.margin_s = margin_s
        self.clock = clock
        self.sleep = sleep
        self.sent: deque[float] = deque()
        self.lock = threading.Lock()

    def wait(self) -> float:
        """Block until one more request fits the budget; record it; return the seconds slept."""
        slept = 0.0
        with self.lock:
            while True:
                now = self.clock()
                while self.sent and self.sent[0] <= now - self.window_s:
                    self.sent.popleft()
                if len(self.sent) < self.budget:
                    self.sent.append(now)
                    return slept
                pause = self.sent[0] + self.window_s + self.margin_s - now
                self.sleep(pause)
                slept += pause


# ---- the client ----------------------------------------------------------------------------------


def _snippet(text: str, n: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "..."


class CrmClient:
    """HubSpot CRM v3 over HTTP. `base_url` is e.g. `https://api.hubapi.com` or the sandbox URL."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        connection_id: str | None = None,
        requests_per_10s: int = DEFAULT_REQUESTS_PER_10S,
        window_s: float = 10.0,
        timeout: float = 30.0,
        max_attempts: int = 5,
        max_rate_limit_retries: int = 8,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        rate_limit_backoff: float = 1.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        seed: int | None = None,
    ):
        if not base_url:
            raise ValueError("the CRM base URL is empty")
        self.base_url = base_url.rstrip("/")
        self._token = token or ""
        self.connection_id = connection_id
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.max_rate_limit_retries = max(0, max_rate_limit_retries)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.rate_limit_backoff = rate_limit_backoff
        self.sleep = sleep
        self.rng = random.Random(seed)
        self.pacer = RequestPacer(requests_per_10s, window_s, sleep=sleep)
        self.session = session or requests.Session()
        self.stats = ClientStats()

    def __repr__(self) -> str:  # never show the token
        return f"CrmClient({self.base_url!r}, connection_id={self.connection_id!r})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> CrmClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the one place requests are made -------------------------------------------------------
    @property
    def _where(self) -> str:
        if self.connection_id:
            return f"connection '{self.connection_id}' ({self.base_url})"
        return self.base_url

    def _backoff(self, attempt: int, base: float) -> float:
        ceiling = min(self.backoff_max, base * 2 ** (attempt - 1))
        delay = self.rng.uniform(ceiling / 2, ceiling)
        self.stats.backoff_s += delay
        self.sleep(delay)
        return delay

    def request(
        self, method: str, path: str, *, params: dict | None = None, json: Any = None
    ) -> tuple[int, Any]:
        """Send one API request with pacing, backoff and retries; return (status, parsed JSON)."""
        url = f"{self.base_url}{path}"
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        transient = 0
        limited = 0
        while True:
            self.stats.paced_s += self.pacer.wait()
            self.stats.requests += 1
            try:
                resp = self.session.request(
                    method, url, params=params, json=json, headers=headers, timeout=self.timeout
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                self.stats.timeouts += 1
                transient += 1
                kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
                if transient >= self.max_attempts:
                    raise CrmServerError(
                        f"{method} {path} {kind} at {self._where}, {transient} attempts"
                    ) from exc
                self.stats.retries += 1
                log.warning(
                    "CRM %s %s %s (attempt %d/%d), retrying", method, path, kind, transient, self.max_attempts
                )
                self._backoff(transient, self.backoff_base)
                continue
            status = resp.status_code
            self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
            body, parsed = self._parse(resp)
            if status == 429:
                self.stats.rate_limited += 1
                policy = body.get("policyName") if isinstance(body, dict) else None
                daily_left = resp.headers.get("X-HubSpot-RateLimit-Daily-Remaining")
                if policy == "DAILY" or (policy is None and daily_left == "0"):
                    raise DailyLimitReached(
                        f"the daily API limit of {self._where} is reached; stopping, the rest "
                        "is left for the next run",
                        status=429,
                        body=body,
                        **self._fields(body),
                    )
                limited += 1
                if limited > self.max_rate_limit_retries:
                    raise RateLimitExhausted(
                        f"{method} {path}: still rate limited ({policy or 'unknown policy'}) after "
                        f"{self.max_rate_limit_retries} backoffs at {self._where}",
                        status=429,
                        body=body,
                        **self._fields(body),
                    )
                self.stats.retries += 1
                log.info("CRM rate limited (%s) on %s %s, backing off", policy, method, path)
                self._backoff(limited, self.rate_limit_backoff)
                continue
            if status in (401, 403):
                what = "token" if status == 401 else "token's scopes"
                raise CrmAuthError(
                    f"the CRM refused the {what} of {self._where}: HTTP {status}"
                    f"{self._describe(body, parsed, resp)}. Check the token stored as the "
                    "connection's password (a HubSpot private-app access token with the crm "
                    "objects and schemas scopes).",
                    status=status,
                    body=body,
                    **self._fields(body),
                )
            if status >= 500:
                self.stats.server_errors += 1
                transient += 1
                if transient >= self.max_attempts:
                    raise CrmServerError(
                        f"{method} {path} failed with HTTP {status} at {self._where} after "
                        f"{transient} attempts{self._describe(body, parsed, resp)}",
                        status=status,
                        body=body,
                        **self._fields(body),
                    )
                self.stats.retries += 1
                log.warning(
                    "CRM %s %s answered %d (attempt %d/%d), retrying",
                    method,
                    path,
                    status,
                    transient,
                    self.max_attempts,
                )
                self._backoff(transient, self.backoff_base)
                continue
            if 200 <= status < 300:
                if not parsed and resp.content:
                    raise CrmBadResponse(
                        f"{method} {path} answered HTTP {status} with a body that is not JSON "
                        f"at {self._where}: {_snippet(resp.text)!r}",
                        status=status,
                        body=body,
                    )
                return status, body
            raise CrmRequestError(
                f"{method} {path} was refused with HTTP {status} at {self._where}"
                f"{self._describe(body, parsed, resp)}",
                status=status,
                body=body,
                **self._fields(body),
            )

    @staticmethod
    def _parse(resp: requests.Response) -> tuple[Any, bool]:
        if not resp.content:
            return None, False
        try:
            return resp.json(), True
        except ValueError:
            return resp.text, False

    @staticmethod
    def _fields(body: Any) -> dict:
        if not isinstance(body, dict):
            return {}
        category = body.get("category")
        correlation_id = body.get("correlationId")
        return {
            "category": category if isinstance(category, str) else None,
            "correlation_id": correlation_id if isinstance(correlation_id, str) else None,
        }

    @staticmethod
    def _describe(body: Any, parsed: bool, resp: requests.Response) -> str:
        if isinstance(body, dict):
            parts = [str(body[k]) for k in ("category", "message") if body.get(k)]
            if body.get("correlationId"):
                parts.append(f"correlationId {body['correlationId']}")
            return f" ({'; '.join(parts)})" if parts else ""
        if resp.content and not parsed:
            return f" (body is not JSON: {_snippet(resp.text)!r})"
        return ""

    def _json(self, method: str, path: str, **kwargs) -> dict:
        status, body = self.request(method, path, **kwargs)
        if not isinstance(body, dict):
            raise CrmBadResponse(
                f"{method} {path} answered HTTP {status} with {type(body).__name__}, expected a JSON object",
                status=status,
                body=body,
            )
        return body

    @staticmethod
    def _results(body: dict, what: str) -> list[dict]:
        results = body.get("results")
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise CrmBadResponse(f"{what}: the answer has no `results` list", body=body)
        return results

    @staticmethod
    def _next_after(body: dict) -> str | None:
        paging = body.get("paging")
        if not isinstance(paging, dict):
            return None
        nxt = paging.get("next")
        if not isinstance(nxt, dict) or nxt.get("after") in (None, ""):
            return None
        return str(nxt["after"])

    # -- objects ---------------------------------------------------------------------------------
    def iter_objects(
        self,
        object_type: str,
        properties: Iterable[str] | None = None,
        *,
        associations: Iterable[str] | None = None,
        page_size: int = 100,
    ) -> Iterator[dict]:
        """Every (non-archived) object of a type, paging with `after`."""
        params: dict[str, Any] = {"limit": min(page_size, 100)}
        if properties:
            params["properties"] = ",".join(properties)
        if associations:
            params["associations"] = ",".join(associations)
        after = None
        while True:
            if after is not None:
                params["after"] = after
            body = self._json("GET", f"/crm/v3/objects/{object_type}", params=params)
            yield from self._results(body, f"list {object_type}")
            after = self._next_after(body)
            if after is None:
                return

    def get_object(
        self,
        object_type: str,
        object_id: str,
        properties: Iterable[str] | None = None,
        *,
        id_property: str | None = None,
    ) -> dict | None:
        params: dict[str, Any] = {}
        if properties:
            params["properties"] = ",".join(properties)
        if id_property:
            params["idProperty"] = id_property
        try:
            return self._json(
                "GET", f"/crm/v3/objects/{object_type}/{quote(str(object_id), safe='')}", params=params
            )
        except CrmRequestError as exc:
            if exc.status == 404:
                return None
            raise

    def search(
        self,
        object_type: str,
        *,
        filter_groups: list[dict] | None = None,
        sorts: list | None = None,
        properties: Iterable[str] | None = None,
        limit: int = MAX_SEARCH_PAGE,
        after: str | int | None = None,
        query: str | None = None,
    ) -> dict:
        """One search page: the raw answer (`total`, `results`, `paging`)."""
        payload: dict[str, Any] = {"filterGroups": filter_groups or [], "limit": limit}
        if sorts:
            payload["sorts"] = sorts
        if properties:
            payload["properties"] = list(properties)
        if after is not None:
            payload["after"] = str(after)
        if query:
            payload["query"] = query
        body = self._json("POST", f"/crm/v3/objects/{object_type}/search", json=payload)
        self._results(body, f"search {object_type}")
        if not isinstance(body.get("total", 0), int):
            raise CrmBadResponse(f"search {object_type}: `total` is not a number", body=body)
        return body

    def search_all(
        self,
        object_type: str,
        *,
        filter_groups: list[dict] | None = None,
        properties: Iterable[str] | None = None,
        page_size: int = MAX_SEARCH_PAGE,
    ) -> Iterator[dict]:
        """Every match of a search, paging by `hs_object_id` (keyset) rather than by offset, so
        it is neither limited by the 10,000-result cap nor thrown off by records that stop
        matching while it pages."""
        groups = filter_groups or [{"filters": []}]
        cursor: str | None = None
        while True:
            page_groups = groups
            if cursor is not None:
                page_groups = [
                    {
                        "filters": [
                            *(g.get("filters") or []),
                            {"propertyName": "hs_object_id", "operator": "GT", "value": cursor},
                        ]
                    }
                    for g in groups
                ]
            body = self.search(
                object_type,
                filter_groups=page_groups,
                properties=properties,
                sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                limit=page_size,
            )
            results = body["results"]
            yield from results
            if not results or self._next_after(body) is None:
                return
            cursor = str(results[-1].get("id"))

    def modified_windows(
        self,
        object_type: str,
        since_ms: int,
        until_ms: int,
        *,
        properties: Iterable[str] | None = None,
        cap: int = SEARCH_CAP,
        page_size: int = MAX_SEARCH_PAGE,
        modified_property: str | None = None,
    ) -> Iterator[tuple[int, int, list[dict]]]:
        """Objects with `since_ms <= lastmodifieddate < until_ms`, as complete time windows in
        chronological order: (window_start_ms, window_end_ms, records).

        A window whose search matches more than `cap` records is bisected until each part fits
        (HubSpot's search reaches at most 10,000 results a query); inside a window pages are
        read by `hs_object_id` keyset, so records modified meanwhile shift nothing.
        """
        prop = modified_property or MODIFIED_PROPERTY.get(object_type, "hs_lastmodifieddate")
        properties = list(properties) if properties else None
        stack = [(since_ms, until_ms)]
        narrowed = False
        while stack:
            lo, hi = stack.pop()
            if hi <= lo:
                continue
            window = [
                {
                    "filters": [
                        {"propertyName": prop, "operator": "GTE", "value": str(lo)},
                        {"propertyName": prop, "operator": "LT", "value": str(hi)},
                    ]
                }
            ]
            first = self.search(
                object_type,
                filter_groups=window,
                properties=properties,
                sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                limit=page_size,
            )
            total = first.get("total", 0)
            if total > cap and hi - lo > 1 and not narrowed:
                # once: bisect between the earliest and the latest match rather than across the
                # whole range (which starts at the epoch on a first run)
                narrowed = True
                first_ms, last_ms = (
                    self._edge(object_type, window, prop, d) for d in ("ASCENDING", "DESCENDING")
                )
                if first_ms is not None and last_ms is not None and lo <= first_ms <= last_ms < hi:
                    stack.append((last_ms + 1, hi))  # nothing there now; read last, cheaply
                    stack.append((first_ms, last_ms + 1))
                    continue
            if total > cap and hi - lo > 1:
                mid = lo + (hi - lo) // 2
                log.info(
                    "%s: %d records modified in [%d, %d) exceed the search cap of %d; splitting the window",
                    object_type,
                    total,
                    lo,
                    hi,
                    cap,
                )
                stack.append((mid, hi))
                stack.append((lo, mid))
                continue
            records = list(first["results"])
            if records and self._next_after(first) is not None:
                cursor = str(records[-1].get("id"))
                rest = [
                    {
                        "filters": [
                            *window[0]["filters"],
                            {"propertyName": "hs_object_id", "operator": "GT", "value": cursor},
                        ]
                    }
                ]
                records.extend(
                    self.search_all(
                        object_type, filter_groups=rest, properties=properties, page_size=page_size
                    )
                )
            yield lo, hi, records

    def _edge(self, object_type: str, window: list[dict], prop: str, direction: str) -> int | None:
        found = self.search(
            object_type,
            filter_groups=window,
            properties=[prop],
            sorts=[{"propertyName": prop, "direction": direction}],
            limit=1,
        )["results"]
        if not found:
            return None
        try:
            return to_ms((found[0].get("properties") or {}).get(prop))
        except ValueError:
            return None

    def batch_read(
        self,
        object_type: str,
        ids: Iterable[str],
        properties: Iterable[str] | None = None,
        *,
        id_property: str | None = None,
    ) -> BatchResult:
        inputs = [{"id": str(i)} for i in ids]
        payload: dict[str, Any] = {"inputs": inputs, "properties": list(properties or [])}
        if id_property:
            payload["idProperty"] = id_property
        return self._batch("read", object_type, payload)

    def batch_update(self, object_type: str, inputs: list[dict]) -> BatchResult:
        """`inputs`: [{"id": ..., "properties": {...}}] (at most 100)."""
        return self._batch("update", object_type, {"inputs": inputs})

    def batch_upsert(self, object_type: str, inputs: list[dict], id_property: str) -> BatchResult:
        """`inputs`: [{"id": <value of id_property>, "properties": {...}}] (at most 100)."""
        return self._batch(
            "upsert",
            object_type,
            {"inputs": [{**i, "idProperty": i.get("idProperty", id_property)} for i in inputs]},
        )

    def batch_create(self, object_type: str, inputs: list[dict]) -> BatchResult:
        """`inputs`: [{"properties": {...}, "associations": [...]?}] (at most 100)."""
        return self._batch("create", object_type, {"inputs": inputs})

    def _batch(self, action: str, object_type: str, payload: dict) -> BatchResult:
        if len(payload["inputs"]) > MAX_BATCH:
            raise ValueError(f"a batch takes at most {MAX_BATCH} inputs, got {len(payload['inputs'])}")
        if not payload["inputs"]:
            return BatchResult(200, [], [])
        path = f"/crm/v3/objects/{object_type}/batch/{action}"
        status, body = self.request("POST", path, json=payload)
        if not isinstance(body, dict):
            raise CrmBadResponse(
                f"POST {path} answered HTTP {status} without a JSON object", status=status, body=body
            )
        results = self._results(body, f"batch {action} {object_type}")
        errors = body.get("errors") or []
        if not isinstance(errors, list):
            errors = [errors]
        return BatchResult(status, results, errors)

    # -- properties ------------------------------------------------------------------------------
    def list_properties(self, object_type: str) -> list[dict]:
        body = self._json("GET", f"/crm/v3/properties/{object_type}")
        return self._results(body, f"properties of {object_type}")

    def list_property_groups(self, object_type: str) -> list[dict]:
        body = self._json("GET", f"/crm/v3/properties/{object_type}/groups")
        return self._results(body, f"property groups of {object_type}")

    def create_property_group(self, object_type: str, group: dict) -> bool:
        """Create a property group; False if it already exists (409)."""
        return self._create_unless_exists(f"/crm/v3/properties/{object_type}/groups", group)

    def create_property(self, object_type: str, definition: dict) -> bool:
        """Create a property; False if it already exists (409)."""
        return self._create_unless_exists(f"/crm/v3/properties/{object_type}", definition)

    def _create_unless_exists(self, path: str, body: dict) -> bool:
        try:
            self._json("POST", path, json=body)
            return True
        except CrmRequestError as exc:
            if exc.status == 409:
                return False
            raise

    def ensure_properties(self, object_type: str, group: dict, definitions: list[dict]) -> list[str]:
        """Make sure the group and the properties exist; return the names created now."""
        created = []
        groups = {g.get("name") for g in self.list_property_groups(object_type)}
        if group["name"] not in groups:
            self.create_property_group(object_type, group)
        existing = {p.get("name") for p in self.list_properties(object_type)}
        for definition in definitions:
            if definition["name"] not in existing and self.create_property(object_type, definition):
                created.append(definition["name"])
        return created

    # -- associations ----------------------------------------------------------------------------
    def associations(self, from_type: str, to_type: str, ids: Iterable[str]) -> dict[str, list[str]]:
        """From id -> associated ids of `to_type` (v4 batch read, 100 ids a request)."""
        ids = [str(i) for i in ids]
        out: dict[str, list[str]] = {}
        for start in range(0, len(ids), MAX_BATCH):
            chunk = ids[start : start + MAX_BATCH]
            body = self._json(
                "POST",
                f"/crm/v4/associations/{from_type}/{to_type}/batch/read",
                json={"inputs": [{"id": i} for i in chunk]},
            )
            for item in self._results(body, f"associations {from_type}->{to_type}"):
                source = (item.get("from") or {}).get("id")
                targets = item.get("to") or []
                if source is None or not isinstance(targets, list):
                    continue
                out[str(source)] = sorted(
                    {
                        str(t.get("toObjectId"))
                        for t in targets
                        if isinstance(t, dict) and t.get("toObjectId") is not None
                    },
                    key=lambda v: (len(v), v),
                )
        return out
