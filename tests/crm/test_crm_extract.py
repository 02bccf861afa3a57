"""Incremental extraction through the API into the landing layout, with a stored watermark."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime

import duckdb

from lead_scoring.crm.extract import EXPORT_COLUMNS, extract_crm, read_watermarks
from lead_scoring.crm.sandbox import start_sandbox
from lead_scoring.crm.timeutil import from_ms, to_ms

from .conftest import TOKEN, fast_client

DAY = date(2026, 11, 22)
UNTIL = datetime(2026, 11, 22, 0, 0, 0)


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


def spread(sandbox, n, start="2026-11-01T00:00:00Z", step_ms=60_000):
    base = to_ms(start)
    sandbox.store.bulk_insert(
        "contacts",
        [
            {
                "hs_object_id": i,
                "email": f"u{i}@example.com",
                "createdate": start,
                "lastmodifieddate": from_ms(base + i * step_ms).isoformat() + "Z",
            }
            for i in range(1, n + 1)
        ],
    )


def test_first_extract_lands_every_record_with_all_columns(tmp_path, landing):
    wh = tmp_path / "wh.duckdb"
    out = tmp_path / "out"
    with start_sandbox(tmp_path / "crm.sqlite", token=TOKEN, load_landing=landing) as sb:
        client = fast_client(sb.url)
        result = extract_crm(client, wh, out, until=UNTIL, run_date=DAY)
    folder = out / "crm" / "date=2026-11-22"
    header, contacts = read_csv(folder / "contacts.csv")
    assert header[: len(EXPORT_COLUMNS["contacts"])] == EXPORT_COLUMNS["contacts"]
    assert "favourite_color" in header  # custom properties come along
    assert [r["hs_object_id"] for r in contacts] == ["1", "2", "3", "4"]
    two = next(r for r in contacts if r["hs_object_id"] == "2")
    assert two["jobtitle"] == "CTO" and two["lastmodifieddate"] == "2026-11-21T08:00:00.000Z"
    assert two["associatedcompanyid"] == "502"
    header, companies = read_csv(folder / "companies.csv")
    assert header[: len(EXPORT_COLUMNS["companies"])] == EXPORT_COLUMNS["companies"]
    assert companies[0]["lastmodifieddate"] == "2026-11-20T00:00:00.000Z"
    _, deals = read_csv(folder / "deals.csv")
    by_id = {d["hs_object_id"]: d for d in deals}
    assert by_id["900"]["associated_contact_id"] == "1"
    assert by_id["900"]["associated_company_id"] == "501"
    assert by_id["901"]["associated_contact_id"] == "3"
    assert by_id["901"]["associated_company_id"] == ""
    assert result.rows == 4 + 3 + 2
    marks = read_watermarks(wh)
    assert set(marks) == {"contacts", "companies", "deals"}
    assert all(v == UNTIL for v in marks.values())
    with duckdb.connect(str(wh)) as conn:
        assert (
            conn.execute(
                "select count(*) from sync.crm_extract_watermarks where updated_at is not null"
            ).fetchone()[0]
            == 3
        )


def test_landed_files_load_back_into_the_same_records(tmp_path, landing):
    """The files follow the landing contract: loading them again reproduces the CRM."""
    out = tmp_path / "out"
    with start_sandbox(tmp_path / "a.sqlite", token=TOKEN, load_landing=landing) as sb:
        extract_crm(fast_client(sb.url), tmp_path / "wh.duckdb", out, until=UNTIL, run_date=DAY)
        original = {
            t: {r.id: r.props for r in sb.store.get(t, range(1, 1000)).values()}
            for t in ("contacts", "companies", "deals")
        }
    with start_sandbox(tmp_path / "b.sqlite", token=TOKEN, load_landing=out) as copy:
        for object_type, records in original.items():
            again = {r.id: r.props for r in copy.store.get(object_type, range(1, 1000)).values()}
            assert again == records, object_type
        assert copy.store.associations("deals", [900], "contacts") == {900: [(1, 3)]}


def test_incremental_extract_pulls_only_changes(tmp_path, sandbox, client):
    wh = tmp_path / "wh.duckdb"
    out = tmp_path / "out"
    spread(sandbox, 20)
    first = extract_crm(client, wh, out, object_types=("contacts",), until=UNTIL, run_date=DAY)
    assert first.objects["contacts"].rows == 20
    again = extract_crm(client, wh, out, object_types=("contacts",), until=UNTIL, run_date=DAY)
    assert again.objects["contacts"].rows == 0  # nothing changed before UNTIL since last time
    client.batch_update(
        "contacts",
        [{"id": "3", "properties": {"firstname": "New"}}, {"id": "7", "properties": {"firstname": "Too"}}],
    )
    now = datetime.now(tz=UTC).replace(tzinfo=None)
    later = extract_crm(
        client, wh, out, object_types=("contacts",), lag_seconds=-1, run_date=date(2026, 11, 23)
    )
    assert later.objects["contacts"].rows == 2
    _, rows = read_csv(out / "crm" / "date=2026-11-23" / "contacts.csv")
    assert sorted((r["hs_object_id"], r["firstname"]) for r in rows) == [("3", "New"), ("7", "Too")]
    assert read_watermarks(wh)["contacts"] >= now


def test_windows_are_split_to_stay_under_the_search_cap(tmp_path, sandbox, client):
    wh = tmp_path / "wh.duckdb"
    spread(sandbox, 300)
    sandbox.set_limits(search_cap=50)
    result = extract_crm(
        client, wh, tmp_path / "out", object_types=("contacts",), until=UNTIL, run_date=DAY, search_cap=50
    )
    item = result.objects["contacts"]
    assert item.rows == 300 and item.windows >= 6
    _, rows = read_csv(tmp_path / "out" / "crm" / "date=2026-11-22" / "contacts.csv")
    assert sorted(int(r["hs_object_id"]) for r in rows) == list(range(1, 301))
    refused = [r for r in sandbox.stats()["requests"] if r["status"] == 400]
    assert refused == []


def test_windows_split_even_when_everything_changed_in_one_millisecond(tmp_path, sandbox, client):
    sandbox.store.bulk_insert(
        "contacts",
        [
            {"hs_object_id": i, "email": f"u{i}@example.com", "lastmodifieddate": "2026-11-05T00:00:00Z"}
            for i in range(1, 121)
        ],
    )
    result = extract_crm(
        client,
        tmp_path / "wh.duckdb",
        tmp_path / "out",
        object_types=("contacts",),
        until=UNTIL,
        run_date=DAY,
        search_cap=50,
        page_size=40,
    )
    assert result.objects["contacts"].rows == 120


def test_daily_limit_keeps_partial_progress_for_the_next_run(tmp_path, sandbox, client):
    wh = tmp_path / "wh.duckdb"
    out = tmp_path / "out"
    spread(sandbox, 300)
    # list_properties + 1 search per window; with cap 50 the first run gets a few windows
    sandbox.set_limits(daily_limit=12)
    first = extract_crm(client, wh, out, object_types=("contacts",), until=UNTIL, run_date=DAY, search_cap=50)
    item = first.objects["contacts"]
    assert first.stopped_reason == "daily_limit"
    assert 0 < item.rows < 300
    mark = read_watermarks(wh)["contacts"]
    assert datetime(2026, 11, 1) < mark < UNTIL
    sandbox.reset_limits()
    sandbox.set_limits(daily_limit=1_000_000)
    second = extract_crm(
        client, wh, out, object_types=("contacts",), until=UNTIL, run_date=DAY, search_cap=50
    )
    assert second.stopped_reason is None
    assert read_watermarks(wh)["contacts"] == UNTIL
    _, rows = read_csv(out / "crm" / "date=2026-11-22" / "contacts.csv")
    assert sorted(int(r["hs_object_id"]) for r in rows) == list(range(1, 301))  # merged, no dupes


def test_nothing_advances_when_the_first_request_fails(tmp_path, sandbox):
    wh = tmp_path / "wh.duckdb"
    spread(sandbox, 5)
    bad = fast_client(sandbox.url, token="wrong")
    try:
        extract_crm(bad, wh, tmp_path / "out", until=UNTIL, run_date=DAY)
    except Exception as exc:  # noqa: BLE001 - asserting on the type below
        assert type(exc).__name__ == "CrmAuthError"
    assert read_watermarks(wh) == {}
    assert not (tmp_path / "out").exists()


def test_standard_ingestion_loads_the_extracted_files(tmp_path, landing):
    from lead_scoring.ingest import load_days

    wh = tmp_path / "wh.duckdb"
    out = tmp_path / "out"
    with start_sandbox(tmp_path / "crm.sqlite", token=TOKEN, load_landing=landing) as sb:
        extract_crm(fast_client(sb.url), wh, out, until=UNTIL, run_date=DAY)
    load_days([DAY], landing_dir=out, warehouse_path=wh, dag_run_id="test")
    with duckdb.connect(str(wh)) as conn:
        assert conn.execute("select count(*) from raw.load_quarantine").fetchone()[0] == 0
        contacts = conn.execute(
            "select hs_object_id, jobtitle, favourite_color from raw.crm_contacts order by hs_object_id"
        ).fetchall()
        assert contacts == [
            ("1", "Analyst", None),
            ("2", "CTO", None),
            ("3", "VP Sales", "blue"),
            ("4", "Analyst", None),
        ]
        deals = conn.execute(
            "select hs_object_id, associated_contact_id from raw.crm_deals order by 1"
        ).fetchall()
        assert deals == [("900", "1"), ("901", "3")]
