"""Run the generator: chunk by chunk, simulate and append to the open day files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TextIO

import numpy as np

from . import behaviour, population
from .names import JUNK_REASONS
from .settings import Settings
from .writers import Output

FORMAT_VERSION = 1


def generate(out: Path, settings: Settings, progress: TextIO | None = None) -> dict:
    """Write the landing layout under `out` and return the manifest (also written to
    `out/_generator/manifest.json`). Progress lines go to `progress` (the CLI: stderr)."""
    out = Path(out)
    started = time.perf_counter()
    counts = {
        "contacts": 0,
        "companies": 0,
        "deals": 0,
        "deals_won": 0,
        "deals_lost": 0,
        "events": 0,
        "anonymous_visitors": 0,
        "contact_rows": 0,
        "company_rows": 0,
        "deal_rows": 0,
    }
    planted = {"hot": 0, "cold": 0, "junk": 0}
    junk_reasons = dict.fromkeys(JUNK_REASONS, 0)
    output = Output(out, settings)
    try:
        for chunk in range(settings.n_chunks):
            rng = np.random.default_rng([settings.seed, chunk])
            pop = population.build(settings, chunk, rng)
            beh = behaviour.simulate(settings, pop, rng)
            for key, value in output.write_crm(pop, beh).items():
                counts[key] += value
            for key, value in output.write_planted(pop).items():
                planted[key] += value
            for r in pop.junk_reason[pop.junk_reason >= 0].tolist():
                junk_reasons[JUNK_REASONS[r]] += 1
            counts["events"] += output.write_events(pop, beh, settings.seed)
            counts["contacts"] += len(pop)
            counts["companies"] += len(pop.companies)
            counts["deals"] += len(beh.deals)
            counts["deals_won"] += int(beh.deals.won.sum())
            counts["deals_lost"] += int(((beh.deals.close_s >= 0) & ~beh.deals.won).sum())
            counts["anonymous_visitors"] += beh.n_visitors - len(pop)
            if progress is not None:
                elapsed = time.perf_counter() - started
                print(
                    f"chunk {chunk + 1}/{settings.n_chunks}: {counts['contacts']:,} contacts, "
                    f"{counts['events']:,} events, {counts['events'] / elapsed:,.0f} events/s",
                    file=progress,
                    flush=True,
                )
            del pop, beh
    finally:
        output.close()
    manifest = {
        "generator": "lead-scoring generate",
        "format_version": FORMAT_VERSION,
        "arguments": settings.as_manifest(),
        "seed": settings.seed,
        "window": {
            "start_date": settings.start_date.isoformat(),
            "end_date": settings.end_date.isoformat(),
            "days": settings.days,
        },
        "counts": counts,
        "planted": planted,
        "junk_reasons": junk_reasons,
    }
    output.write_manifest(manifest)
    return manifest
