"""What every loaded row is stamped with, and what every file's load reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# A CRM date or event time outside [1970-01-01, end of the day after the load date] is implausible
# (a clock reset, a placeholder such as 1900-01-01, a typo'd year): its row is quarantined.
EARLIEST_PLAUSIBLE = date(1970, 1, 1)
PLAUSIBLE_AHEAD = timedelta(days=1)


def plausible_bounds(load_date: date) -> tuple[str, str]:
    """SQL literals (timestamptz, UTC) of the first and last plausible instant for a load date."""
    end = load_date + PLAUSIBLE_AHEAD + timedelta(days=1)
    return (
        f"timestamptz '{EARLIEST_PLAUSIBLE.isoformat()} 00:00:00+00'",
        f"(timestamptz '{end.isoformat()} 00:00:00+00' - interval 1 microsecond)",
    )


@dataclass(frozen=True)
class LoadContext:
    load_date: date
    loaded_at: datetime
    dag_run_id: str
    column_mapping: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def params(self) -> list:
        """Bind values for the `?, ?, ?` of (_load_date, _loaded_at, _dag_run_id)."""
        return [self.load_date, self.loaded_at, self.dag_run_id]


@dataclass
class FileStats:
    source_file: str
    entity: str | None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    seconds: float = 0.0
    sample_errors: list[str] = field(default_factory=list)
    note: str | None = None  # raw.load_audit.note: why the file was not (wholly) loaded
    unreadable: int = 0  # 1 when the quarantine holds the unreadable rest of a damaged file

    @property
    def bad_share(self) -> float:
        """Share of the file's rows quarantined. The unreadable rest of a damaged file is one
        quarantined entry, logged as a warning, and not a bad row: one damaged file must not
        stop the day's load."""
        read = self.rows_read - self.unreadable
        return (self.rows_quarantined - self.unreadable) / read if read else 0.0


@dataclass
class StagedFile:
    """A file read and checked into temp tables, and the inserts that load it.

    Staging runs outside the day's transaction and only the inserts into `raw.*` run inside it:
    DuckDB 2.0 can return no rows when a query projects an all-NULL column of a large temp table
    filled inside an open transaction, so temp tables are only written in autocommit mode.
    """

    stats: FileStats
    writes: list[tuple[str, list]] = field(default_factory=list)
    temp_tables: list[str] = field(default_factory=list)
