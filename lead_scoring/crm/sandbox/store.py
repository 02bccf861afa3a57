"""The sandbox's records, property definitions and associations, persisted in one SQLite file.

One connection guarded by a lock: the HTTP server is threaded, SQLite is not the bottleneck at
sandbox volumes, and a request's writes are one transaction.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from lead_scoring.crm.sandbox import schema
from lead_scoring.crm.timeutil import iso_ms, to_ms

_NAME = re.compile(r"^[A-Za-z0-9_]{1,100}$")
MAX_STRING = 65536

_DDL = """
create table if not exists objects (
    object_type text not null,
    id integer not null,
    properties text not null,
    created_ms integer not null,
    modified_ms integer not null,
    archived integer not null default 0,
    primary key (object_type, id)
);
create index if not exists objects_modified on objects (object_type, modified_ms, id);
create table if not exists property_defs (
    object_type text not null,
    name text not null,
    definition text not null,
    primary key (object_type, name)
);
create table if not exists property_groups (
    object_type text not null,
    name text not null,
    definition text not null,
    primary key (object_type, name)
);
create table if not exists associations (
    from_type text not null,
    from_id integer not null,
    to_type text not null,
    to_id integer not null,
    type_id integer not null,
    primary key (from_type, from_id, to_type, to_id, type_id)
);
create table if not exists write_log (
    seq integer primary key autoincrement,
    object_type text not null,
    object_id integer not null,
    at_ms integer not null,
    op text not null,
    properties text not null
);
create index if not exists write_log_object on write_log (object_type, object_id);
"""


class InputError(Exception):
    """One input of a request is invalid (answered per input in a 207, or as a 400)."""

    def __init__(
        self,
        category: str,
        message: str,
        *,
        code: str | None = None,
        property_name: str | None = None,
        status: int = 400,
    ):
        super().__init__(message)
        self.category = category
        self.message = message
        self.code = code
        self.property_name = property_name
        self.status = status


class Record:
    __slots__ = ("object_type", "id", "props", "created_ms", "modified_ms")

    def __init__(self, object_type: str, id_: int, props: dict, created_ms: int, modified_ms: int):
        self.object_type = object_type
        self.id = id_
        self.props = props
        self.created_ms = created_ms
        self.modified_ms = modified_ms

    def value(self, name: str) -> str | None:
        if name == "hs_object_id":
            return str(self.id)
        if name == "createdate":
            return iso_ms(self.created_ms)
        if name in schema.MODIFIED_PROPERTIES:
            return iso_ms(self.modified_ms)
        return self.props.get(name)

    def render(self, properties: Iterable[str] | None) -> dict:
        """HubSpot's SimplePublicObject shape; requested properties that are unset are null."""
        names = list(properties) if properties else list(schema.DEFAULT_PROPERTIES[self.object_type])
        always = [
            "createdate",
            "hs_object_id",
            "lastmodifieddate" if self.object_type == "contacts" else "hs_lastmodifieddate",
        ]
        out = {name: self.value(name) for name in [*always, *names]}
        return {
            "id": str(self.id),
            "properties": out,
            "createdAt": iso_ms(self.created_ms),
            "updatedAt": iso_ms(self.modified_ms),
            "archived": False,
        }


