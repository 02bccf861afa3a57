"""Read a generated landing folder back (for the generator's tests)."""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def day_dirs(root: Path, source: str) -> list[Path]:
    return sorted((root / source).glob("date=*"))


def read_events(root: Path) -> list[dict]:
    events = []
    for day in day_dirs(root, "web_events"):
        with gzip.open(day / "part-0.jsonl.gz", "rt", encoding="utf-8") as f:
            for line in f:
                event = json.loads(line)
                event["_day"] = day.name[len("date=") :]
                events.append(event)
    return events


def latest(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """The last version of each record (by lastmodifieddate), keyed by hs_object_id."""
    out: dict[str, dict[str, str]] = {}
    for row in rows:
        key = row["hs_object_id"]
        if key not in out or row["lastmodifieddate"] >= out[key]["lastmodifieddate"]:
            out[key] = row
    return out


def read_entity(root: Path, entity: str) -> list[dict[str, str]]:
    rows = []
    for day in day_dirs(root, "crm"):
        for row in read_csv(day / f"{entity}.csv"):
            row["_day"] = day.name[len("date=") :]
            rows.append(row)
    return rows


@dataclass
class Landing:
    root: Path
    contacts: dict[str, dict[str, str]] = field(default_factory=dict)
    companies: dict[str, dict[str, str]] = field(default_factory=dict)
    deals: dict[str, dict[str, str]] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    planted: list[dict[str, str]] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Landing:
        return cls(
            root=root,
            contacts=latest(read_entity(root, "contacts")),
            companies=latest(read_entity(root, "companies")),
            deals=latest(read_entity(root, "deals")),
            events=read_events(root),
            planted=read_csv(root / "_generator" / "planted_leads.csv"),
            manifest=json.loads((root / "_generator" / "manifest.json").read_text()),
        )

    def resolve(self) -> dict[str, str]:
        """anonymousId -> contact id, from events with a userId and from forms with an email."""
        by_email = {c["email"]: key for key, c in sorted(self.contacts.items())}
        out: dict[str, str] = {}
        for e in self.events:
            if e.get("userId"):
                out.setdefault(e["anonymousId"], e["userId"])
            elif e.get("event") == "Form Submitted":
                contact = by_email.get(e["properties"].get("email", ""))
                if contact:
                    out.setdefault(e["anonymousId"], contact)
        return out

    def events_by_contact(self) -> dict[str, list[dict]]:
        owner = self.resolve()
        out: dict[str, list[dict]] = {}
        for e in self.events:
            contact = e.get("userId") or owner.get(e["anonymousId"])
            if contact:
                out.setdefault(contact, []).append(e)
        return out
