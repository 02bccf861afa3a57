"""Which files of a landing day each reader loads, and which ones nothing reads.

Names are matched without regard to case: `Contacts.CSV` is the contacts export, and web events
are `*.jsonl`, `*.ndjson` or `*.json` (one JSON object a line), each optionally gzipped (`.gz`).
Every other file in a day's folders, subfolders included, is reported as not loaded: the load
records it in `raw.load_audit` and logs a warning, so no landed file is ignored in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

EVENT_SUFFIXES = (".jsonl", ".ndjson", ".json")
NOT_RECOGNISED = "not recognised, not loaded"


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def compression(path: Path) -> str:
    """DuckDB's `compression` option for a file, from its name whatever its case."""
    return "gzip" if is_gzip(path) else "none"


def _plain_name(path: Path) -> str:
    name = path.name.lower()
    return name[: -len(".gz")] if name.endswith(".gz") else name


@dataclass
class DayFiles:
    crm: dict[str, list[Path]] = field(default_factory=dict)  # entity -> its exports
    events: list[Path] = field(default_factory=list)
    not_recognised: list[Path] = field(default_factory=list)


def day_files(landing_dir: Path, day: date, entities: list[str]) -> DayFiles:
    """The day's files under `crm/date=D/` and `web_events/date=D/`, sorted by name."""
    found = DayFiles(crm={entity: [] for entity in entities})
    crm_dir = landing_dir / "crm" / f"date={day.isoformat()}"
    events_dir = landing_dir / "web_events" / f"date={day.isoformat()}"
    for folder in (crm_dir, events_dir):
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            plain = _plain_name(path)
            top_level = path.parent == folder
            if (
                top_level
                and folder is crm_dir
                and plain.removesuffix(".csv") in found.crm
                and plain.endswith(".csv")
            ):
                found.crm[plain.removesuffix(".csv")].append(path)
            elif top_level and folder is events_dir and plain.endswith(EVENT_SUFFIXES):
                found.events.append(path)
            else:
                found.not_recognised.append(path)
    return found
