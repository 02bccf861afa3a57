"""Score any rule set with the real engine, beside the real build: dbt runs the project with the
rules of a temporary seeds folder into schemas with a prefix of their own (var schema_prefix:
`calibration_` for `lead-scoring calibrate`, `diff_` for `lead-scoring diff`), so the marts BI
and the CRM sync read are never touched. What calibration learns from and what a diff reports is
therefore exactly what `dbt build` would produce with those rules.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from lead_scoring.warehouse import Warehouse

from .rules import RuleSet

PREFIX = "calibration_"
SCHEMAS = ("seeds", "staging", "intermediate", "marts")
# What depends on the rules: rebuilt for each rule set once the first build made the rest.
SCORING_MODELS = (
    "int_fit_points",
    "int_engagement_points",
    "int_lead_score_components",
    "int_scoring_model_version",
    "int_lead_scores",
)


class SandboxBuild:
    """Builds of rule sets for one score date in the `<prefix>*` schemas of a warehouse.

    Each `score` replaces the previous rule set's tables: read (or copy) what you need first.
    """

    def __init__(self, warehouse: Warehouse, score_date: str, work_dir: Path, prefix: str = PREFIX):
        if not re.fullmatch(r"[a-z][a-z0-9_]*_", prefix):
            raise ValueError(f"schema prefix: lower-case letters, digits and _, ending in _: {prefix!r}")
        self.warehouse = warehouse
        self.score_date = score_date
        self.work_dir = Path(work_dir)
        self.prefix = prefix
        self.built = False

    def schema(self, layer: str) -> str:
        return self.prefix + layer

    def score(self, rules: RuleSet, name: str) -> None:
        """Seed `rules` and build what depends on them (everything, the first time)."""
        from lead_scoring.transform.runner import dbt_invoke, environment

        folder = rules.write(self.work_dir / name)
        dbt_vars = {"schema_prefix": self.prefix}
        settings = {"LEAD_SCORING_SEEDS_DIR": str(folder)}
        if self.warehouse.kind == "duckdb":  # the warehouse the figures are read from
            settings["LEAD_SCORING_WAREHOUSE"] = str(self.warehouse.path)
        with environment(settings):
            dbt_invoke("seed", ["--quiet"], score_date=self.score_date, vars=dbt_vars)
            select = ["+int_lead_scores"] if not self.built else list(SCORING_MODELS)
            dbt_invoke("run", ["--quiet", "--select", *select], score_date=self.score_date, vars=dbt_vars)
        self.built = True

    def drop(self) -> None:
        """Drop the sandbox's schemas and the rule folders written for them."""
        with self.warehouse.opened() as conn:
            for layer in SCHEMAS:
                conn.execute(f"drop schema if exists {self.schema(layer)} cascade")
        shutil.rmtree(self.work_dir, ignore_errors=True)
