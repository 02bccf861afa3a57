"""How the pipeline reaches Apache Spark: one set of settings for dbt's profile and for Python.

`LEAD_SCORING_SPARK_METHOD` picks the way in, as dbt-spark's `method` does:
- `session` (default): a SparkSession inside the process, `spark.master` from
  `LEAD_SCORING_SPARK_MASTER` (default `local[2]`: local mode, no server). Tables are Parquet files
  under `<LEAD_SCORING_SPARK_DIR>/warehouse`, their catalog a Derby metastore beside it; Derby takes
  one process at a time, so tasks that run one after another share it.
- `thrift`: a Spark Thrift server (`LEAD_SCORING_SPARK_HOST` / `_PORT`), which owns the catalog;
  the way to a cluster, or to a long-lived local server that many processes share.

`dbt_project/profiles.yml` reads the same variables, so dbt and the Python steps see one catalog.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

METHODS = ("session", "thrift")


def method() -> str:
    value = os.environ.get("LEAD_SCORING_SPARK_METHOD") or "session"
    if value not in METHODS:
        raise ValueError(f"LEAD_SCORING_SPARK_METHOD={value!r}: expected one of {', '.join(METHODS)}")
    return value


def spark_dir() -> Path:
    """Where local mode keeps its tables (`warehouse/`) and catalog (`metastore_db/`)."""
    from lead_scoring import paths

    return paths._env_path("LEAD_SCORING_SPARK_DIR", paths.state_dir() / "spark")


def session_conf() -> dict[str, str]:
    """The SparkSession settings of local mode (profiles.yml's `server_side_parameters` match).

    UTC session time and dynamic partition overwrite are what the models assume on every engine:
    `insert_overwrite` replaces only the partitions (score dates, load days) a run writes.
    """
    base = spark_dir()
    return {
        "spark.master": os.environ.get("LEAD_SCORING_SPARK_MASTER") or "local[2]",
        "spark.driver.host": os.environ.get("SPARK_LOCAL_IP") or "127.0.0.1",
        "spark.sql.warehouse.dir": str(base / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={base / 'metastore_db'};create=true"
        ),
        "spark.sql.shuffle.partitions": os.environ.get("LEAD_SCORING_SPARK_SHUFFLE_PARTITIONS") or "2",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.ansi.enabled": "false",  # as dbt-spark sets it for its sessions
        "spark.ui.enabled": "false",
        "spark.driver.memory": os.environ.get("LEAD_SCORING_SPARK_DRIVER_MEMORY") or "2g",
    }


def prepare_environment() -> None:
    """Loopback unless told otherwise, and a Java the JVM can start; fails with one clear line."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return
    if shutil.which("java") is None:
        raise RuntimeError(
            "the spark target needs Java 17 or 21: install a JDK or set JAVA_HOME (no `java` found on PATH)"
        )


def session():
    """The process's SparkSession in local (or `spark.master`) mode, created on first use."""
    prepare_environment()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("lead_scoring").enableHiveSupport()
    for key, value in session_conf().items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
