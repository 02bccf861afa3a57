"""One interface to both warehouse targets: the same statements give the same answers."""

from __future__ import annotations

import datetime as dt

import pytest

from lead_scoring.sync import warehouse as sync_tables
from lead_scoring.warehouse import Warehouse, target, to_pyformat


@pytest.fixture(params=["duckdb", "postgres"])
def wh(request, tmp_path) -> Warehouse:
    if request.param == "duckdb":
        return Warehouse.of(tmp_path / "w.duckdb")
    server = request.getfixturevalue("postgres_server")
    return Warehouse("postgres", postgres=server.settings(server.create_database("unit")))


def test_placeholders_become_pyformat_and_percent_signs_stay_literal():
    assert to_pyformat("select ? where a like '5%' and d = $score_date") == (
        "select %s where a like '5%%' and d = %(score_date)s"
    )


def test_same_statements_same_answers(wh):
    with wh.opened() as con:
        con.execute("create schema s")
        con.execute("create table s.t (k varchar primary key, v double precision, d date)")
        sync_tables.insert_rows(
            con, "s.t", ["k", "v", "d"], [["a", 1.5, dt.date(2026, 1, 2)], ["b's", 2.0, None]]
        )
        sync_tables.insert_rows(con, "s.t", ["k", "v", "d"], [["a", 9.0, None]], key=["k"])
        assert con.execute("select k, v, d from s.t order by k").fetchall() == [
            ("a", 9.0, None),
            ("b's", 2.0, None),
        ]
        assert con.execute("select k from s.t where k like '%s' and v > ?", [1]).fetchall() == [("b's",)]
        assert con.execute("select count(*) from s.t where v < $v", {"v": 5}).fetchone() == (1,)
        # Postgres numerics arrive as floats, like DuckDB's doubles.
        assert con.execute("select round(100.0 * 1 / 3, 3)").fetchone() == (33.333,)
        assert sync_tables.table_columns(con, "s", "t") == ["k", "v", "d"]
        con.execute("begin")
        con.execute("delete from s.t")
        con.execute("rollback")
        assert con.execute("select count(*) from s.t").fetchone() == (2,)


def test_the_target_is_one_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("LEAD_SCORING_WAREHOUSE", str(tmp_path / "w.duckdb"))
    assert Warehouse.of(None) == Warehouse("duckdb", path=tmp_path / "w.duckdb")
    monkeypatch.setenv("LEAD_SCORING_TARGET", "postgres")
    monkeypatch.setenv("LEAD_SCORING_PG_PASSWORD", "not-shown")
    pg = Warehouse.of(None)
    assert pg.kind == "postgres" and "not-shown" not in f"{pg} {pg!r}"
    monkeypatch.setenv("LEAD_SCORING_TARGET", "snowflake")
    with pytest.raises(ValueError, match="LEAD_SCORING_TARGET='snowflake'"):
        target()
