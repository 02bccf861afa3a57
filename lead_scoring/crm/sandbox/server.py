"""The sandbox's HTTP side: HubSpot CRM v3 routes, bearer auth, rate limits and fault injection.

Loopback only. The answers follow HubSpot's shapes closely enough for the official
`hubspot-api-client` package to deserialize them.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from lead_scoring.crm.sandbox import schema
from lead_scoring.crm.sandbox.store import InputError, Store
from lead_scoring.crm.timeutil import iso_ms

log = logging.getLogger(__name__)

TEN_SECONDLY = "TEN_SECONDLY_ROLLING"
DAILY = "DAILY"


@dataclass
class Faults:
    """Injected failures, each a share of API requests (0..1), drawn from a seeded generator.

    `rate_429`: answered with a TEN_SECONDLY_ROLLING 429 before any work; `error_500`: answered
    500 before any work; `garbage`: answered 200 with a non-JSON body before any work; `slow`:
    delayed by `slow_seconds`, then served; `partial_207`: share of batch requests in which a
    `partial_inputs` share of inputs (at least one) fails individually and is not applied.
    """

    rate_429: float = 0.0
    error_500: float = 0.0
    garbage: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 0.5
    partial_207: float = 0.0
    partial_inputs: float = 0.1
    seed: int | None = None

    @classmethod
    def from_mapping(cls, data: dict) -> Faults:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)} (known: {sorted(known)})")
        return cls(**data)

    @classmethod
    def parse(cls, text: str) -> Faults:
        """From JSON text, a path to a JSON file, or `key=value,key=value`."""
        text = text.strip()
        if text.startswith("{"):
            return cls.from_mapping(json.loads(text))
        if Path(text).is_file():
            return cls.from_mapping(json.loads(Path(text).read_text(encoding="utf-8")))
        data: dict = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, _, value = part.partition("=")
            data[key.strip()] = int(value) if key.strip() == "seed" else float(value)
        return cls.from_mapping(data)


@dataclass
class SandboxConfig:
    token: str
    rate_limit: int = 100  # requests per rate interval (HubSpot Free/Starter: 100 per 10 s)
    rate_interval_s: float = 10.0
    daily_limit: int = 250_000
    search_cap: int = 10_000  # search results reachable by paging, like HubSpot
    max_batch: int = 100
    faults: Faults = field(default_factory=Faults)


class RateLimiter:
    """A rolling window and a per-UTC-day counter; requests rejected with 429 do not count."""

    def __init__(self, limit: int, interval_s: float, daily_limit: int):
        self.limit = limit
        self.interval_s = interval_s
        self.daily_limit = daily_limit
        self.lock = threading.Lock()
        self.window: deque[float] = deque()
        self.day = None
        self.daily_used = 0

    def reset(self) -> None:
        with self.lock:
            self.window.clear()
            self.daily_used = 0

    def _headers(self) -> dict:
        return {
            "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily_limit - self.daily_used)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(self.interval_s * 1000)),
            "X-HubSpot-RateLimit-Max": str(self.limit),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.limit - len(self.window))),
        }

    def peek(self) -> dict:
        """The rate-limit headers as they stand, without counting a request (for answers that
        are refused before the limiter, such as a 401)."""
        now = time.monotonic()
        with self.lock:
            while self.window and self.window[0] <= now - self.interval_s:
                self.window.popleft()
            return self._headers()

    def acquire(self) -> tuple[str | None, dict]:
        now = time.monotonic()
        today = datetime.now(tz=UTC).date()
        with self.lock:
            if today != self.day:
                self.day, self.daily_used = today, 0
            while self.window and self.window[0] <= now - self.interval_s:
                self.window.popleft()
            policy = None
            if self.daily_used >= self.daily_limit:
                policy = DAILY
            elif len(self.window) >= self.limit:
                policy = TEN_SECONDLY
            else:
                self.window.append(now)
                self.daily_used += 1
            headers = self._headers()
        return policy, headers


class SandboxState:
    """Everything the request handlers share."""

    def __init__(self, store: Store, config: SandboxConfig):
        self.store = store
        self.config = config
        self.limiter = RateLimiter(config.rate_limit, config.rate_interval_s, config.daily_limit)
        self.lock = threading.Lock()
        self.rng = random.Random(config.faults.seed)
        self.script: deque[dict] = deque()
        self.requests: Counter = Counter()

    def set_faults(self, faults: Faults) -> None:
        with self.lock:
            self.config.faults = faults
            self.rng = random.Random(faults.seed)

    def roll(self, share: float) -> bool:
        if share <= 0:
            return False
        with self.lock:
            return self.rng.random() < share

    def pick_failures(self, n: int) -> set[int]:
        """Indexes of batch inputs to fail individually (empty unless a partial fault is drawn)."""
        faults = self.config.faults
        if n == 0 or not self.roll(faults.partial_207):
            return set()
        with self.lock:
            k = max(1, min(n, round(n * faults.partial_inputs)))
            return set(self.rng.sample(range(n), k))


# ---- answers -------------------------------------------------------------------------------------


class Answer(Exception):
    """Raised by a route to answer immediately with an error."""

    def __init__(self, status: int, body: dict | bytes | str | None, headers: dict | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def error_body(message: str, category: str, **extra) -> dict:
    return {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
        **extra,
    }


def rate_limit_body(policy: str) -> dict:
    name = "ten_secondly_rolling" if policy == TEN_SECONDLY else "daily"
    return {
        "status": "error",
        "message": f"You have reached your {name} limit.",
        "errorType": "RATE_LIMIT",
        "policyName": policy,
    }


def input_error(exc: InputError, ids: list[str]) -> dict:
    body = {
        "status": "error",
        "category": exc.category,
        "message": exc.message,
        "context": {"ids": ids},
        "links": {},
        "errors": [],
    }
    if exc.property_name:
        body["context"]["propertyName"] = [exc.property_name]
        body["errors"] = [
            {
                "message": exc.message,
                "code": exc.code or exc.category,
                "context": {"propertyName": [exc.property_name]},
            }
        ]
    return body


def _object_type(raw: str) -> str:
    object_type = schema.OBJECT_TYPE_ALIASES.get(raw.lower())
    if object_type is None:
        raise Answer(400, error_body(f"Unable to infer object type from: {raw}", "VALIDATION_ERROR"))
    return object_type


def _list_param(query: dict, name: str) -> list[str] | None:
    values = query.get(name)
    if not values:
        return None
    out = [v.strip() for value in values for v in value.split(",") if v.strip()]
    return out or None


def _int_param(query: dict, name: str, default: int | None) -> int | None:
    values = query.get(name)
    if not values or values[0] == "":
        return default
    try:
        return int(values[0])
    except ValueError:
        raise Answer(
            400, error_body(f"Invalid value for {name}: {values[0]!r}", "VALIDATION_ERROR")
        ) from None


def _inputs(body: dict, max_batch: int, *, need_id: bool = True) -> list[dict]:
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise Answer(
            400, error_body("Invalid input JSON: `inputs` must be a list of objects.", "VALIDATION_ERROR")
        )
    if len(inputs) > max_batch:
        raise Answer(
            400,
            error_body(
                f"Batch input contains {len(inputs)} inputs; the limit is {max_batch}.", "VALIDATION_ERROR"
            ),
        )
    if need_id:
        ids = [str(i.get("id", "")) for i in inputs]
        if any(not i for i in ids):
            raise Answer(400, error_body("Every input needs an `id`.", "VALIDATION_ERROR"))
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise Answer(
                400,
                error_body(
                    f"Duplicate IDs found in batch input: {dupes}. IDs must be unique", "VALIDATION_ERROR"
                ),
            )
    return inputs


def _batch_answer(results: list[dict], errors: list[dict], started: str, ok_status: int = 200):
    body = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": iso_ms(int(time.time() * 1000)),
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
        return 207, body
    return ok_status, body


# ---- routes --------------------------------------------------------------------------------------


class Routes:
    def __init__(self, state: SandboxState):
        self.state = state
        self.store = state.store
        t = r"(?P<type>[A-Za-z0-9_-]+)"
        self.table = [
            ("GET", rf"/crm/v3/objects/{t}", "list_objects"),
            ("POST", rf"/crm/v3/objects/{t}", "create_object"),
            ("POST", rf"/crm/v3/objects/{t}/search", "search"),
            ("POST", rf"/crm/v3/objects/{t}/batch/read", "batch_read"),
            ("POST", rf"/crm/v3/objects/{t}/batch/update", "batch_update"),
            ("POST", rf"/crm/v3/objects/{t}/batch/upsert", "batch_upsert"),
            ("POST", rf"/crm/v3/objects/{t}/batch/create", "batch_create"),
            ("GET", rf"/crm/v3/objects/{t}/(?P<id>[^/]+)", "get_object"),
            ("PATCH", rf"/crm/v3/objects/{t}/(?P<id>[^/]+)", "update_object"),
            ("DELETE", rf"/crm/v3/objects/{t}/(?P<id>[^/]+)", "archive_object"),
            ("POST", rf"/crm/v3/objects/{t}/batch/archive", "batch_archive"),
            ("GET", rf"/crm/v3/properties/{t}", "list_properties"),
            ("POST", rf"/crm/v3/properties/{t}", "create_property"),
            ("GET", rf"/crm/v3/properties/{t}/groups", "list_groups"),
            ("POST", rf"/crm/v3/properties/{t}/groups", "create_group"),
            ("GET", rf"/crm/v3/properties/{t}/groups/(?P<name>[^/]+)", "get_group"),
            ("GET", rf"/crm/v3/properties/{t}/(?P<name>[^/]+)", "get_property"),
            (
                "GET",
                rf"/crm/v4/objects/{t}/(?P<id>\d+)/associations/(?P<to>[A-Za-z0-9_-]+)",
                "v4_list_associations",
            ),
            (
                "PUT",
                rf"/crm/v4/objects/{t}/(?P<id>\d+)/associations/default/"
                r"(?P<to>[A-Za-z0-9_-]+)/(?P<to_id>\d+)",
                "v4_associate_default",
            ),
            ("POST", rf"/crm/v4/associations/{t}/(?P<to>[A-Za-z0-9_-]+)/batch/read", "v4_batch_read"),
            (
                "DELETE",
                rf"/crm/v4/objects/{t}/(?P<id>\d+)/associations/(?P<to>[A-Za-z0-9_-]+)/"
                r"(?P<to_id>\d+)",
                "v4_delete_associations",
            ),
            ("POST", rf"/crm/v4/associations/{t}/(?P<to>[A-Za-z0-9_-]+)/batch/archive", "v4_batch_archive"),
        ]
        self.compiled = [(m, re.compile(p + "/?$"), name) for m, p, name in self.table]

    def match(self, method: str, path: str):
        for m, pattern, name in self.compiled:
            found = pattern.match(path)
            if found and m == method:
                return name, found.groupdict()
        for _m, pattern, _name in self.compiled:
            if pattern.match(path):
                raise Answer(405, error_body(f"Method {method} not allowed on {path}", "VALIDATION_ERROR"))
        raise Answer(404, error_body(f"No route for {method} {path}", "OBJECT_NOT_FOUND"))

    # -- helpers
    def _render(self, record, properties, associations: list[str] | None) -> dict:
        out = record.render(properties)
        if associations:
            assoc = {}
            for to_raw in associations:
                to_type = _object_type(to_raw)
                links = self.store.associations(record.object_type, [record.id], to_type).get(record.id, [])
                if links:
                    label = f"{schema.SINGULAR[record.object_type]}_to_{schema.SINGULAR[to_type]}"
                    assoc[to_type] = {"results": [{"id": str(to_id), "type": label} for to_id, _ in links]}
            if assoc:
                out["associations"] = assoc
        return out

    def _resolve(self, object_type: str, ids: list[str], id_property: str | None) -> dict[str, int]:
        if not id_property or id_property == "hs_object_id":
            return {i: int(i) for i in ids if i.isdigit()}
        definition = self.store.property(object_type, id_property)
        if definition is None or (id_property != "email" and not definition.get("hasUniqueValue")):
            raise Answer(
                400,
                error_body(
                    f"Unable to perform update/upsert by non-unique property {id_property}",
                    "VALIDATION_ERROR",
                ),
            )
        found = self.store.ids_by_property(object_type, id_property, ids)
        return {i: found[i.lower()] for i in ids if i.lower() in found}

    def _resolve_inputs(self, object_type: str, inputs: list[dict], body: dict) -> dict[str, int]:
        """Input id -> record id, looking ids up once per `idProperty` used in the batch."""
        by_property: dict[str | None, list[str]] = {}
        for item in inputs:
            id_property = item.get("idProperty") or body.get("idProperty")
            by_property.setdefault(id_property, []).append(str(item["id"]))
        resolved: dict[str, int] = {}
        for id_property, raws in by_property.items():
            resolved.update(self._resolve(object_type, raws, id_property))
        return resolved

    # -- objects
    def list_objects(self, p, query, body):
        object_type = _object_type(p["type"])
        limit = _int_param(query, "limit", 10)
        if not 1 <= limit <= 100:
            raise Answer(400, error_body("limit must be between 1 and 100", "VALIDATION_ERROR"))
        after = _int_param(query, "after", None)
        records, next_after = self.store.list_page(object_type, after, limit)
        props = _list_param(query, "properties")
        assoc = _list_param(query, "associations")
        out = {"results": [self._render(r, props, assoc) for r in records]}
        if next_after is not None:
            out["paging"] = {
                "next": {
                    "after": str(next_after),
                    "link": f"/crm/v3/objects/{object_type}?after={next_after}",
                }
            }
        return 200, out

    def get_object(self, p, query, body):
        object_type = _object_type(p["type"])
        id_property = (query.get("idProperty") or [None])[0]
        ids = self._resolve(object_type, [p["id"]], id_property)
        record = self.store.get(object_type, ids.values()).get(ids.get(p["id"], -1))
        if record is None:
            raise Answer(404, error_body("resource not found", "OBJECT_NOT_FOUND"))
        return 200, self._render(record, _list_param(query, "properties"), _list_param(query, "associations"))

    def update_object(self, p, query, body):
        object_type = _object_type(p["type"])
        props = body.get("properties") if isinstance(body, dict) else None
        if not isinstance(props, dict):
            raise Answer(400, error_body("`properties` must be an object.", "VALIDATION_ERROR"))
        id_property = (query.get("idProperty") or [None])[0]
        ids = self._resolve(object_type, [p["id"]], id_property)
        record = self.store.get(object_type, ids.values()).get(ids.get(p["id"], -1))
        if record is None:
            raise Answer(404, error_body("resource not found", "OBJECT_NOT_FOUND"))
        with self.store.transaction() as conn:
            try:
                record = self.store.update(conn, record, props, "update")
            except InputError as exc:
                raise Answer(400, input_error(exc, [p["id"]])) from None
        return 200, record.render(list(props))

    def create_object(self, p, query, body):
        status, out = self.batch_create(p, query, {"inputs": [body]}, _single=True)
        if status != 201:
            raise Answer(400, out["errors"][0])
        return 201, out["results"][0]

    def _refuse_existing_emails(self, object_type: str, inputs: list[dict]) -> None:
        """HubSpot answers 409 CONFLICT, for the whole request, when a contact to create has the
        email of an existing contact (the message names the first one)."""
        if object_type != "contacts":
            return
        emails = [
            str(i["properties"]["email"])
            for i in inputs
            if isinstance(i.get("properties"), dict) and i["properties"].get("email")
        ]
        if not emails:
            return
        existing = self.store.ids_by_property("contacts", "email", emails)
        for email in emails:
            if email.lower() in existing:
                raise Answer(
                    409,
                    error_body(f"Contact already exists. Existing ID: {existing[email.lower()]}", "CONFLICT"),
                )

    def archive_object(self, p, query, body):
        """DELETE: move the record to the recycling bin (archived); 204, also when it is gone."""
        object_type = _object_type(p["type"])
        if str(p["id"]).isdigit():
            with self.store.transaction() as conn:
                self.store.archive(conn, object_type, [int(p["id"])])
        return 204, None

    def batch_archive(self, p, query, body):
        object_type = _object_type(p["type"])
        inputs = _inputs(body, self.state.config.max_batch)
        ids = [int(i["id"]) for i in inputs if str(i["id"]).isdigit()]
        with self.store.transaction() as conn:
            self.store.archive(conn, object_type, ids)
        return 204, None

    def search(self, p, query, body):
        object_type = _object_type(p["type"])
        if not isinstance(body, dict):
            raise Answer(400, error_body("Invalid search request.", "VALIDATION_ERROR"))
        try:
            limit = int(body.get("limit") or 10)
            offset = int(body.get("after") or 0)
        except (TypeError, ValueError):
            raise Answer(
                400, error_body("`limit` and `after` must be integers.", "VALIDATION_ERROR")
            ) from None
        if not 1 <= limit <= 200:
            raise Answer(400, error_body("limit must be between 1 and 200", "VALIDATION_ERROR"))
        cap = self.state.config.search_cap
        if offset >= cap or offset < 0:
            raise Answer(
                400,
                error_body(
                    f"The search API returns at most {cap} results for a query; after={offset} is "
                    "beyond that. Narrow the query (for example by time window).",
                    "VALIDATION_ERROR",
                ),
            )
        limit = min(limit, cap - offset)
        try:
            total, records = self.store.search(object_type, body, offset, limit)
        except InputError as exc:
            raise Answer(400, error_body(exc.message, exc.category)) from None
        props = body.get("properties") if isinstance(body.get("properties"), list) else None
        out = {"total": total, "results": [r.render(props) for r in records]}
        if records and offset + len(records) < total:
            out["paging"] = {"next": {"after": str(offset + len(records))}}
        return 200, out

    def batch_read(self, p, query, body):
        object_type = _object_type(p["type"])
        started = iso_ms(int(time.time() * 1000))
        inputs = _inputs(body, self.state.config.max_batch)
        ids = [str(i["id"]) for i in inputs]
        resolved = self._resolve(object_type, ids, body.get("idProperty"))
        records = self.store.get(object_type, resolved.values())
        failing = self.state.pick_failures(len(ids))
        props = body.get("properties") if isinstance(body.get("properties"), list) else None
        results, errors = [], []
        for n, raw in enumerate(ids):
            record = records.get(resolved.get(raw, -1))
            if n in failing:
                errors.append(
                    input_error(
                        InputError("INTERNAL_ERROR", "Injected fault: this input failed, retry it"), [raw]
                    )
                )
            elif record is None:
                errors.append(
                    input_error(
                        InputError(
                            "OBJECT_NOT_FOUND",
                            f"Could not get some {object_type.upper()} objects, they "
                            "may be deleted or not exist. Check that ids are valid.",
                        ),
                        [raw],
                    )
                )
            else:
                results.append(record.render(props))
        return _batch_answer(results, errors, started)

    def batch_update(self, p, query, body):
        object_type = _object_type(p["type"])
        started = iso_ms(int(time.time() * 1000))
        inputs = _inputs(body, self.state.config.max_batch)
        if any(not isinstance(i.get("properties"), dict) for i in inputs):
            raise Answer(400, error_body("Every input needs `properties` (an object).", "VALIDATION_ERROR"))
        ids = [str(i["id"]) for i in inputs]
        resolved = self._resolve_inputs(object_type, inputs, body)
        records = self.store.get(object_type, resolved.values())
        failing = self.state.pick_failures(len(inputs))
        results, errors = [], []
        with self.store.transaction() as conn:
            for n, (raw, item) in enumerate(zip(ids, inputs, strict=True)):
                record = records.get(resolved.get(raw, -1))
                if n in failing:
                    errors.append(
                        input_error(
                            InputError(
                                "INTERNAL_ERROR", "Injected fault: this input was not applied, retry it"
                            ),
                            [raw],
                        )
                    )
                    continue
                if record is None:
                    errors.append(
                        input_error(
                            InputError(
                                "OBJECT_NOT_FOUND",
                                f"Could not get some {object_type.upper()} objects, "
                                "they may be deleted or not exist. Check that ids are valid.",
                            ),
                            [raw],
                        )
                    )
                    continue
                try:
                    updated = self.store.update(conn, record, item["properties"], "update")
                except InputError as exc:
                    errors.append(input_error(exc, [raw]))
                    continue
                results.append(updated.render(list(item["properties"])))
        return _batch_answer(results, errors, started)

    def batch_upsert(self, p, query, body):
        object_type = _object_type(p["type"])
        started = iso_ms(int(time.time() * 1000))
        inputs = _inputs(body, self.state.config.max_batch)
        for item in inputs:
            if not (item.get("idProperty") or body.get("idProperty")) or not isinstance(
                item.get("properties"), dict
            ):
                raise Answer(
                    400,
                    error_body(
                        "Every upsert input needs `idProperty`, `id` and `properties`.", "VALIDATION_ERROR"
                    ),
                )
        resolved = self._resolve_inputs(object_type, inputs, body)
        records = self.store.get(object_type, resolved.values())
        failing = self.state.pick_failures(len(inputs))
        results, errors = [], []
        with self.store.transaction() as conn:
            for n, item in enumerate(inputs):
                raw = str(item["id"])
                id_property = item.get("idProperty") or body.get("idProperty")
                props = item["properties"]
                if n in failing:
                    errors.append(
                        input_error(
                            InputError(
                                "INTERNAL_ERROR", "Injected fault: this input was not applied, retry it"
                            ),
                            [raw],
                        )
                    )
                    continue
                record = records.get(resolved.get(raw, -1))
                try:
                    if record is None:
                        if id_property == "hs_object_id":
                            raise InputError("OBJECT_NOT_FOUND", f"No {object_type} with id {raw}")
                        record = self.store.create(conn, object_type, {**props, id_property: raw}, "upsert")
                        new = True
                    else:
                        record = self.store.update(conn, record, props, "upsert")
                        new = False
                except InputError as exc:
                    errors.append(input_error(exc, [raw]))
                    continue
                out = record.render(list(props))
                out["new"] = new
                results.append(out)
        return _batch_answer(results, errors, started)

    def batch_create(self, p, query, body, _single: bool = False):
        object_type = _object_type(p["type"])
        started = iso_ms(int(time.time() * 1000))
        inputs = _inputs(body, self.state.config.max_batch, need_id=False)
        self._refuse_existing_emails(object_type, inputs)
        failing = set() if _single else self.state.pick_failures(len(inputs))
        results, errors = [], []
        with self.store.transaction() as conn:
            for n, item in enumerate(inputs):
                props = item.get("properties")
                if not isinstance(props, dict):
                    raise Answer(
                        400, error_body("Every input needs `properties` (an object).", "VALIDATION_ERROR")
                    )
                if n in failing:
                    errors.append(
                        input_error(
                            InputError(
                                "INTERNAL_ERROR", "Injected fault: this input was not applied, retry it"
                            ),
                            [],
                        )
                    )
                    continue
                try:
                    email = props.get("email")
                    if object_type == "contacts" and email:
                        existing = self.store.ids_by_property("contacts", "email", [email])
                        if existing:
                            existing_id = next(iter(existing.values()))
                            raise InputError(
                                "CONFLICT", f"Contact already exists. Existing ID: {existing_id}"
                            )
                    record = self.store.create(conn, object_type, props)
                    for assoc in item.get("associations") or []:
                        to_id = int((assoc.get("to") or {}).get("id"))
                        types = assoc.get("types") or [{}]
                        type_id = types[0].get("associationTypeId")
                        to_type = self._assoc_target(object_type, type_id)
                        self.store.associate(conn, object_type, record.id, to_type, to_id, type_id)
                except InputError as exc:
                    errors.append(input_error(exc, []))
                    continue
                except (TypeError, ValueError, AttributeError):
                    errors.append(
                        input_error(InputError("VALIDATION_ERROR", "Invalid association input"), [])
                    )
                    continue
                results.append(record.render(list(props)))
        return _batch_answer(results, errors, started, ok_status=201)

    @staticmethod
    def _assoc_target(from_type: str, type_id) -> str:
        for (a, b), tid in schema.ASSOCIATION_TYPE_IDS.items():
            if a == from_type and tid == type_id:
                return b
        raise InputError("VALIDATION_ERROR", f"Unknown association type id {type_id} from {from_type}")

    # -- properties
    def list_properties(self, p, query, body):
        return 200, {"results": self.store.properties(_object_type(p["type"]))}

    def get_property(self, p, query, body):
        found = self.store.property(_object_type(p["type"]), p["name"])
        if found is None:
            raise Answer(404, error_body(f"Unable to find property {p['name']}", "OBJECT_NOT_FOUND"))
        return 200, found

    def create_property(self, p, query, body):
        if not isinstance(body, dict):
            raise Answer(400, error_body("Invalid property definition.", "VALIDATION_ERROR"))
        try:
            return 201, self.store.create_property(_object_type(p["type"]), body)
        except InputError as exc:
            raise Answer(exc.status, error_body(exc.message, exc.category)) from None

    def list_groups(self, p, query, body):
        return 200, {"results": self.store.groups(_object_type(p["type"]))}

    def get_group(self, p, query, body):
        found = self.store.group(_object_type(p["type"]), p["name"])
        if found is None:
            raise Answer(404, error_body(f"Unable to find group {p['name']}", "OBJECT_NOT_FOUND"))
        return 200, found

    def create_group(self, p, query, body):
        if not isinstance(body, dict):
            raise Answer(400, error_body("Invalid property group.", "VALIDATION_ERROR"))
        try:
            return 201, self.store.create_group(_object_type(p["type"]), body)
        except InputError as exc:
            raise Answer(exc.status, error_body(exc.message, exc.category)) from None

    # -- associations (v4)
    @staticmethod
    def _v4_targets(links) -> list[dict]:
        return [
            {
                "toObjectId": to_id,
                "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}],
            }
            for to_id, type_id in links
        ]

    def v4_list_associations(self, p, query, body):
        from_type, to_type = _object_type(p["type"]), _object_type(p["to"])
        links = self.store.associations(from_type, [int(p["id"])], to_type).get(int(p["id"]), [])
        return 200, {"results": self._v4_targets(links)}

    def v4_associate_default(self, p, query, body):
        from_type, to_type = _object_type(p["type"]), _object_type(p["to"])
        from_id, to_id = int(p["id"]), int(p["to_id"])
        started = iso_ms(int(time.time() * 1000))
        if not self.store.get(from_type, [from_id]) or not self.store.get(to_type, [to_id]):
            raise Answer(404, error_body("resource not found", "OBJECT_NOT_FOUND"))
        type_id = schema.ASSOCIATION_TYPE_IDS.get((from_type, to_type), 0)
        with self.store.transaction() as conn:
            self.store.associate(conn, from_type, from_id, to_type, to_id)
        return _batch_answer(
            [
                {
                    "from": {"id": str(from_id)},
                    "to": {"id": str(to_id)},
                    "associationSpec": {
                        "associationCategory": "HUBSPOT_DEFINED",
                        "associationTypeId": type_id,
                    },
                }
            ],
            [],
            started,
        )

    def v4_delete_associations(self, p, query, body):
        """DELETE every association between two records (both directions); 204."""
        from_type, to_type = _object_type(p["type"]), _object_type(p["to"])
        with self.store.transaction() as conn:
            self.store.dissociate(conn, from_type, int(p["id"]), to_type, int(p["to_id"]))
        return 204, None

    def v4_batch_archive(self, p, query, body):
        """Inputs {"from": {"id"}, "to": [{"id"}, ...]}: remove those associations; 204."""
        from_type, to_type = _object_type(p["type"]), _object_type(p["to"])
        inputs = _inputs(body, 1000, need_id=False)
        pairs = []
        for item in inputs:
            try:
                from_id = int((item.get("from") or {}).get("id"))
                pairs += [(from_id, int(t.get("id"))) for t in item.get("to") or []]
            except (TypeError, ValueError, AttributeError):
                raise Answer(
                    400, error_body("Every input needs `from.id` and `to[].id`.", "VALIDATION_ERROR")
                ) from None
        with self.store.transaction() as conn:
            for from_id, to_id in pairs:
                self.store.dissociate(conn, from_type, from_id, to_type, to_id)
        return 204, None

    def v4_batch_read(self, p, query, body):
        from_type, to_type = _object_type(p["type"]), _object_type(p["to"])
        started = iso_ms(int(time.time() * 1000))
        inputs = _inputs(body, 1000)
        ids = [int(i["id"]) for i in inputs if str(i["id"]).isdigit()]
        links = self.store.associations(from_type, ids, to_type)
        results = [{"from": {"id": str(i)}, "to": self._v4_targets(links[i])} for i in ids if links.get(i)]
        return _batch_answer(results, [], started)


# ---- HTTP ----------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lead-scoring-crm-sandbox"
    server: SandboxServer

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")

    def _send(self, status: int, body, headers: dict | None = None) -> None:
        if isinstance(body, dict | list):
            payload = json.dumps(body).encode()
            content_type = "application/json;charset=utf-8"
        elif isinstance(body, str):
            payload = body.encode()
            content_type = "text/html;charset=utf-8"
        else:
            payload = body or b""
            content_type = "application/octet-stream"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def _handle(self, method: str) -> None:
        state = self.server.state
        split = urlsplit(self.path)
        path, query = unquote(split.path), parse_qs(split.query, keep_blank_values=True)
        try:
            length = max(0, int(self.headers.get("Content-Length") or 0))
        except ValueError:
            length = 0
        raw = self.rfile.read(length) if length else b""
        self._route = "?"
        status = 500
        try:
            if path.startswith("/_sandbox/"):
                self._route = path
                status, body, headers = self._admin(method, path, raw)
            else:
                status, body, headers = self._api(method, path, query, raw)
        except Answer as answer:
            status, body, headers = answer.status, answer.body, answer.headers
        except Exception as exc:  # a sandbox bug must still answer like a server would
            log.exception("sandbox error on %s %s", method, path)
            status, body, headers = 500, error_body(f"Sandbox error: {exc}", "INTERNAL_ERROR"), {}
        if not path.startswith("/_sandbox/"):  # like HubSpot: on every API answer, 401 included
            headers = {**state.limiter.peek(), **headers}
        with state.lock:
            state.requests[(method, self._route, status)] += 1
        self._send(status, body, headers)

    def _authorized(self) -> bool:
        expected = f"Bearer {self.server.state.config.token}"
        return self.headers.get("Authorization", "") == expected

    def _api(self, method, path, query, raw):
        state = self.server.state
        routes = self.server.routes
        route, params = routes.match(method, path)
        self._route = route
        if not self._authorized():
            raise Answer(
                401,
                error_body(
                    "Authentication credentials not found. This API supports OAuth 2.0 authentication "
                    "and you can find more details at https://developers.hubspot.com/docs/methods/auth/"
                    "oauth-overview",
                    "INVALID_AUTHENTICATION",
                ),
            )
        policy, headers = state.limiter.acquire()
        if policy:
            raise Answer(429, rate_limit_body(policy), headers)
        with state.lock:
            scripted = state.script.popleft() if state.script else None
        if scripted is not None:
            return (
                scripted.get("status", 200),
                scripted.get("body"),
                {**headers, **scripted.get("headers", {})},
            )
        faults = state.config.faults
        if state.roll(faults.rate_429):
            raise Answer(429, rate_limit_body(TEN_SECONDLY), headers)
        if state.roll(faults.error_500):
            raise Answer(500, error_body("Injected fault: internal error", "INTERNAL_ERROR"), headers)
        if state.roll(faults.garbage):
            raise Answer(200, "<html><body>Injected fault: not JSON</body></html>", headers)
        if state.roll(faults.slow):
            time.sleep(faults.slow_seconds)
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise Answer(
                400, error_body("Invalid input JSON: the body is not JSON.", "VALIDATION_ERROR"), headers
            ) from None
        try:
            status, out = getattr(routes, route)(params, query, body)
        except Answer as answer:
            answer.headers = {**headers, **answer.headers}
            raise
        return status, out, headers

    def _admin(self, method, path, raw):
        state = self.server.state
        if path == "/_sandbox/health":
            return 200, {"status": "ok"}, {}
        if not self._authorized():
            raise Answer(401, error_body("Bad token for the sandbox admin API.", "INVALID_AUTHENTICATION"))
        body = json.loads(raw) if raw else {}
        if path == "/_sandbox/stats" and method == "GET":
            return 200, self.server.stats(), {}
        if path == "/_sandbox/reset-limits" and method == "POST":
            state.limiter.reset()
            return 200, {"status": "ok"}, {}
        if path == "/_sandbox/faults" and method == "POST":
            state.set_faults(Faults.from_mapping(body))
            return 200, asdict(state.config.faults), {}
        if path == "/_sandbox/script" and method == "POST":
            with state.lock:
                state.script.extend(body.get("responses", []))
            return 200, {"queued": len(state.script)}, {}
        raise Answer(404, error_body(f"No admin route {method} {path}", "OBJECT_NOT_FOUND"))


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, state: SandboxState):
        self.state = state
        self.routes = Routes(state)
        super().__init__(address, Handler)

    def stats(self) -> dict:
        state = self.state
        with state.lock:
            requests = [
                {"method": m, "route": r, "status": s, "count": n}
                for (m, r, s), n in sorted(state.requests.items(), key=str)
            ]
        return {
            "requests": requests,
            "daily_used": state.limiter.daily_used,
            "writes": {t: sum(state.store.write_counts(t).values()) for t in schema.OBJECT_TYPES},
            "objects": {t: state.store.count(t) for t in schema.OBJECT_TYPES},
        }
