"""The rule seeds as a set of tables: read a folder of them, change some, write them back, and show
the change as a unified diff a reviewer reads like code."""

from __future__ import annotations

import csv
import difflib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# The seeds calibration proposes changes to; the junk lists and _seeds.yml are copied unchanged.
RULE_FILES = (
    "scoring_fit_rules",
    "scoring_engagement_rules",
    "scoring_rule_groups",
    "scoring_thresholds",
    "scoring_categories",
)


def csv_text(frame: pd.DataFrame) -> str:
    """A seed file as dbt reads it: a header, quotes only where a value needs them, '\\n' lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(frame.columns)
    writer.writerows(frame.astype(str).itertuples(index=False, name=None))
    return buffer.getvalue()


@dataclass
class RuleSet:
    """The rule seeds of one folder, every cell as text (empty = empty string)."""

    folder: Path
    tables: dict[str, pd.DataFrame]

    @classmethod
    def read(cls, folder: Path) -> RuleSet:
        folder = Path(folder)
        tables = {}
        for name in RULE_FILES:
            path = folder / f"{name}.csv"
            if not path.exists():
                raise FileNotFoundError(f"{path}: rule seed missing")
            tables[name] = pd.read_csv(path, dtype=str, keep_default_na=False)
        return cls(folder, tables)

    def copy(self) -> RuleSet:
        return RuleSet(self.folder, {name: frame.copy() for name, frame in self.tables.items()})

    def text(self, name: str) -> str:
        return csv_text(self.tables[name])

    def write(self, folder: Path) -> Path:
        """A complete seeds folder: the source folder's other files, then these tables."""
        folder = Path(folder)
        if folder.resolve() != self.folder.resolve():
            if folder.exists():
                shutil.rmtree(folder)
            shutil.copytree(self.folder, folder)
        for name in RULE_FILES:
            (folder / f"{name}.csv").write_text(self.text(name), encoding="utf-8")
        return folder


def unified_diff(before: RuleSet, after: RuleSet, prefix: str = "dbt_project/seeds") -> str:
    """The proposal as a patch against the current seed files (only the files that change)."""
    parts = []
    for name in RULE_FILES:
        old = (before.folder / f"{name}.csv").read_text(encoding="utf-8")
        new = after.text(name)
        if old != new:
            parts.append(
                "".join(
                    difflib.unified_diff(
                        old.splitlines(keepends=True),
                        new.splitlines(keepends=True),
                        fromfile=f"a/{prefix}/{name}.csv",
                        tofile=f"b/{prefix}/{name}.csv",
                    )
                )
            )
    return "".join(parts)


def apply(proposal: RuleSet, seeds_dir: Path) -> list[str]:
    """Write the proposed rule files into `seeds_dir`; returns the files that changed."""
    changed = []
    for name in RULE_FILES:
        path = Path(seeds_dir) / f"{name}.csv"
        text = proposal.text(name)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path.name)
    return changed
