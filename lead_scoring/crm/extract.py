"""Ingestion through the CRM API: pull contacts, companies and deals changed since a watermark and
land them as CSV files in the export layout, so the standard ingestion loads them unchanged.

    <landing>/crm/date=YYYY-MM-DD/contacts.csv   (companies.csv, deals.csv)

Same columns as the CRM export (the contract columns first, then every other property the CRM
has, custom ones included); deals get `associated_contact_id` / `associated_company_id` from
their associations. A file that already exists for the day is merged (latest version of each
record wins), so two pulls on one day lose nothing when ingestion reloads that day.

The watermark per object type lives in `sync.crm_extract_watermarks` and moves only after the
files are written, and only to the end of the last time window fully read: a DAILY 429 in the
middle leaves the rest for the next run.
"""

from __future__ import annotations

import csv
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from lead_scoring.crm.client import MODIFIED_PROPERTY, SEARCH_CAP, CrmClient, DailyLimitReached
from lead_scoring.crm.timeutil import from_ms, iso_ms, now_ms, to_ms
from lead_scoring.sync import warehouse
from lead_scoring.warehouse import Warehouse

log = logging.getLogger(__name__)

OBJECT_TYPES = ("contacts", "companies", "deals")

# The export's columns, in the export's order; every other property follows, sorted.
EXPORT_COLUMNS = {
    "contacts": [
        "hs_object_id",
        "email",
        "firstname",
        "lastname",
        "jobtitle",
        "country",
        "city",
        "lifecyclestage",
        "createdate",
        "lastmodifieddate",
        "hs_analytics_source",
        "associatedcompanyid",
    ],
    "companies": [
        "hs_object_id",
        "name",
        "domain",
        "industry",
        "numberofemployees",
        "annualrevenue",
        "country",
        "createdate",
        "lastmodifieddate",
    ],
    "deals": [
        "hs_object_id",
        "dealname",
        "dealstage",
        "pipeline",
        "amount",
        "createdate",
        "closedate",
        "lastmodifieddate",
        "associated_contact_id",
        "associated_company_id",
    ],
}
DEAL_ASSOCIATIONS = {"associated_contact_id": "contacts", "associated_company_id": "companies"}


@dataclass
class ObjectExtract:
    object_type: str
    since: datetime
    until: datetime
    rows: int = 0
    windows: int = 0
    file: str | None = None
    watermark: datetime | None = None  # the stored watermark after this run
    stopped_reason: str | None = None


@dataclass
class ExtractResult:
    objects: dict[str, ObjectExtract] = field(default_factory=dict)
    stopped_reason: str | None = None

    @property
    def rows(self) -> int:
        return sum(o.rows for o in self.objects.values())

    def summary(self) -> str:
        parts = [f"{o.object_type}: {o.rows} rows in {o.windows} windows" for o in self.objects.values()]
        text = "; ".join(parts) or "nothing to extract"
        return text + (f"; stopped: {self.stopped_reason}" if self.stopped_reason else "")


def read_watermarks(target: Warehouse | str | Path | None) -> dict[str, datetime]:
    with warehouse.opened(target) as conn:
        warehouse.ensure_tables(conn)
        return dict(conn.execute("select object_type, watermark from sync.crm_extract_watermarks").fetchall())


def _store_watermark(target: Warehouse | str | Path | None, object_type: str, watermark: datetime) -> None:
    with warehouse.opened(target) as conn:
        warehouse.insert_rows(
            conn,
            "sync.crm_extract_watermarks",
            ["object_type", "watermark", "updated_at"],
            [[object_type, watermark, datetime.now(tz=UTC).replace(tzinfo=None)]],
            key=["object_type"],
        )


def _columns(object_type: str, property_names: list[str]) -> list[str]:
    first = EXPORT_COLUMNS[object_type]
    rest = sorted(set(property_names) - set(first) - {"hs_lastmodifieddate"})
    return [*first, *rest]


def _row(object_type: str, record: dict, columns: list[str]) -> dict[str, str]:
    props = dict(record.get("properties") or {})
    props.setdefault("hs_object_id", record.get("id"))
    if not props.get("lastmodifieddate"):
        props["lastmodifieddate"] = props.get("hs_lastmodifieddate") or record.get("updatedAt")
    if not props.get("createdate"):
        props["createdate"] = record.get("createdAt")
    return {c: "" if props.get(c) is None else str(props[c]) for c in columns}