class Store:
    def __init__(self, path: str | Path, *, clock=time.time):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.execute("pragma journal_mode=wal")
        self.conn.execute("pragma synchronous=normal")
        self.conn.executescript(_DDL)
        self._defs: dict[str, dict[str, dict]] = {}
        self._last_ms = 0
        self._seed_definitions()

    # ---- plumbing -------------------------------------------------------------------------
    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def transaction(self):
        with self.lock:
            self.conn.execute("begin immediate")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("rollback")
                raise
            else:
                self.conn.execute("commit")

    def now_ms(self) -> int:
        """Strictly increasing milliseconds, so every write moves lastmodifieddate forward."""
        with self.lock:
            ms = max(int(self.clock() * 1000), self._last_ms + 1)
            self._last_ms = ms
            return ms

    def _seed_definitions(self) -> None:
        with self.transaction() as conn:
            for object_type in schema.OBJECT_TYPES:
                for order, (name, label) in enumerate(schema.GROUPS[object_type]):
                    group = {"name": name, "label": label, "displayOrder": order, "archived": False}
                    conn.execute(
                        "insert or ignore into property_groups values (?, ?, ?)",
                        (object_type, name, json.dumps(group)),
                    )
                for definition in schema.standard_properties(object_type):
                    conn.execute(
                        "insert or ignore into property_defs values (?, ?, ?)",
                        (object_type, definition["name"], json.dumps(definition)),
                    )
        self._load_defs()

    def _load_defs(self) -> None:
        defs: dict[str, dict[str, dict]] = {t: {} for t in schema.OBJECT_TYPES}
        for object_type, name, definition in self.conn.execute(
            "select object_type, name, definition from property_defs"
        ):
            defs[object_type][name] = json.loads(definition)
        self._defs = defs

    # ---- property definitions ---------------------------------------------------------------
    def properties(self, object_type: str) -> list[dict]:
        with self.lock:
            return list(self._defs[object_type].values())

    def property(self, object_type: str, name: str) -> dict | None:
        with self.lock:
            return self._defs[object_type].get(name)

    def groups(self, object_type: str) -> list[dict]:
        with self.lock:
            rows = self.conn.execute(
                "select definition from property_groups where object_type = ? order by name",
                (object_type,),
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def group(self, object_type: str, name: str) -> dict | None:
        with self.lock:
            row = self.conn.execute(
                "select definition from property_groups where object_type = ? and name = ?",
                (object_type, name),
            ).fetchone()
        return json.loads(row[0]) if row else None

    def create_group(self, object_type: str, body: dict) -> dict:
        name = body.get("name")
        label = body.get("label")
        if not isinstance(name, str) or not _NAME.match(name) or not isinstance(label, str):
            raise InputError(
                "VALIDATION_ERROR", "A property group needs a `name` ([A-Za-z0-9_]) and a `label`."
            )
        group = {
            "name": name,
            "label": label,
            "displayOrder": int(body.get("displayOrder", -1)),
            "archived": False,
        }
        with self.transaction() as conn:
            if conn.execute(
                "select 1 from property_groups where object_type = ? and name = ?", (object_type, name)
            ).fetchone():
                raise InputError(
                    "OBJECT_ALREADY_EXISTS", f"A property group named '{name}' already exists.", status=409
                )
            conn.execute(
                "insert into property_groups values (?, ?, ?)", (object_type, name, json.dumps(group))
            )
        return group

    def create_property(self, object_type: str, body: dict) -> dict:
        missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not body.get(k)]
        if missing:
            raise InputError("VALIDATION_ERROR", f"Missing required fields: {', '.join(missing)}")
        name = body["name"]
        if not isinstance(name, str) or not _NAME.match(name) or name != name.lower():
            raise InputError(
                "VALIDATION_ERROR",
                f"Invalid property name '{name}': use lower-case letters, digits and underscores.",
            )
        if body["type"] not in ("string", "number", "date", "datetime", "enumeration", "bool"):
            raise InputError("VALIDATION_ERROR", f"Invalid property type '{body['type']}'.")
        if body["type"] in ("enumeration", "bool") and not body.get("options"):
            raise InputError("VALIDATION_ERROR", f"Property '{name}' of type {body['type']} needs options.")
        now = iso_ms(self.now_ms())
        definition = schema.property_definition(
            name,
            str(body["label"]),
            body["type"],
            body["fieldType"],
            body["groupName"],
            body.get("options"),
            now_iso=now,
        )
        definition["description"] = str(body.get("description") or "")
        if "displayOrder" in body:
            definition["displayOrder"] = body["displayOrder"]
        with self.transaction() as conn:
            if not conn.execute(
                "select 1 from property_groups where object_type = ? and name = ?",
                (object_type, body["groupName"]),
            ).fetchone():
                raise InputError("VALIDATION_ERROR", f"Property group '{body['groupName']}' does not exist.")
            if conn.execute(
                "select 1 from property_defs where object_type = ? and name = ?", (object_type, name)
            ).fetchone():
                raise InputError(
                    "OBJECT_ALREADY_EXISTS", f"Property named '{name}' already exists.", status=409
                )
            conn.execute(
                "insert into property_defs values (?, ?, ?)", (object_type, name, json.dumps(definition))
            )
            self._defs[object_type][name] = definition
        return definition

    def _ensure_custom_property(self, conn, object_type: str, name: str) -> None:
        if name in self._defs[object_type] or not _NAME.match(name):
            return
        definition = schema.property_definition(
            name, name, "string", "text", schema.custom_group_for(object_type)
        )
        conn.execute(
            "insert or ignore into property_defs values (?, ?, ?)",
            (object_type, name, json.dumps(definition)),
        )
        self._defs[object_type][name] = definition

    # ---- values -----------------------------------------------------------------------------
    def normalize(self, object_type: str, name: str, value: object) -> str | None:
        """The stored form of a written value, or InputError (HubSpot's per-property checks)."""
        if name in schema.READ_ONLY:
            raise InputError(
                "VALIDATION_ERROR",
                f'Property "{name}" is read-only.',
                code="READ_ONLY_VALUE",
                property_name=name,
            )
        definition = self._defs[object_type].get(name)
        if definition is None:
            raise InputError(
                "VALIDATION_ERROR",
                f'Property "{name}" does not exist',
                code="PROPERTY_DOESNT_EXIST",
                property_name=name,
            )
        if value is None:
            return None
        if isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = str(value)
        if text == "":
            return None
        kind = definition["type"]

        def bad(code: str, why: str) -> InputError:
            return InputError(
                "VALIDATION_ERROR",
                f'{text!r} is not a valid value for property "{name}": {why}',
                code=code,
                property_name=name,
            )

        if kind == "number":
            try:
                number = float(text)
            except ValueError:
                raise bad("INVALID_INTEGER", "expected a number") from None
            if number != number or number in (float("inf"), float("-inf")):
                raise bad("INVALID_INTEGER", "expected a finite number")
            return text.strip()
        if kind == "bool":
            if text.lower() not in ("true", "false"):
                raise bad("INVALID_BOOLEAN", "expected true or false")
            return text.lower()
        if kind == "enumeration":
            allowed = {o["value"] for o in definition.get("options", [])}
            chosen = text.split(";") if definition.get("fieldType") == "checkbox" else [text]
            for option in chosen:
                if option not in allowed:
                    raise bad("INVALID_OPTION", f"allowed options are {sorted(allowed)}")
            return text
        if kind in ("datetime", "date"):
            try:
                ms = to_ms(text)
            except ValueError:
                raise bad("INVALID_DATE", "expected ISO 8601 or epoch milliseconds") from None
            iso = iso_ms(ms)
            return iso[:10] if kind == "date" else iso
        if len(text) > MAX_STRING:
            raise bad("INVALID_STRING", f"longer than {MAX_STRING} characters")
        return text

    # ---- records ------------------------------------------------------------------------------
    def _row(self, object_type: str, row) -> Record:
        return Record(object_type, row[0], json.loads(row[1]), row[2], row[3])

    def get(self, object_type: str, ids: Iterable[int]) -> dict[int, Record]:
        ids = list(ids)
        out: dict[int, Record] = {}
        with self.lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in self.conn.execute(
                    f"select id, properties, created_ms, modified_ms from objects "
                    f"where object_type = ? and archived = 0 and id in ({marks})",
                    (object_type, *chunk),
                ):
                    out[row[0]] = self._row(object_type, row)
        return out

    def ids_by_property(self, object_type: str, name: str, values: Iterable[str]) -> dict[str, int]:
        """Lower-cased value -> id, for `idProperty` lookups (unique properties such as email)."""
        if name == "hs_object_id":
            return {str(v).lower(): int(v) for v in values if str(v).isdigit()}
        if not _NAME.match(name):
            return {}
        wanted = {str(v).lower() for v in values}
        out: dict[str, int] = {}
        with self.lock:
            rows = self.conn.execute(
                f"select id, lower(json_extract(properties, '$.\"{name}\"')) from objects "
                f"where object_type = ? and archived = 0 "
                f"and json_extract(properties, '$.\"{name}\"') is not null",
                (object_type,),
            ).fetchall()
        for id_, value in rows:
            if value in wanted and value not in out:
                out[value] = id_
        return out

    def list_page(self, object_type: str, after: int | None, limit: int) -> tuple[list[Record], int | None]:
        with self.lock:
            rows = self.conn.execute(
                "select id, properties, created_ms, modified_ms from objects "
                "where object_type = ? and archived = 0 and id > ? order by id limit ?",
                (object_type, after if after is not None else -1, limit + 1),
            ).fetchall()
        records = [self._row(object_type, r) for r in rows[:limit]]
        next_after = records[-1].id if len(rows) > limit else None
        return records, next_after

    def count(self, object_type: str) -> int:
        with self.lock:
            return self.conn.execute(
                "select count(*) from objects where object_type = ? and archived = 0", (object_type,)
            ).fetchone()[0]

    def archive(self, conn, object_type: str, ids: Iterable[int]) -> int:
        """Archive live records (HubSpot's recycling bin): reads, searches and updates no longer
        see them. Returns how many were archived; archiving twice is a no-op."""
        n = 0
        now = self.now_ms()
        for id_ in ids:
            done = conn.execute(
                "update objects set archived = 1, modified_ms = ? where "
                "object_type = ? and id = ? and archived = 0",
                (now, object_type, id_),
            ).rowcount
            if done:
                conn.execute(
                    "insert into write_log (object_type, object_id, at_ms, op, properties) "
                    "values (?, ?, ?, 'archive', '{}')",
                    (object_type, id_, now),
                )
                n += done
        return n

    def update(self, conn, record: Record, properties: dict, op: str) -> Record:
        """Apply validated values to a record inside the caller's transaction."""
        props = dict(record.props)
        written = {}
        for name, value in properties.items():
            stored = self.normalize(record.object_type, name, value)
            written[name] = stored
            if stored is None:
                props.pop(name, None)
            else:
                props[name] = stored
        modified = self.now_ms()
        conn.execute(
            "update objects set properties = ?, modified_ms = ? where object_type = ? and id = ?",
            (json.dumps(props), modified, record.object_type, record.id),
        )
        conn.execute(
            "insert into write_log (object_type, object_id, at_ms, op, properties) values (?, ?, ?, ?, ?)",
            (record.object_type, record.id, modified, op, json.dumps(written)),
        )
        return Record(record.object_type, record.id, props, record.created_ms, modified)

    def create(self, conn, object_type: str, properties: dict, op: str = "create") -> Record:
        props = {}
        for name, value in properties.items():
            stored = self.normalize(object_type, name, value)
            if stored is not None:
                props[name] = stored
        new_id = conn.execute(
            "select coalesce(max(id), 0) + 1 from objects where object_type = ?", (object_type,)
        ).fetchone()[0]
        now = self.now_ms()
        conn.execute(
            "insert into objects (object_type, id, properties, created_ms, modified_ms) "
            "values (?, ?, ?, ?, ?)",
            (object_type, new_id, json.dumps(props), now, now),
        )
        conn.execute(
            "insert into write_log (object_type, object_id, at_ms, op, properties) values (?, ?, ?, ?, ?)",
            (object_type, new_id, now, op, json.dumps(props)),
        )
        return Record(object_type, new_id, props, now, now)

    def bulk_insert(self, object_type: str, rows: Iterable[dict], *, now_ms: int | None = None) -> int:
        """Insert records as given (no validation, no write log), for loading data; an existing
        record is replaced only by a version at least as recent.

        Each row is a dict of property values; `hs_object_id` is required, `createdate` and
        `lastmodifieddate` (or `hs_lastmodifieddate`) default to now.
        """
        now = now_ms if now_ms is not None else self.now_ms()
        n = 0
        with self.transaction() as conn:
            for row in rows:
                id_ = int(row["hs_object_id"])
                created = to_ms(row.get("createdate")) or now
                modified = (
                    to_ms(row.get("lastmodifieddate")) or to_ms(row.get("hs_lastmodifieddate")) or created
                )
                props = {
                    k: str(v) for k, v in row.items() if v not in (None, "") and k not in schema.READ_ONLY
                }
                for name in props:
                    self._ensure_custom_property(conn, object_type, name)
                conn.execute(
                    "insert into objects (object_type, id, properties, created_ms, modified_ms) "
                    "values (?, ?, ?, ?, ?) on conflict (object_type, id) do update set "
                    "properties = excluded.properties, created_ms = excluded.created_ms, "
                    "modified_ms = excluded.modified_ms, archived = 0 "
                    "where excluded.modified_ms >= objects.modified_ms",
                    (object_type, id_, json.dumps(props), created, modified),
                )
                n += 1
        return n

    # ---- search -------------------------------------------------------------------------------
    def _expr(self, object_type: str, name: str) -> tuple[str, str]:
        if not isinstance(name, str) or not _NAME.match(name):
            raise InputError("VALIDATION_ERROR", f"Invalid property name in filter or sort: {name!r}")
        if name == "hs_object_id":
            return "id", "num"
        if name == "createdate":
            return "created_ms", "ms"
        if name in schema.MODIFIED_PROPERTIES:
            return "modified_ms", "ms"
        kind = self._defs[object_type].get(name, {}).get("type", "string")
        raw = f"json_extract(properties, '$.\"{name}\"')"
        if kind == "number":
            return f"cast({raw} as real)", "num"
        if kind in ("datetime", "date"):
            return raw, kind
        return f"lower({raw})", "str"

    @staticmethod
    def _value(kind: str, value: object) -> object:
        try:
            if kind == "num":
                return float(value)
            if kind == "ms":
                return to_ms(value)
            if kind == "datetime":
                return iso_ms(to_ms(value))
            if kind == "date":
                return iso_ms(to_ms(value))[:10]
        except (TypeError, ValueError):
            raise InputError("VALIDATION_ERROR", f"Invalid filter value {value!r}") from None
        return str(value).lower()

    def _filter_sql(self, object_type: str, flt: dict) -> tuple[str, list]:
        if not isinstance(flt, dict):
            raise InputError("VALIDATION_ERROR", "Each filter must be an object.")
        name = flt.get("propertyName")
        op = str(flt.get("operator", "EQ")).upper()
        expr, kind = self._expr(object_type, name)
        if op == "HAS_PROPERTY":
            return f"{expr} is not null", []
        if op == "NOT_HAS_PROPERTY":
            return f"{expr} is null", []
        if op in ("IN", "NOT_IN"):
            values = flt.get("values")
            if not isinstance(values, list) or not values:
                raise InputError("VALIDATION_ERROR", f"Operator {op} needs `values`.")
            marks = ",".join("?" * len(values))
            neg = "not " if op == "NOT_IN" else ""
            return f"{expr} {neg}in ({marks})", [self._value(kind, v) for v in values]
        if op == "BETWEEN":
            return (
                f"{expr} >= ? and {expr} <= ?",
                [self._value(kind, flt.get("value")), self._value(kind, flt.get("highValue"))],
            )
        if op == "CONTAINS_TOKEN":
            token = str(flt.get("value", "")).lower().replace("*", "%")
            return f"{expr} like ?", [f"%{token}%"]
        if op == "NOT_CONTAINS_TOKEN":
            token = str(flt.get("value", "")).lower().replace("*", "%")
            return f"({expr} is null or {expr} not like ?)", [f"%{token}%"]
        sql_op = {"EQ": "=", "NEQ": "!=", "LT": "<", "LTE": "<=", "GT": ">", "GTE": ">="}.get(op)
        if sql_op is None:
            raise InputError("VALIDATION_ERROR", f"Unsupported operator {op!r}.")
        if "value" not in flt:
            raise InputError("VALIDATION_ERROR", f"Operator {op} needs a `value`.")
        return f"{expr} {sql_op} ?", [self._value(kind, flt["value"])]

    def search(self, object_type: str, body: dict, offset: int, limit: int) -> tuple[int, list[Record]]:
        groups = body.get("filterGroups") or []
        if not isinstance(groups, list) or len(groups) > 5:
            raise InputError("VALIDATION_ERROR", "At most 5 filterGroups are allowed.")
        ors, params = [], []
        n_filters = 0
        for group in groups:
            filters = (group or {}).get("filters") or [] if isinstance(group, dict) else None
            if filters is None or len(filters) > 6:
                raise InputError("VALIDATION_ERROR", "At most 6 filters a filterGroup are allowed.")
            n_filters += len(filters)
            ands = []
            for flt in filters:
                sql, p = self._filter_sql(object_type, flt)
                ands.append(f"({sql})")
                params.extend(p)
            if ands:
                ors.append("(" + " and ".join(ands) + ")")
        if n_filters > 18:
            raise InputError("VALIDATION_ERROR", "At most 18 filters in all are allowed.")
        where = "object_type = ? and archived = 0"
        if ors:
            where += " and (" + " or ".join(ors) + ")"
        query = body.get("query")
        if query:
            where += " and (lower(properties) like ?)"
            params.append(f"%{str(query).lower()}%")
        order = []
        for sort in body.get("sorts") or []:
            if isinstance(sort, str):
                name, desc = sort.lstrip("-"), sort.startswith("-")
            elif isinstance(sort, dict):
                name = sort.get("propertyName")
                desc = str(sort.get("direction", "ASCENDING")).upper().startswith("DESC")
            else:
                raise InputError("VALIDATION_ERROR", "Invalid sort.")
            expr, _ = self._expr(object_type, name)
            order.append(f"({expr} is null), {expr} {'desc' if desc else 'asc'}")
        order.append("id asc")
        with self.lock:
            total = self.conn.execute(
                f"select count(*) from objects where {where}", (object_type, *params)
            ).fetchone()[0]
            rows = self.conn.execute(
                f"select id, properties, created_ms, modified_ms from objects where {where} "
                f"order by {', '.join(order)} limit ? offset ?",
                (object_type, *params, limit, offset),
            ).fetchall()
        return total, [self._row(object_type, r) for r in rows]

    # ---- associations ---------------------------------------------------------------------------
    def associate(
        self, conn, from_type: str, from_id: int, to_type: str, to_id: int, type_id: int | None = None
    ) -> None:
        """Store an association and its reverse (HubSpot associations are two-way)."""
        forward = type_id or schema.ASSOCIATION_TYPE_IDS.get((from_type, to_type), 0)
        reverse = schema.ASSOCIATION_TYPE_IDS.get((to_type, from_type), 0)
        conn.execute(
            "insert or ignore into associations values (?, ?, ?, ?, ?)",
            (from_type, from_id, to_type, to_id, forward),
        )
        conn.execute(
            "insert or ignore into associations values (?, ?, ?, ?, ?)",
            (to_type, to_id, from_type, from_id, reverse),
        )

    def dissociate(self, conn, from_type: str, from_id: int, to_type: str, to_id: int) -> None:
        """Remove every association between two records, both directions."""
        conn.execute(
            "delete from associations where from_type = ? and from_id = ? and to_type = ? and to_id = ?",
            (from_type, from_id, to_type, to_id),
        )
        conn.execute(
            "delete from associations where from_type = ? and from_id = ? and to_type = ? and to_id = ?",
            (to_type, to_id, from_type, from_id),
        )

    def associations(
        self, from_type: str, ids: Iterable[int], to_type: str
    ) -> dict[int, list[tuple[int, int]]]:
        ids = list(ids)
        out: dict[int, list[tuple[int, int]]] = {}
        with self.lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for from_id, to_id, type_id in self.conn.execute(
                    f"select from_id, to_id, type_id from associations where from_type = ? "
                    f"and to_type = ? and from_id in ({marks}) order by from_id, to_id",
                    (from_type, to_type, *chunk),
                ):
                    out.setdefault(from_id, []).append((to_id, type_id))
        return out

    # ---- write log ------------------------------------------------------------------------------
    def write_counts(self, object_type: str = "contacts") -> dict[int, int]:
        with self.lock:
            return dict(
                self.conn.execute(
                    "select object_id, count(*) from write_log where object_type = ? group by object_id",
                    (object_type,),
                ).fetchall()
            )

    def write_log(self, object_type: str = "contacts") -> list[tuple[int, str, dict]]:
        with self.lock:
            rows = self.conn.execute(
                "select object_id, op, properties from write_log where object_type = ? order by seq",
                (object_type,),
            ).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    # ---- loading landing CSVs -------------------------------------------------------------------
    def load_landing(self, landing_dir: str | Path) -> dict[str, int]:
        """Load `crm/date=*/{contacts,companies,deals}.csv`, keeping the latest version of each
        record (by `lastmodifieddate`, later files winning ties) with its original hs_object_id."""
        crm = Path(landing_dir) / "crm"
        counts = {}
        assoc: list[tuple[str, int, str, int]] = []
        for object_type in schema.OBJECT_TYPES:
            latest: dict[int, tuple[int, dict]] = {}
            for path in sorted(crm.glob(f"date=*/{object_type}.csv")):
                with path.open(newline="", encoding="utf-8") as fh:
                    for row in csv.DictReader(fh):
                        try:
                            id_ = int(str(row.get("hs_object_id", "")).strip())
                            modified = (
                                to_ms(row.get("lastmodifieddate"))
                                or to_ms(row.get("hs_lastmodifieddate"))
                                or 0
                            )
                        except ValueError:
                            continue  # the sandbox loads what it can; ingestion quarantines
                        previous = latest.get(id_)
                        if previous is None or modified >= previous[0]:
                            latest[id_] = (modified, row)
            rows = []
            for id_, (_, row) in latest.items():
                row = {k: v for k, v in row.items() if k is not None}
                if object_type == "contacts" and (row.get("associatedcompanyid") or "").strip():
                    assoc.append(("contacts", id_, "companies", _int(row["associatedcompanyid"])))
                if object_type == "deals":
                    contact = row.pop("associated_contact_id", "") or ""
                    company = row.pop("associated_company_id", "") or ""
                    for value in contact.split(";"):
                        if value.strip():
                            assoc.append(("deals", id_, "contacts", _int(value)))
                    for value in company.split(";"):
                        if value.strip():
                            assoc.append(("deals", id_, "companies", _int(value)))
                rows.append(row)
            counts[object_type] = self.bulk_insert(object_type, rows)
        with self.transaction() as conn:
            for from_type, from_id, to_type, to_id in assoc:
                if to_id is not None:
                    self.associate(conn, from_type, from_id, to_type, to_id)
        return counts


def _int(value: str) -> int | None:
    try:
        return int(float(str(value).strip()))
    except ValueError:
        return None
