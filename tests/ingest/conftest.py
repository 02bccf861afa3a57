"""Helpers to land small hand-written files and load them."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from lead_scoring.ingest import load_days

DAY = date(2026, 11, 20)
CONTACT_HEADER = "hs_object_id,email,firstname,lastname,createdate,lastmodifieddate,persona"


class Landing:
    def __init__(self, root: Path):
        self.root = root
        self.warehouse = root.parent / "warehouse.duckdb"

    def crm(self, entity: str, text: str, day: date = DAY, name: str | None = None) -> Path:
        path = self.root / "crm" / f"date={day}" / (name or f"{entity}.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        return path

    def events(self, lines: list, day: date = DAY, name: str = "part-0.jsonl.gz") -> Path:
        path = self.root / "web_events" / f"date={day}" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = b"".join(
            (
                line
                if isinstance(line, bytes)
                else (line if isinstance(line, str) else json.dumps(line)).encode()
            )
            + b"\n"
            for line in lines
        )
        path.write_bytes(gzip.compress(body) if name.endswith(".gz") else body)
        return path

    def load(self, *days: date, **kwargs):
        return load_days(
            list(days or [DAY]),
            landing_dir=self.root,
            warehouse_path=self.warehouse,
            dag_run_id="test",
            **kwargs,
        )

    def rows(self, sql: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture
def landing(tmp_path) -> Landing:
    return Landing(tmp_path / "landing")


def event(message_id: str, **fields) -> dict:
    base = {
        "messageId": message_id,
        "type": "page",
        "anonymousId": "anon-1",
        "timestamp": "2026-11-20T10:00:00Z",
        "context": {"page": {"path": "/pricing"}},
    }
    base.update(fields)
    return base
