"""Random damage to good landed files never crashes a load, and every line is accounted for:
lines read = loaded + quarantined + duplicate, each loaded or quarantined row naming its own
line of the file."""

from __future__ import annotations

import gzip
import json
import tempfile
import zlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lead_scoring.ingest import IngestError
from tests.ingest.conftest import CONTACT_HEADER, Landing, event

FUZZ = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

EVENTS = b"".join(
    json.dumps(event(f"m{i % 17}", properties={"n": i, "s": 'a "q", b'})).encode() + b"\n" for i in range(20)
)
CONTACTS = (
    CONTACT_HEADER
    + "\n"
    + "".join(
        f'{i % 13 + 1},c{i}@example.com,"Ann, ""A""",Lee,2026-01-01T00:00:00Z,'
        f"2026-11-20T0{i % 10}:00:00Z,{chr(34) + 'multi' + chr(10) + 'line' + chr(34) if i == 5 else 'x'}\n"
        for i in range(20)
    )
).encode()

NASTY = [
    b"\n",
    b"\r",
    b"\r\n",
    b'"',
    b",",
    b"{",
    b"}",
    b"\xff",
    b"\xc3",
    b"\x1f",
    b"\x00",
    b"\t",
    b"   ",
    b"\n\n",
    b'""',
    b"\xef\xbb\xbf",
]


@st.composite
def damaged(draw, good: bytes) -> bytes:
    data = bytearray(good)
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "cut", "repeat"]))
        if kind == "insert":
            data[at:at] = draw(st.sampled_from(NASTY) | st.binary(min_size=1, max_size=4))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "repeat":
            end = data.find(b"\n", at)
            data[at:at] = data[at : end + 1] if end >= 0 else b""
    return bytes(data)


def expected_event_lines(data: bytes) -> int:
    """Non-blank lines: what the loader must account for (a blank line holds no event)."""
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    return sum(1 for p in pieces if p.removesuffix(b"\r").lstrip(b" ") != b"")


def _check_accounting(landing: Landing, report, entity_table: str) -> None:
    """Counts add up, and no two rows name the same line (CRM duplicates are quarantined as
    superseded, so there every line read is either loaded or in the quarantine)."""
    for stats in report.files:
        assert stats.rows_read == stats.rows_loaded + stats.rows_quarantined + stats.rows_duplicate
        loaded = [
            r[0]
            for r in landing.rows(
                f"select _source_line from raw.{entity_table} where _source_file = ?", [stats.source_file]
            )
        ]
        quarantined = [
            r[0]
            for r in landing.rows(
                "select source_line from raw.load_quarantine where source_file = ?", [stats.source_file]
            )
        ]
        assert len(loaded) == stats.rows_loaded
        assert len(set(loaded) | set(quarantined)) == len(loaded) + len(quarantined), (
            "two rows name the same line"
        )
        assert all(line >= 1 for line in loaded + quarantined)
        if entity_table != "web_events":
            assert len(loaded) + len(quarantined) == stats.rows_read


def _load(root: Path):
    landing = Landing(root / "landing")
    return landing


@FUZZ
@given(data=damaged(EVENTS), gzipped=st.booleans(), cut_gzip=st.none() | st.floats(0.0, 1.0))
def test_damaged_event_files_account_for_every_line(data, gzipped, cut_gzip):
    with tempfile.TemporaryDirectory() as tmp:
        landing = _load(Path(tmp))
        name = "part-0.jsonl.gz" if gzipped else "part-0.jsonl"
        path = landing.events([], name=name)
        expected, damage = expected_event_lines(data), 0
        payload = data
        if gzipped:
            payload = gzip.compress(data)
            if cut_gzip is not None:
                payload = payload[: int(len(payload) * cut_gzip)]
                inflater = zlib.decompressobj(31)
                prefix = inflater.decompress(payload)
                if not payload:  # an empty file: nothing to read
                    expected = 0
                elif not inflater.eof:  # damaged: only the whole lines decompressed are read
                    expected = expected_event_lines(prefix[: prefix.rfind(b"\n") + 1])
                    damage = 1
        path.write_bytes(payload)

        report = landing.load(max_bad_share=1.0)

        (stats,) = report.files
        assert stats.rows_read == expected + damage
        _check_accounting(landing, report, "web_events")
        lines = data.count(b"\n") + 1
        if not damage:  # each event names its own line: its messageId is on it
            physical = data.split(b"\n")
            for message_id, line in landing.rows("select message_id, _source_line from raw.web_events"):
                assert message_id.encode() in physical[line - 1]
        assert all(
            r[0] <= lines
            for r in landing.rows(
                "select _source_line from raw.web_events union all "
                "select source_line from raw.load_quarantine"
            )
        )


@FUZZ
@given(data=damaged(CONTACTS), gzipped=st.booleans())
def test_damaged_crm_exports_account_for_every_record(data, gzipped):
    with tempfile.TemporaryDirectory() as tmp:
        landing = _load(Path(tmp))
        landing.crm(
            "contacts",
            gzip.compress(data) if gzipped else data,
            name="contacts.csv.gz" if gzipped else "contacts.csv",
        )
        try:
            report = landing.load(max_bad_share=1.0)
        except IngestError as failure:  # a damaged header is refused, naming it
            assert "line 1 (header)" in str(failure)
            return
        if not report.files or not report.files[0].rows_read:
            return
        _check_accounting(landing, report, "crm_contacts")
        (stats,) = report.files
        physical = data.count(b"\n") + 1
        texts = data.split(b"\n")  # each record names its own line: it starts with its id
        for record_id, line in landing.rows("select hs_object_id, _source_line from raw.crm_contacts"):
            assert texts[line - 1].startswith(record_id.encode() + b",")
        assert all(
            2 <= r[0] <= physical
            for r in landing.rows(
                "select _source_line from raw.crm_contacts union all "
                "select source_line from raw.load_quarantine"
            )
        )
        assert stats.rows_read <= physical - 1
        if data == CONTACTS:
            assert (stats.rows_read, stats.rows_quarantined, stats.rows_duplicate) == (20, 0, 7)
