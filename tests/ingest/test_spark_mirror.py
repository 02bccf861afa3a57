"""On the Spark target each loaded day lands as a Parquet partition of a `raw.*` Spark table; a
re-run replaces the day, a newer export's column is added, and Spark reads what DuckDB loaded."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest

from lead_scoring import spark
from lead_scoring.warehouse import Warehouse
from tests.e2e.snapshot import snapshot
from tests.ingest.conftest import CONTACT_HEADER, DAY, event

OTHER = date(2026, 11, 21)
NAME = 'O\'Brien "Bob"; `x`'

pytestmark = pytest.mark.spark


@pytest.fixture
def lake(spark_warehouse, landing) -> Warehouse:
    """An empty `raw` schema and lake for each test (the session's catalog is shared)."""
    with spark_warehouse.opened() as con:
        con.execute("drop database if exists raw cascade")
    shutil.rmtree(spark.lake_dir() / "raw", ignore_errors=True)
    return Warehouse("spark", path=landing.warehouse)


def _partitions(table: str) -> list[str]:
    folder = spark.lake_dir() / "raw" / table
    return sorted(p.name for p in folder.iterdir())


def test_a_day_lands_as_one_parquet_partition_and_spark_reads_what_duckdb_loaded(landing, lake):
    landing.crm(
        "contacts",
        f'{CONTACT_HEADER}\n1,zoe@example.com,"{NAME.replace(chr(34), chr(34) * 2)}",Nguyễn,'
        "2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,\n2,x,bad\n",
    )
    landing.events([event("a", properties={"title": "100% ✓"}), "{not json"])
    landing.load(max_bad_share=1.0, mirror=lake)

    assert _partitions("web_events") == ["_load_date=2026-11-20"]
    assert snapshot(lake, ("raw",)) == snapshot(landing.warehouse, ("raw",))  # quarantine, audit too
    with lake.opened() as con:
        row = con.execute(
            "select firstname, lastname, persona, _load_date, _source_line from raw.crm_contacts"
        ).fetchone()
        assert row == (NAME, "Nguyễn", None, DAY, 2)  # typed partition column, NULL stays NULL
        stamp = con.execute("select event_timestamp from raw.web_events where _load_date = ?", [DAY])
        assert stamp.fetchall() == [(datetime(2026, 11, 20, 10, 0),)]
        types = {r[0]: r[1] for r in con.execute("describe raw.web_events").fetchall()}
    assert types["event_timestamp"] == "timestamp" and types["_source_line"] == "bigint"


def test_rerunning_a_day_replaces_it_not_doubles_it_and_other_days_stay(landing, lake):
    landing.events([event("a"), event("b")])
    landing.events([event("c", timestamp="2026-11-21T10:00:00Z")], day=OTHER)
    landing.load(DAY, OTHER, mirror=lake)
    landing.events([event("a")])  # the day's file was corrected upstream
    landing.load(DAY, mirror=lake)
    with lake.opened() as con:
        rows = con.execute("select _load_date, message_id from raw.web_events order by 2").fetchall()
    assert rows == [(DAY, "a"), (OTHER, "c")]
    assert _partitions("web_events") == ["_load_date=2026-11-20", "_load_date=2026-11-21"]
    assert snapshot(lake, ("raw",)) == snapshot(landing.warehouse, ("raw",))


def test_a_newer_export_with_a_new_column_adds_it_and_older_days_read_null(landing, lake):
    landing.crm("contacts", f"{CONTACT_HEADER}\n1,a@example.com,A,B,2026-01-01,2026-11-20,p\n")
    landing.load(DAY, mirror=lake)
    landing.crm(
        "contacts",
        f"{CONTACT_HEADER},lead_source\n2,c@example.com,C,D,2026-01-01,2026-11-21,p,ads\n",
        day=OTHER,
    )
    landing.load(OTHER, mirror=lake)
    with lake.opened() as con:
        rows = con.execute("select hs_object_id, lead_source from raw.crm_contacts order by 1").fetchall()
    assert rows == [("1", None), ("2", "ads")]
    assert snapshot(lake, ("raw",)) == snapshot(landing.warehouse, ("raw",))


def test_a_fresh_catalog_over_an_existing_lake_finds_every_day(landing, lake):
    landing.events([event("a")])
    landing.events([event("c", timestamp="2026-11-21T10:00:00Z")], day=OTHER)
    landing.load(DAY, OTHER, mirror=lake)
    with lake.opened() as con:
        con.execute("drop database raw cascade")  # external tables: the files stay
    landing.events([event("d", timestamp="2026-11-22T10:00:00Z")], day=date(2026, 11, 22))
    landing.load(date(2026, 11, 22), mirror=lake)
    with lake.opened() as con:
        ids = [r[0] for r in con.execute("select message_id from raw.web_events order by 1").fetchall()]
    assert ids == ["a", "c", "d"]
