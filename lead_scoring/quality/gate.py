"""The quality gate: validate warehouse tables with the committed GX suites, build Data Docs.

DuckDB has no working GX SQL datasource, so each suite's table is read (read-only) into a pandas
DataFrame and validated through the suite's checkpoint in the file project under `expectations/`;
the Postgres and Spark targets are read the same way (Spark hands its result over through Arrow),
so every target passes through the same checks.
Validation results and Data Docs go to the state folder, never into the committed project.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from lead_scoring.paths import EXPECTATIONS_DIR, state_dir
from lead_scoring.progress import report
from lead_scoring.quality import metrics as run_metrics
from lead_scoring.warehouse import Warehouse

log = logging.getLogger(__name__)

# Which suites each gate runs: `raw` after ingestion, `marts` after dbt and before the CRM sync.
# The models' row-level checks are dbt's tests, run in `dbt build` (docs/quality.md).
STAGE_SUITES = {
    "raw": ("raw",),
    "marts": ("marts",),
    "all": ("raw", "marts"),
}
METRICS_SUITE = "run_metrics"
SITE = "local_site"
SAMPLE_SIZE = 10


class QualityGateFailed(RuntimeError):
    """A critical expectation failed; the message lists each one with sample unexpected values."""

    def __init__(self, result: GateResult):
        super().__init__(result.report())
        self.result = result


@dataclass(frozen=True)
class Failure:
    suite: str
    expectation: str  # e.g. expect_column_values_to_be_between
    column: str | None
    severity: str  # critical | warning
    kwargs: dict[str, Any]  # what was expected (bounds, value set, pattern ...)
    observed: str  # e.g. "3 of 2000 rows (0.15%)" or the observed value or the error
    sample: list = field(default_factory=list)  # GX partial_unexpected_list, first values
    table: str = ""  # the warehouse table checked, e.g. marts.fct_lead_scores

    def describe(self) -> str:
        """Which check, on which table and column, and what it observed (without the severity)."""
        target = f"column {self.column!r}" if self.column else "table"
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        where = f"{self.suite} on {self.table}" if self.table else self.suite
        text = f"{where}: {self.expectation}({args}) on {target}: {self.observed}"
        if self.sample and not self.observed.startswith("observed "):
            text += f"; unexpected values: {self.sample!r}"
        return text

    def __str__(self) -> str:
        return f"[{self.severity}] {self.describe()}"


@dataclass
class GateResult:
    passed: bool
    critical_failures: list[Failure]
    warnings: list[Failure]
    data_docs_path: Path  # index.html of the Data Docs site
    stage: str = "marts"
    score_date: str = ""
    run_id: str = ""
    metrics: dict[str, float | None] = field(default_factory=dict)  # this run's run-over-run figures
    baseline: str | None = None  # score date of the run compared with, None on a first run
    source_freshness: list[dict] = field(default_factory=list)  # `freshness.SourceFreshness.as_dict()`s

    @property
    def data_docs_url(self) -> str:
        return self.data_docs_path.as_uri()

    def report(self) -> str:
        status = "passed" if self.passed else f"FAILED: {len(self.critical_failures)} critical"
        lines = [
            f"Quality gate {status} (stage {self.stage}, score date {self.score_date}, run {self.run_id}),"
            f" {len(self.warnings)} warning(s)"
        ]
        lines += [f"  {f}" for f in self.critical_failures + self.warnings]
        lines.append(f"  Data Docs: {self.data_docs_url}")
        return "\n".join(lines)

    def raise_if_failed(self) -> None:
        if not self.passed:
            raise QualityGateFailed(self)


def data_docs_dir() -> Path:
    return state_dir() / "data_docs"


def validations_dir() -> Path:
    return state_dir() / "quality" / "validations"


def run_quality_gate(
    target: Warehouse | str | Path | None,
    score_date: str,
    run_id: str,
    *,
    stage: str = "marts",
    record_metrics: bool = True,
    limits: run_metrics.Limits | None = None,
    source_freshness: list[dict] | None = None,
) -> GateResult:
    """Validate the tables of `stage` for `score_date` (YYYY-MM-DD) and build Data Docs.

    `target` is the warehouse: a `Warehouse`, a DuckDB file, or None for the configured one.
    Returns a `GateResult`; call `.raise_if_failed()` to stop the run on a critical failure. At the
    `marts` stage a passing run records its run-over-run figures in `quality.run_metrics`.
    `source_freshness` is what `freshness.check_source_freshness` found (as dicts, an XCom): a
    source past `warn_after` is a warning, past `error_after` (or not checkable) a critical failure.
    """
    if stage not in STAGE_SUITES:
        raise ValueError(f"unknown stage {stage!r}; one of {sorted(STAGE_SUITES)}")
    warehouse = Warehouse.of(target)
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    day = dt.date.fromisoformat(score_date)
    limits = limits or run_metrics.Limits.load()

    context = _context()  # imports GX (seconds): before the warehouse is opened
    from lead_scoring.quality.suites import SUITES

    suites = [s for s in SUITES if s.stage in STAGE_SUITES[stage]]
    frames, failures, figures, baseline = _read(warehouse, day, suites)
    params: dict[str, Any] = {}
    if METRICS_SUITE in frames:
        params = run_metrics.bounds(baseline[1] if baseline else None, limits)
        if baseline is None:
            log.info(
                "no passing run before %s in quality.run_metrics: run-over-run comparisons"
                " skipped, only freshness is checked",
                score_date,
            )
        else:
            log.info("run-over-run baseline: score date %s %s", baseline[0], baseline[1])

    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    gx_run = RunIdentifier(run_name=run_id, run_time=dt.datetime.now(dt.UTC))
    built: list = []  # validation results and suites for Data Docs
    for suite in suites:
        if suite.name not in frames:
            continue
        checkpoint = context.checkpoints.get(suite.name)
        result = checkpoint.run(
            batch_parameters={"dataframe": frames[suite.name]},
            expectation_parameters=params if suite.name == METRICS_SUITE else None,
            run_id=gx_run,
        )
        for result_id, validation in result.run_results.items():
            failures += [_failure(suite, r) for r in validation.results if not r.success]
            built += [result_id, ExpectationSuiteIdentifier(name=suite.name)]
    docs_started = time.time() - 1  # file times may be rounded down to the second
    context.build_data_docs(site_names=[SITE], resource_identifiers=built)
    if source_freshness:
        from lead_scoring.quality.freshness import gate_findings

        failures += gate_findings(source_freshness)

    critical = [f for f in failures if f.severity == "critical"]
    warnings = [f for f in failures if f.severity != "critical"]
    gate = GateResult(
        passed=not critical,
        critical_failures=critical,
        warnings=warnings,
        data_docs_path=data_docs_dir() / "index.html",
        stage=stage,
        score_date=score_date,
        run_id=run_id,
        metrics=figures,
        baseline=str(baseline[0]) if baseline else None,
        source_freshness=list(source_freshness or []),
    )
    # The verdict first, then each finding on a line of its own that names the check, the table and
    # what was observed; each line is also a progress event, which the demo shows.
    report(
        log,
        "%s",
        gate.report().splitlines()[0],
        source="quality",
        level=logging.INFO if gate.passed else logging.ERROR,
    )
    for f in critical:
        report(log, "Quality gate critical: %s", f.describe(), source="quality", level=logging.ERROR)
    for f in warnings:
        report(log, "Quality gate warning: %s", f.describe(), source="quality", level=logging.WARNING)
    from lead_scoring.quality.data_docs import build_site

    build_site(data_docs_dir(), validations_dir(), gate, since=docs_started)
    report(log, "Data Docs: %s", gate.data_docs_url, source="quality")
    if gate.passed and figures and record_metrics:
        run_metrics.record(warehouse, run_id, day, figures)
    return gate


def _read(warehouse: Warehouse, day: dt.date, suites: list) -> tuple[dict, list, dict, tuple | None]:
    """DataFrames per suite, read failures, this run's figures and the baseline run's, if any."""
    import pandas as pd

    frames: dict[str, Any] = {}
    failures: list[Failure] = []
    figures: dict = {}
    baseline = None
    with warehouse.opened(read_only=True) as con:
        errors = (duckdb.Error, getattr(con, "error", duckdb.Error))
        for suite in suites:
            try:
                if suite.name == METRICS_SUITE:
                    figures = run_metrics.compute(con, day)
                    frames[suite.name] = pd.DataFrame([figures])
                else:
                    params = {"score_date": day} if "$score_date" in suite.sql else None
                    frames[suite.name] = con.execute(suite.sql, params).df()
            except errors as exc:  # a missing table or column: nothing to validate
                error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                failures.append(
                    Failure(suite.name, "read_table", None, "critical", {}, error, table=suite.table)
                )
    if METRICS_SUITE in frames:  # earlier runs' figures are kept with the operational tables
        store = warehouse.operational()
        if store.exists():
            with store.opened(read_only=True) as con:
                baseline = run_metrics.previous(con, day)
    return frames, failures, figures, baseline


def _context():
    """The committed file project, with its outputs redirected to the state folder."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    gx_log = logging.getLogger("great_expectations")
    if gx_log.level == logging.NOTSET:  # GX logs hundreds of INFO lines at import
        gx_log.setLevel(logging.WARNING)
    import great_expectations as gx
    import yaml

    config = yaml.safe_load((EXPECTATIONS_DIR / "great_expectations.yml").read_text())
    config.pop("fluent_datasources")  # GX reads them from the file itself
    stores = config["stores"]
    stores["validation_results_store"]["store_backend"]["base_directory"] = str(validations_dir())
    for site in config["data_docs_sites"].values():
        site["store_backend"]["base_directory"] = str(data_docs_dir())
    return gx.get_context(mode="file", context_root_dir=EXPECTATIONS_DIR, project_config=config)


