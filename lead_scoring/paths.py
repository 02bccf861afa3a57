"""Every filesystem location the project uses, resolved once.

Each can be overridden by an environment variable, so the same code runs from a checkout, in a
test's temporary folder, or in a container where the project is mounted elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("LEAD_SCORING_HOME", Path(__file__).resolve().parents[1]))


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


def state_dir() -> Path:
    """Ignored folder for everything a run creates: warehouse, landing data, Airflow home."""
    return _env_path("LEAD_SCORING_STATE_DIR", PROJECT_ROOT / ".state")


def landing_dir() -> Path:
    return _env_path("LEAD_SCORING_LANDING_DIR", state_dir() / "landing")


def warehouse_path() -> Path:
    """The DuckDB warehouse file (the embedded default target)."""
    return _env_path("LEAD_SCORING_WAREHOUSE", state_dir() / "warehouse.duckdb")


def crm_sandbox_db() -> Path:
    """The local CRM sandbox's SQLite file: the one `make demo` fills, and `crm-sandbox`'s default."""
    return state_dir() / "crm" / "sandbox.sqlite"


DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DBT_PROJECT_NAME = "lead_scoring"  # `name:` in dbt_project.yml


def seeds_dir() -> Path:
    """The scoring rules dbt reads (seed files): `dbt_project/seeds`, or another folder of rules.

    dbt_project.yml reads the same variable, so tests and calibration experiments can build with
    rules of their own without touching the shipped example.
    """
    return _env_path("LEAD_SCORING_SEEDS_DIR", DBT_PROJECT_DIR / "seeds")


EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DAGS_DIR = PROJECT_ROOT / "dags"
PLUGINS_DIR = PROJECT_ROOT / "plugins"
