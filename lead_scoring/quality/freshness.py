"""`dbt source freshness` as of the score date, and what the quality gate makes of it.

The thresholds live beside the sources (`warn_after`, `error_after` in `_*__sources.yml`); each
source's `loaded_at_query` reads `raw.load_audit`, and `macros/source_freshness.sql` makes dbt
judge it as of the end of var `score_date` instead of the wall clock (docs/quality.md). The DAG
runs `check_source_freshness` before `dbt_build` and hands the result to the gate, which turns a
`warn` into a warning and an `error` (or a source dbt could not check) into a critical failure.
No dbt or GX import at module level.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from lead_scoring import paths

log = logging.getLogger(__name__)

SUITE = "source_freshness"
CHECK = "dbt_source_freshness"


@dataclass(frozen=True)
class SourceFreshness:
    source: str  # dbt source and table, e.g. crm.contacts
    table: str  # the warehouse table, e.g. raw.crm_contacts
    status: str  # dbt's: pass | warn | error | runtime error
    max_loaded_at: str | None  # newest load, ISO 8601
    snapshotted_at: str | None  # "now": the end of the score date
    age_hours: float | None
    warn_after: str | None  # e.g. "36 hours"
    error_after: str | None
    message: str = ""  # dbt's error, for a runtime error

    def as_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        if self.status == "runtime error":
            return f"{self.source} ({self.table}): could not be checked: {self.message}"
        limits = ", ".join(
            f"{name} {value}"
            for name, value in (("warn after", self.warn_after), ("error after", self.error_after))
            if value
        )
        return (
            f"{self.source} ({self.table}) {self.status}: newest load {_day(self.max_loaded_at)}, "
            f"{self.age_hours:.0f} h before the end of the score date ({limits})"
        )


def check_source_freshness(score_date: str) -> list[SourceFreshness]:
    """Run `dbt source freshness` as of `score_date`; one result per source with a threshold.

    A stale source makes dbt exit non-zero; that is the gate's to judge, so only a dbt that could
    not run at all (no sources.json written) raises.
    """
    from lead_scoring.transform import DbtRunError, dbt_invoke

    out = paths.state_dir() / "dbt" / "sources.json"
    out.unlink(missing_ok=True)
    try:
        dbt_invoke("source freshness", ["--output", str(out)], score_date=score_date)
    except DbtRunError:
        if not out.is_file():
            raise
    results = read_sources_json(out, paths.state_dir() / "dbt" / "target" / "manifest.json")
    for result in results:
        (log.info if result.status == "pass" else log.warning)("Source freshness: %s", result.describe())
    return results


def read_sources_json(path: Path, manifest: Path | None = None) -> list[SourceFreshness]:
    """dbt's sources.json artifact as `SourceFreshness` rows; table names from the manifest."""
    tables = {}
    if manifest and manifest.is_file():
        for uid, node in json.loads(manifest.read_text()).get("sources", {}).items():
            tables[uid] = f"{node.get('schema')}.{node.get('identifier') or node.get('name')}"
    out = []
    for r in json.loads(path.read_text()).get("results", []):
        uid = r["unique_id"]
        criteria = r.get("criteria") or {}
        age = r.get("max_loaded_at_time_ago_in_s")
        out.append(
            SourceFreshness(
                source=".".join(uid.split(".")[-2:]),
                table=tables.get(uid, ""),
                status=str(r.get("status")),
                max_loaded_at=r.get("max_loaded_at"),
                snapshotted_at=r.get("snapshotted_at"),
                age_hours=None if age is None else round(float(age) / 3600, 1),
                warn_after=_period(criteria.get("warn_after")),
                error_after=_period(criteria.get("error_after")),
                message=(r.get("error") or "").splitlines()[0] if r.get("error") else "",
            )
        )
    return sorted(out, key=lambda s: s.source)


def gate_findings(results: list[dict]) -> list:
    """The gate's `Failure`s for sources past a threshold: warn -> warning, else critical."""
    from lead_scoring.quality.gate import Failure

    findings = []
    for row in results:
        s = SourceFreshness(**row)
        if s.status == "pass":
            continue
        kwargs = {k: v for k, v in (("warn_after", s.warn_after), ("error_after", s.error_after)) if v}
        if s.status == "runtime error":
            observed = f"could not be checked: {s.message}"
        else:
            observed = (
                f"{s.status}: newest load {_day(s.max_loaded_at)}, {s.age_hours:.0f} h before the end of the"
                " score date"
            )
        findings.append(
            Failure(
                suite=SUITE,
                expectation=f"{CHECK}[{s.source}]",
                column=None,
                severity="warning" if s.status == "warn" else "critical",
                kwargs=kwargs,
                observed=observed,
                table=s.table,
            )
        )
    return findings


def _period(threshold: dict | None) -> str | None:
    if not threshold or threshold.get("count") is None or not threshold.get("period"):
        return None
    return f"{threshold['count']} {threshold['period']}s"


def _day(value: str | None) -> str:
    if not value:
        return "none"
    moment = datetime.fromisoformat(value)
    return moment.date().isoformat() if moment.time() == datetime.min.time() else moment.isoformat()