def _modified(row: dict) -> int:
    try:
        return to_ms(row.get("lastmodifieddate")) or 0
    except ValueError:
        return 0


def write_landing_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> int:
    """Write (or merge into) one landing CSV atomically; return the rows in the file."""
    merged: dict[str, dict] = {}
    header = list(columns)
    if path.exists():
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            old_header = list(reader.fieldnames or [])
            header = old_header + [c for c in columns if c not in old_header]
            for row in reader:
                merged[row.get("hs_object_id", "")] = row
    for row in rows:
        key = row["hs_object_id"]
        if key not in merged or _modified(row) >= _modified(merged[key]):
            merged[key] = row
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore", restval="")
        writer.writeheader()
        for key in sorted(merged, key=lambda k: (len(k), k)):
            writer.writerow(merged[key])
    os.replace(tmp, path)
    return len(merged)


def extract_crm(
    client: CrmClient,
    target: Warehouse | str | Path | None,
    landing_dir: str | Path,
    *,
    object_types: tuple[str, ...] = OBJECT_TYPES,
    run_date: date | None = None,
    until: datetime | None = None,
    lag_seconds: float = 60.0,
    initial_since: datetime | None = None,
    search_cap: int = SEARCH_CAP,
    page_size: int = 200,
) -> ExtractResult:
    """Pull what changed since each object type's watermark into `<landing>/crm/date=<run_date>/`.

    `until` defaults to now minus `lag_seconds` (HubSpot's search index trails writes by a few
    seconds); the first run starts at `initial_since` (default: the beginning of time).
    `run_date` (the landing folder's date) defaults to the UTC date of `until`.
    """
    until_ms = to_ms(until) if until is not None else now_ms() - int(lag_seconds * 1000)
    day = run_date or datetime.fromtimestamp(until_ms / 1000, tz=UTC).date()
    folder = Path(landing_dir) / "crm" / f"date={day.isoformat()}"
    watermarks = read_watermarks(target)
    result = ExtractResult()
    for object_type in object_types:
        start = watermarks.get(object_type) or initial_since
        since_ms = to_ms(start) if start is not None else 0
        item = ObjectExtract(
            object_type, from_ms(since_ms), from_ms(until_ms), watermark=watermarks.get(object_type)
        )
        result.objects[object_type] = item
        if until_ms <= since_ms:
            continue
        names: list[str] = []
        records: list[dict] = []
        done_ms = since_ms
        try:
            names = [p["name"] for p in client.list_properties(object_type) if p.get("name")]
            wanted = sorted(
                set(names)
                | {"hs_object_id", "createdate", MODIFIED_PROPERTY.get(object_type, "hs_lastmodifieddate")}
            )
            for _lo, hi, found in client.modified_windows(
                object_type,
                since_ms,
                until_ms,
                properties=wanted,
                cap=search_cap,
                page_size=page_size,
            ):
                records.extend(found)
                done_ms = hi
                item.windows += 1
            columns = _columns(object_type, names)
            rows = [_row(object_type, r, columns) for r in records]
            if object_type == "deals" and rows:
                ids = [r["hs_object_id"] for r in rows]
                for column, to_type in DEAL_ASSOCIATIONS.items():
                    links = client.associations("deals", to_type, ids)
                    for row in rows:
                        row[column] = (links.get(row["hs_object_id"]) or [""])[0]
        except DailyLimitReached as exc:
            log.warning("CRM extract of %s stopped by the daily limit: %s", object_type, exc)
            item.stopped_reason = result.stopped_reason = "daily_limit"
            if object_type == "deals":  # deals need their associations; all or nothing
                records, done_ms = [], since_ms
            columns = _columns(object_type, names)
            rows = [_row(object_type, r, columns) for r in records]
        if rows:
            path = folder / f"{object_type}.csv"
            write_landing_csv(path, columns, rows)
            item.file = str(path)
            item.rows = len(rows)
        if done_ms > since_ms:
            item.watermark = from_ms(done_ms)
            _store_watermark(target, object_type, item.watermark)
        log.info(
            "CRM extract %s: %d rows modified in [%s, %s), watermark %s",
            object_type,
            item.rows,
            iso_ms(since_ms),
            iso_ms(until_ms),
            item.watermark,
        )
        if result.stopped_reason:
            break
    return result
