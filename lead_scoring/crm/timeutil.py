"""Timestamps as HubSpot writes them: ISO 8601 in UTC with milliseconds, or epoch milliseconds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_DIGITS = re.compile(r"^-?\d+$")


def to_ms(value: object) -> int | None:
    """Epoch milliseconds from epoch ms (int or digit string), an ISO 8601 string or a datetime.

    Naive datetimes and strings without an offset are taken as UTC. Returns None for empty input;
    raises ValueError for anything else it cannot read.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(round(dt.timestamp() * 1000))
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp() * 1000)
    text = str(value).strip()
    if not text:
        return None
    if _DIGITS.match(text):
        return int(text)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(round(dt.timestamp() * 1000))


def iso_ms(ms: int) -> str:
    """`2026-11-20T13:45:12.345Z` (HubSpot's output format)."""
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def now_ms() -> int:
    return int(datetime.now(tz=UTC).timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    """A naive UTC datetime (what DuckDB TIMESTAMP columns hold)."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).replace(tzinfo=None)
