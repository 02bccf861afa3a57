"""A damaged gzip file loads the lines it still has, quarantines its unreadable rest, and the
day's other files load as usual."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.ingest.conftest import CONTACT_HEADER, event

N = 3000  # enough lines that a cut in the middle of the compressed data leaves some whole


def _event_lines(prefix: str, n: int = N) -> bytes:
    return b"".join(json.dumps(event(f"{prefix}{i}")).encode() + b"\n" for i in range(n))


def _contact_lines(n: int = N) -> bytes:
    rows = "".join(
        f"{i},c{i}@example.com,Ann,Lee,2026-01-01T00:00:00Z,2026-11-20T08:00:00Z,x\n" for i in range(1, n + 1)
    )
    return f"{CONTACT_HEADER}\n{rows}".encode()


def _truncated(body: bytes) -> bytes:
    packed = gzip.compress(body)
    return packed[: len(packed) // 2]


DAMAGE = {
    "truncated": (_truncated, "the gzip stream ends before its end"),
    "not gzip": (lambda body: body, "not a gzip file"),
    "trailing junk": (
        lambda body: gzip.compress(body) + b"this is not gzip\n",
        "data after the end of the gzip stream",
    ),
}


def _quarantine(landing):
    return landing.rows(
        "select source_file, source_line, field, error, raw_record "
        "from raw.load_quarantine order by source_line"
    )


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_event_file_loads_what_it_can_and_the_other_files(landing, kind):
    damage, error = DAMAGE[kind]
    landing.events([event("other")], name="part-0.jsonl.gz")
    body = _event_lines("m")
    path = landing.events([], name="part-1.jsonl.gz")
    path.write_bytes(damage(body))

    report = landing.load()  # the default bad-row threshold: one damaged file never stops a day

    loaded = landing.rows("select count(*) from raw.web_events where _source_file = ?", [str(path)])[0][0]
    expected = {"truncated": None, "not gzip": 0, "trailing junk": N}[kind]
    if expected is not None:
        assert loaded == expected
    else:
        assert 0 < loaded < N
    assert landing.rows("select message_id from raw.web_events where message_id = 'other'")
    ((source, line, field, message, _),) = _quarantine(landing)
    assert (source, line, field) == (str(path), loaded + 1, "(file)")
    assert error in message
    assert (
        f"unreadable after line {loaded} (the last good line)" if loaded else "unreadable from line 1"
    ) in message
    (stats,) = [s for s in report.files if s.source_file == str(path)]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_quarantined) == (loaded + 1, loaded, 1)
    assert landing.rows("select note from raw.load_audit where source_file = ?", [str(path)]) == [(message,)]


def test_a_truncated_event_file_quarantines_the_cut_off_line(landing):
    path = landing.events([], name="part-1.jsonl.gz")
    path.write_bytes(_truncated(_event_lines("m")))
    landing.load()
    ((_, line, _, _, rest),) = _quarantine(landing)
    assert rest and rest.startswith('{"messageId": "m')
    assert not rest.endswith("}")
    assert landing.rows("select max(_source_line) from raw.web_events") == [(line - 1,)]


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_crm_export_loads_what_it_can_and_the_other_files(landing, kind):
    damage, error = DAMAGE[kind]
    path = landing.crm("contacts", damage(_contact_lines()), name="contacts.csv.gz")
    landing.crm(
        "companies",
        "hs_object_id,name,createdate,lastmodifieddate\n1,Acme,2026-01-01T00:00:00Z,2026-11-20T08:00:00Z\n",
    )

    landing.load()

    loaded = (
        landing.rows("select count(*), coalesce(max(_source_line), 1) from raw.crm_contacts")[0]
        if kind != "not gzip"
        else (0, 0)
    )
    if kind == "trailing junk":
        assert loaded == (N, N + 1)
    elif kind == "truncated":
        assert 0 < loaded[0] < N
    assert landing.rows("select count(*) from raw.crm_companies") == [(1,)]
    ((source, line, field, message, _),) = _quarantine(landing)
    assert (source, field) == (str(path), "(file)") and error in message
    assert line == (1 if kind == "not gzip" else loaded[1] + 1)


def test_a_multi_member_gzip_file_loads_whole(landing):
    body = _event_lines("m")
    cut = body.index(b"\n", len(body) // 2) + 1
    path = landing.events([], name="part-1.jsonl.gz")
    path.write_bytes(gzip.compress(body[:cut]) + gzip.compress(body[cut:]))
    landing.load(max_bad_share=0.0)
    assert landing.rows("select count(*), max(_source_line) from raw.web_events") == [(N, N)]
    assert _quarantine(landing) == []


def test_zero_padding_after_a_gzip_file_is_not_damage(landing):
    path = landing.events([], name="part-1.jsonl.gz")
    path.write_bytes(gzip.compress(_event_lines("m", 10)) + b"\0" * 512)
    landing.load(max_bad_share=0.0)
    assert landing.rows("select count(*) from raw.web_events") == [(10,)]
    assert _quarantine(landing) == []
