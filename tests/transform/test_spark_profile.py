"""The `spark` output of profiles.yml, as dbt renders it in the runner's environment.

Rendered without Spark installed: the session settings dbt passes to Spark must be
lead_scoring.spark.session_conf(), which the Python steps use, or the two would open different
catalogs.
"""

from __future__ import annotations

import os
import shutil

import pytest
from dbt.config.profile import read_profile
from dbt.config.renderer import ProfileRenderer
from dbt_common.context import set_invocation_context

from lead_scoring import paths, spark
from lead_scoring.transform import runner


def _spark_output() -> dict:
    with runner._environment("spark"):
        set_invocation_context(dict(os.environ))
        profile = read_profile(str(paths.DBT_PROJECT_DIR))
        return ProfileRenderer({}).render_data(profile["lead_scoring"]["outputs"]["spark"])


@pytest.mark.skipif(shutil.which("java") is None and not os.environ.get("JAVA_HOME"), reason="no Java")
def test_session_output_passes_the_session_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_SCORING_SPARK_DIR", str(tmp_path / "spark"))
    monkeypatch.setenv("LEAD_SCORING_SPARK_MASTER", "local[1]")
    monkeypatch.delenv("LEAD_SCORING_SPARK_METHOD", raising=False)
    output = _spark_output()
    assert (output["type"], output["method"], output["host"], output["threads"]) == (
        "spark",
        "session",
        "NA",
        1,
    )
    assert output["server_side_parameters"] == spark.session_conf()
    assert output["server_side_parameters"]["spark.master"] == "local[1]"
    assert output["server_side_parameters"]["spark.sql.warehouse.dir"] == str(
        tmp_path / "spark" / "warehouse"
    )


def test_thrift_output_reaches_the_server_and_leaves_its_settings_alone(monkeypatch):
    monkeypatch.setenv("LEAD_SCORING_SPARK_METHOD", "thrift")
    monkeypatch.setenv("LEAD_SCORING_SPARK_HOST", "spark-thrift.internal")
    monkeypatch.setenv("LEAD_SCORING_SPARK_PORT", "10001")
    output = _spark_output()
    assert (output["method"], output["host"], output["port"]) == ("thrift", "spark-thrift.internal", 10001)
    assert output["server_side_parameters"] == {}
