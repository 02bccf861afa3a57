"""Load landed CRM exports and web events into the warehouse's `raw` schema, quarantining bad rows."""

from lead_scoring.ingest.errors import IngestError, MissingColumnsError, TooManyBadRowsError
from lead_scoring.ingest.load import LoadReport, load_days

__all__ = [
    "IngestError",
    "LoadReport",
    "MissingColumnsError",
    "TooManyBadRowsError",
    "load_days",
]