def _failure(suite, r) -> Failure:
    config = r.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id", "column")}
    result = r.result or {}
    if r.exception_info and _exception_messages(r.exception_info):
        observed = "error: " + "; ".join(_exception_messages(r.exception_info))
    elif "unexpected_count" in result:
        observed = f"{result['unexpected_count']} of {result.get('element_count')} rows"
        if result.get("unexpected_percent") is not None:
            observed += f" ({result['unexpected_percent']:.2f}%)"
    elif config.type == "expect_column_to_exist":
        observed = "no such column"
    else:
        observed = f"observed {result.get('observed_value')!r}"
        if result.get("details"):
            observed += f", {result['details']}"
    column = config.kwargs.get("column")
    sample = list(result.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
    if config.type == "expect_column_values_to_not_be_null":
        sample = []  # the unexpected values of a not-null check are nulls (NaN in pandas)
    table = suite.table
    if suite.name == METRICS_SUITE:  # one row of figures: the figure is what was observed
        table = run_metrics.SOURCE_TABLES.get(column, table)
        if sample and not (r.exception_info and _exception_messages(r.exception_info)):
            observed = f"observed {column} = {sample[0]!r}"
    return Failure(
        suite=suite.name,
        expectation=config.type,
        column=column,
        severity=str(getattr(config.severity, "value", config.severity)),
        kwargs=kwargs,
        observed=observed,
        sample=sample,
        table=table,
    )


def _exception_messages(info: dict) -> list[str]:
    """GX keeps one exception per expectation, or one per failing metric: collect the messages."""
    if info.get("raised_exception"):
        return [str(info.get("exception_message"))]
    messages = {str(v.get("exception_message")) for v in info.values() if isinstance(v, dict)}
    return sorted(m for m in messages if m and m != "None")
