"""Sample data for the whole pipeline: `lead-scoring generate`.

Writes the landing layout of `docs/data_contracts.md` (daily incremental CRM exports and daily
Segment-spec web events) for a synthetic population with known truth: planted hot, cold and junk
leads (`_generator/planted_leads.csv`) and deals whose outcomes depend on a hidden fit and
engagement propensity. Same arguments and seed, same bytes.
"""

from __future__ import annotations

from .generator import generate
from .settings import Settings

__all__ = ["Settings", "generate"]
