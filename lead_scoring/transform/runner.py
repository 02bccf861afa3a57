"""Run dbt in-process (dbtRunner) against the project's dbt folder.

- Project and profiles: `lead_scoring.paths.DBT_PROJECT_DIR` (profiles.yml lives there).
- Warehouse: `LEAD_SCORING_WAREHOUSE`, by default `lead_scoring.paths.warehouse_path()`, passed to
  the `duckdb` target; `LEAD_SCORING_TARGET` (or `target=`) picks `postgres` or `spark` instead
  (the spark profile's session settings come from `lead_scoring.spark`, exported here).
- dbt's `target/` and `logs/` go under `lead_scoring.paths.state_dir() / "dbt"`, so a run leaves
  the checkout clean.
- The score date reaches the models as var `score_date`.
- Rules: `lead_scoring.paths.seeds_dir()` (`LEAD_SCORING_SEEDS_DIR`, else `dbt_project/seeds`).

dbtRunner is not safe to call from several threads of one process at once; the DAG's tasks run
one at a time in a one-slot pool, which also serialises writers of the DuckDB file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from lead_scoring import paths

log = logging.getLogger(__name__)

_FAILED = {"error", "fail", "runtime error"}


class DbtRunError(RuntimeError):
    """A dbt invocation failed: `failures` lists (node unique_id, status, message)."""

    def __init__(self, message: str, failures: list[tuple[str, str, str]] | None = None):
        super().__init__(message)
        self.failures = failures or []


def dbt_build(
    score_date: str,
    *,
    full_refresh: bool = False,
    select: str | Sequence[str] | None = None,
    target: str | None = None,
    vars: Mapping[str, object] | None = None,  # noqa: A002 - dbt's own name for them
    unit_tests: bool = False,
) -> None:
    """`dbt build` (seeds, models, data tests) scoring `score_date` ('YYYY-MM-DD').

    `select` narrows the build (dbt selection syntax); `vars` adds or overrides dbt vars
    (e.g. {"fit_weight": 0.6}). Unit tests run only with `unit_tests`: their inputs are fixed, so
    the daily build would prove the same SQL again each day (dbt's advice: run them in CI, as
    `make test` does). Raises DbtRunError (a RuntimeError) naming every failed node.
    """
    args: list[str] = []
    if full_refresh:
        args.append("--full-refresh")
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    args += _select_args(select)
    dbt_invoke("build", args, score_date=score_date, target=target, vars=vars)


def dbt_invoke(
    command: str,
    args: Sequence[str] = (),
    *,
    score_date: str | None = None,
    target: str | None = None,
    vars: Mapping[str, object] | None = None,  # noqa: A002
) -> object:
    """Run any dbt command (`build`, `test`, `run`, `seed`, `ls`...) with the project's settings.

    Returns dbt's result object; raises DbtRunError when dbt reports failure.
    """
    from dbt.cli.main import dbtRunner

    all_vars = dict(vars or {})
    if score_date is not None:
        all_vars["score_date"] = _check_date(score_date)
    dbt_dir = paths.state_dir() / "dbt"
    cli = [
        command,
        "--project-dir",
        str(paths.DBT_PROJECT_DIR),
        "--profiles-dir",
        str(paths.DBT_PROJECT_DIR),
        "--target-path",
        str(dbt_dir / "target"),
        "--log-path",
        str(dbt_dir / "logs"),
    ]
    if target:
        cli += ["--target", target]
    if all_vars:
        cli += ["--vars", json.dumps(all_vars, sort_keys=True)]
    cli += list(args)

    log.info("dbt %s", " ".join(cli))
    with _environment(target):
        result = dbtRunner().invoke(cli)
    failures = _failures(result.result)
    if result.exception is not None:
        raise DbtRunError(f"dbt {command} could not run: {result.exception}", failures)
    if not result.success:
        lines = "\n".join(f"  {uid} [{status}]: {message}" for uid, status, message in failures)
        raise DbtRunError(
            f"dbt {command} failed ({len(failures)} node(s) failed or errored):\n{lines}"
            if failures
            else f"dbt {command} failed (see {dbt_dir / 'logs' / 'dbt.log'})",
            failures,
        )
    return result.result


def _check_date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"score_date must be 'YYYY-MM-DD', got {value!r}") from exc


def _select_args(select: str | Sequence[str] | None) -> list[str]:
    if not select:
        return []
    items = [select] if isinstance(select, str) else list(select)
    return ["--select", *items]


def _failures(result: object) -> list[tuple[str, str, str]]:
    out = []
    for node_result in getattr(result, "results", None) or []:
        status = str(getattr(node_result, "status", "")).lower()
        if status in _FAILED:
            node = getattr(node_result, "node", None)
            uid = getattr(node, "unique_id", "?")
            out.append((uid, status, (getattr(node_result, "message", "") or "").strip()))
    return out


def _dbt_seed_path() -> str:
    """`paths.seeds_dir()` relative to the dbt project, as dbt_project.yml's seed-paths reads it.

    dbt writes what it ran for a seed to target/run/<project>/<seed path>/<file>.csv (and the
    compiled tests of its properties file under target/compiled/...): with an absolute seed path
    that is the rule file itself, which dbt would overwrite with SQL. A relative path lands
    under the target folder; refuse the rare layout where it would still reach the rules.
    """
    seeds = paths.seeds_dir()
    relative = os.path.relpath(seeds, paths.DBT_PROJECT_DIR)
    target = paths.state_dir() / "dbt" / "target"
    for subdirectory in ("run", "compiled"):
        written = Path(os.path.normpath(target / subdirectory / paths.DBT_PROJECT_NAME / relative))
        if written == seeds or seeds in written.parents:
            raise DbtRunError(
                f"dbt would write its output over the rules in {seeds} (LEAD_SCORING_SEEDS_DIR): "
                f"put them, or the state folder {paths.state_dir()}, elsewhere"
            )
    return relative


@contextlib.contextmanager
def _environment(target: str | None = None) -> Iterator[None]:
    """Environment of one dbt invocation: the warehouse path, no telemetry; restored after.

    On the spark target, also what its profile reads: the session settings of
    `lead_scoring.spark.session_conf()` (session method), so dbt and the Python steps share one
    catalog, and a loopback address for Spark.
    """
    target = target or os.environ.get("LEAD_SCORING_TARGET") or "duckdb"
    warehouse = Path(os.environ.get("LEAD_SCORING_WAREHOUSE") or paths.warehouse_path())
    if target == "duckdb":
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    wanted = {
        "LEAD_SCORING_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
        "DBT_VERSION_CHECK": "False",
    }
    if os.environ.get("LEAD_SCORING_SEEDS_DIR"):
        wanted["LEAD_SCORING_SEEDS_DIR"] = _dbt_seed_path()
    if target == "spark":
        wanted |= _spark_environment()
    with environment(wanted):
        yield


def _spark_environment() -> dict[str, str]:
    from lead_scoring import spark

    session = spark.method() == "session"
    if session:
        spark.prepare_environment()  # a Java for the session's JVM, or one clear error
    return {
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP") or "127.0.0.1",
        "LEAD_SCORING_SPARK_SESSION_CONF": json.dumps(spark.session_conf() if session else {}),
    }


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the block (e.g. the rules and warehouse a dbt invocation
    reads), and put back what was there after."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
