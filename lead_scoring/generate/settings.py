"""The generator's arguments and everything derived from them once: the window, the chunks, the
share of planted leads each chunk gets."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

DAY = 86_400
DEFAULT_END_DATE = dt.date(2026, 11, 20)

# Id ranges: contacts, companies and deals never overlap, whatever the number of contacts.
CONTACT_ID_BASE = 1_000_000
COMPANY_ID_BASE = 5_000_000_000
DEAL_ID_BASE = 9_000_000_000

BACKLOG_SECONDS = 365 * DAY  # backlog contacts were created in the year before the window

# --plant-effects: this hs_analytics_source triples deals; this share of contacts reads case
# studies at random
PLANTED_STRONG_SOURCE = "REFERRALS"
PLANTED_NO_EFFECT_SHARE = 0.3


@dataclass(frozen=True)
class Settings:
    contacts: int = 2000
    days: int = 30
    end_date: dt.date = DEFAULT_END_DATE
    events_per_contact: float = 30.0
    seed: int = 42
    junk_share: float = 0.03
    chunk_size: int = 20_000
    # Plant effects that the example rules get wrong, so calibration has a known truth to recover:
    # hs_analytics_source = PLANTED_STRONG_SOURCE triples the chance of a deal (the rules ignore
    # the property), and case-study pages (which the rules reward) are visited at random by
    # contacts whatever they will do (no effect on deals).
    plant_effects: bool = False

    def __post_init__(self) -> None:
        if not 50 <= self.contacts < 10_000_000:
            raise ValueError(
                "--contacts must be between 50 (planted leads need room) and "
                "9,999,999 (free-mail addresses are numbered below 10**7)"
            )
        if self.days < 1:
            raise ValueError("--days must be at least 1")
        if not 0 <= self.junk_share <= 0.5:
            raise ValueError("--junk-share must be between 0 and 0.5")
        if self.events_per_contact < 0:
            raise ValueError("--events-per-contact must not be negative")
        if self.chunk_size < 50:
            raise ValueError("--chunk-size must be at least 50")

    # -- the window: days [start_date, end_date], times [window_start, window_end) in epoch s
    @property
    def start_date(self) -> dt.date:
        return self.end_date - dt.timedelta(days=self.days - 1)

    @property
    def window_start(self) -> int:
        return int(dt.datetime.combine(self.start_date, dt.time(), dt.UTC).timestamp())

    @property
    def window_end(self) -> int:
        return self.window_start + self.days * DAY

    def day_strings(self) -> list[str]:
        return [(self.start_date + dt.timedelta(days=i)).isoformat() for i in range(self.days)]

    # -- chunks and shares
    @property
    def n_chunks(self) -> int:
        return -(-self.contacts // self.chunk_size)

    def chunk_bounds(self, chunk: int) -> tuple[int, int]:
        """Contacts [start, stop) of a chunk; chunks are of even size (none is a tiny tail)."""
        n = self.n_chunks
        return self.contacts * chunk // n, self.contacts * (chunk + 1) // n

    def cumulative(self, total: int, position: int) -> int:
        """How many of `total` items fall before contact `position` (even spread, exact sum)."""
        return total * position // self.contacts

    def chunk_share(self, total: int, chunk: int) -> tuple[int, int]:
        """(first global index, count) of the `total` items the chunk gets."""
        start, stop = self.chunk_bounds(chunk)
        first = self.cumulative(total, start)
        return first, self.cumulative(total, stop) - first

    @property
    def n_junk(self) -> int:
        return round(self.contacts * self.junk_share)

    @property
    def n_hot(self) -> int:
        return max(5, self.contacts // 1000)

    @property
    def n_cold(self) -> int:
        return max(5, self.contacts // 1000)

    def as_manifest(self) -> dict[str, object]:
        """Arguments as written to the manifest (the output folder is left out on purpose, so
        two runs into different folders write the same bytes)."""
        values = asdict(self)
        values["end_date"] = self.end_date.isoformat()
        return values
