"""`python -m tests.e2e.spark_snapshot OUT [SCHEMA ...]`: pickle `snapshot()` of the configured
Spark warehouse to OUT.

Run as a process of its own with the DAG runs' environment: a process holds one SparkSession,
whose catalog is fixed when it starts, and the test process may hold another (the unit tests').
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from lead_scoring.warehouse import Warehouse
from tests.e2e.snapshot import snapshot

if __name__ == "__main__":
    out, *schemas = sys.argv[1:]
    warehouse = Warehouse.from_env()
    assert warehouse.kind == "spark", warehouse
    Path(out).write_bytes(pickle.dumps(snapshot(warehouse, tuple(schemas) or None)))
