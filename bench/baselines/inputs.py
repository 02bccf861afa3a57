"""What both baselines read: the landed files of the days up to the score date, the rule seeds and
the scoring vars of the dbt project.

The landing days are picked the way one DAG run for the score date with `load_from` = the first
landed day loads them: every `date=D` folder with D <= the score date, in date order, and within a
day the files ingestion itself would pick (same globs, same order).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from lead_scoring import paths
from lead_scoring.ingest.web_events import DEDUP_WINDOW_DAYS, SEGMENT_TYPES

DBT_PROJECT_FILE = paths.DBT_PROJECT_DIR / "dbt_project.yml"
CRM_ENTITIES = ("contacts", "companies")  # deals only decide lifecycle_stage, which is not compared
SCORING_VARS = ("fit_weight", "default_window_days", "junk_consonant_run_length")

__all__ = [
    "CRM_ENTITIES", "DEDUP_WINDOW_DAYS", "SEGMENT_TYPES", "LandedDay",
    "landed_days", "scoring_vars", "seeds_dir_or_default",
]


@dataclass(frozen=True)
class LandedDay:
    day: dt.date
    crm_files: dict[str, list[Path]] = field(default_factory=dict)
    event_files: list[Path] = field(default_factory=list)


def _day_folders(root: Path) -> dict[dt.date, Path]:
    folders = {}
    for folder in root.glob("date=*"):
        try:
            folders[dt.date.fromisoformat(folder.name.removeprefix("date="))] = folder
        except ValueError:
            continue
    return folders


def seeds_dir_or_default(seeds_dir: Path | None) -> Path:
    """The rule seeds to read: `seeds_dir`, else the folder dbt reads (`paths.seeds_dir()`:
    LEAD_SCORING_SEEDS_DIR when set, otherwise the dbt project's seeds)."""
    return Path(seeds_dir) if seeds_dir is not None else paths.seeds_dir()


def landed_days(landing_dir: Path, score_date: dt.date) -> list[LandedDay]:
    """Every landed day up to the score date, oldest first, with its CRM exports and event files."""
    crm = _day_folders(Path(landing_dir) / "crm")
    web = _day_folders(Path(landing_dir) / "web_events")
    days = []
    for day in sorted(d for d in set(crm) | set(web) if d <= score_date):
        crm_files = {
            entity: sorted(p for p in crm[day].glob(f"{entity}.csv*") if p.suffix in (".csv", ".gz"))
            for entity in CRM_ENTITIES
        } if day in crm else {entity: [] for entity in CRM_ENTITIES}
        event_files = sorted(
            p for p in web[day].glob("*.jsonl*") if p.name.endswith((".jsonl", ".jsonl.gz"))
        ) if day in web else []
        days.append(LandedDay(day, crm_files, event_files))
    return days


def scoring_vars(overrides: dict | None = None, seeds_dir: Path | None = None) -> dict:
    """What combines the points into scores: the dbt vars (default_window_days,
    junk_consonant_run_length; dbt_project.yml's values with `overrides` on top, as
    `dbt_build(vars=...)` would put them), and the weights and base points of seed
    scoring_categories, the weights overridden by var fit_weight when it is set."""
    project = yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))
    values = {name: project["vars"][name] for name in SCORING_VARS} | dict(overrides or {})
    with (seeds_dir_or_default(seeds_dir) / "scoring_categories.csv").open(encoding="utf-8") as handle:
        categories = {row["category"].strip().lower(): row for row in csv.DictReader(handle)}
    weights = (Decimal(categories["fit"]["weight"]), Decimal(categories["engagement"]["weight"]))
    if values["fit_weight"] is not None:
        fit_weight = float(values["fit_weight"])
        if not 0 <= fit_weight <= 1:
            raise ValueError(f"fit_weight must be between 0 and 1, got {fit_weight}")
        weights = (Decimal(str(fit_weight)), Decimal(str(1 - fit_weight)))
    return {
        "fit_weight": weights[0].quantize(Decimal("0.000001"), ROUND_HALF_UP),
        "engagement_weight": weights[1].quantize(Decimal("0.000001"), ROUND_HALF_UP),
        "fit_base_points": int(categories["fit"]["base_points"]),
        "engagement_base_points": int(categories["engagement"]["base_points"]),
        "default_window_days": int(values["default_window_days"]),
        "junk_consonant_run_length": int(values["junk_consonant_run_length"]),
    }
