"""Scoring in the warehouse: run the dbt project (`dbt_project/`) in-process.

`dbt_build(score_date)` is what the daily DAG calls after ingestion: it builds the seeds (rules),
every model and every data test for one score date (the unit tests with `unit_tests=True`; CI
runs them), and raises if any node fails. dbt itself is imported inside the functions, so
importing this package (DAG parsing) stays fast.
"""

from lead_scoring.transform.runner import DbtRunError, dbt_build, dbt_invoke

__all__ = ["DbtRunError", "dbt_build", "dbt_invoke"]
