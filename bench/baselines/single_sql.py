"""Lead scores as one hand-written DuckDB statement (`scoring.sql`): the benchmark's floor.

The statement reads the landing files and the rule seeds itself; this module only lists the files
ingestion would load, binds them and the scoring vars as parameters, and runs the statement on an
in-memory DuckDB that may not download anything.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from bench.baselines.inputs import (
    CRM_ENTITIES,
    DEDUP_WINDOW_DAYS,
    SEGMENT_TYPES,
    landed_days,
    scoring_vars,
    seeds_dir_or_default,
)

SQL_FILE = Path(__file__).with_name("scoring.sql")
SEEDS = (
    "scoring_fit_rules", "scoring_engagement_rules", "scoring_rule_groups", "scoring_thresholds",
    "junk_signals", "junk_fictional_names", "junk_disposable_email_domains", "junk_role_email_prefixes",
    "junk_out_of_market_countries", "junk_keyboard_patterns",
)


def parameters(
    landing_dir: Path,
    score_date: dt.date,
    seeds_dir: Path | None = None,
    vars: dict | None = None,  # noqa: A002 - dbt's name for them
) -> dict[str, object]:
    """The values of scoring.sql's $parameters."""
    settings = scoring_vars(vars, seeds_dir)
    days = landed_days(Path(landing_dir), score_date)
    files = {f"{entity}_files": [str(p) for d in days for p in d.crm_files[entity]]
             for entity in CRM_ENTITIES}
    files["event_files"] = [str(p) for d in days for p in d.event_files]
    empty = [name for name, paths in files.items() if not paths]
    if empty:  # read_csv of an empty list fails with a less helpful message
        raise ValueError(f"nothing landed by {score_date} under {landing_dir} for: {', '.join(empty)}")
    return {
        **files,
        **{seed: str(seeds_dir_or_default(seeds_dir) / f"{seed}.csv") for seed in SEEDS},
        "score_date": score_date,
        "fit_weight": str(settings["fit_weight"]),
        "engagement_weight": str(settings["engagement_weight"]),
        "fit_base_points": settings["fit_base_points"],
        "engagement_base_points": settings["engagement_base_points"],
        "default_window_days": settings["default_window_days"],
        "consonant_run": f"[bcdfghjklmnpqrstvwxz]{{{settings['junk_consonant_run_length']},}}",
        "dedup_window_days": DEDUP_WINDOW_DAYS,
        "segment_types": list(SEGMENT_TYPES),
    }


def score(
    landing_dir: Path,
    score_date: dt.date,
    seeds_dir: Path | None = None,
    *,
    vars: dict | None = None,  # noqa: A002 - dbt's name for them
) -> pd.DataFrame:
    """Scores of every contact as of `score_date`: contact_id, fit_score, engagement_score,
    lead_score, grade, tier; one row per contact, like marts.fct_lead_scores."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("set autoinstall_known_extensions = false")
        con.execute("set autoload_known_extensions = false")
        return con.execute(SQL_FILE.read_text(encoding="utf-8"),
                           parameters(landing_dir, score_date, seeds_dir, vars)).df()
    finally:
        con.close()
