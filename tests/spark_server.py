"""A throwaway Spark Thrift server for tests: the HiveThriftServer2 of the pyspark wheel, local
mode, on a loopback port, its catalog and tables under a temporary folder.

It owns the Derby catalog, so every process of a test (Airflow's DAG runs, dbt's thrift method, the
test's own reads) connects to it instead of starting a JVM and taking the catalog's one lock.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SparkThriftServer:
    host: str
    port: int
    spark_dir: Path

    def env(self) -> dict[str, str]:
        """What the pipeline and dbt read to reach this server (`lead_scoring.spark`)."""
        return {
            "LEAD_SCORING_TARGET": "spark",
            "LEAD_SCORING_SPARK_METHOD": "thrift",
            "LEAD_SCORING_SPARK_HOST": self.host,
            "LEAD_SCORING_SPARK_PORT": str(self.port),
            "LEAD_SCORING_SPARK_DIR": str(self.spark_dir),
            "SPARK_LOCAL_IP": self.host,
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


@contextmanager
def running_thrift_server(spark_dir: Path, conf: dict[str, str] | None = None, timeout_s: float = 300):
    """Start the server with `lead_scoring.spark.session_conf()` (plus `conf`) and wait until it
    listens; stop it (its own process group) on exit."""
    import pyspark

    from lead_scoring import spark

    spark_home = Path(pyspark.__file__).parent
    host, port = "127.0.0.1", _free_port()
    spark.prepare_environment()
    settings = {**spark.session_conf(spark_dir), **(conf or {})}
    spark_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SPARK_HOME=str(spark_home), SPARK_LOCAL_IP=host)
    master = settings.pop("spark.master")
    args = [
        str(spark_home / "bin" / "spark-submit"),
        "--class",
        "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
    ]
    args += ["--master", master, "--name", "lead_scoring_test_thrift"]
    for key, value in settings.items():
        args += ["--conf", f"{key}={value}"]
    args += [
        "--hiveconf",
        f"hive.server2.thrift.bind.host={host}",
        "--hiveconf",
        f"hive.server2.thrift.port={port}",
    ]
    args.append("spark-internal")
    log_path = spark_dir / "thrift-server.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            args,
            env=env,
            cwd=spark_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout_s
        while not _listening(host, port):
            if process.poll() is not None:
                raise RuntimeError(f"the Spark Thrift server exited ({process.returncode}); see {log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the Spark Thrift server did not listen within {timeout_s:.0f} s; see {log_path}"
                )
            time.sleep(1)
        yield SparkThriftServer(host, port, spark_dir)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
