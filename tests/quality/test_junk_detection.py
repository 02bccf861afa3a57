"""Junk detection on generated data: every planted junk lead is flagged with its reason, and no
ordinary name the generator uses is flagged, in any first/last pairing."""

from __future__ import annotations

import csv
import itertools
from datetime import date

import duckdb
import pytest

from lead_scoring.generate import names
from lead_scoring.generate.generator import generate
from lead_scoring.generate.settings import Settings
from lead_scoring.ingest import load_days
from lead_scoring.transform import dbt_build

END = date(2026, 11, 20)
ROSTER_ID_BASE = 8_000_000


@pytest.fixture(scope="module")
def junk_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("junk")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    settings = Settings(contacts=3000, days=5, end_date=END, seed=11, junk_share=0.05)
    generate(landing, settings)
    # Every pairing of the generator's ordinary first and last names, as extra contacts.
    roster = list(itertools.product(names.FIRST_NAMES, names.LAST_NAMES))
    with (landing / "crm" / f"date={END}" / "contacts.csv").open("a", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for i, (first, last) in enumerate(roster):
            writer.writerow(
                [
                    ROSTER_ID_BASE + i,
                    f"r{i}@northwind-analytics.com",
                    first,
                    last,
                    "Analyst",
                    "US",
                    "Boston",
                    "lead",
                    "2026-01-05T10:00:00Z",
                    "2026-11-20T10:00:00Z",
                    "ORGANIC_SEARCH",
                    "",
                    "",
                    "end_user",
                ]
            )
    load_days(
        [date.fromisoformat(d) for d in settings.day_strings()],
        landing_dir=landing,
        warehouse_path=warehouse,
        dag_run_id="junk-test",
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LEAD_SCORING_STATE_DIR", str(root / "state"))
        env.setenv("LEAD_SCORING_WAREHOUSE", str(warehouse))
        dbt_build(END.isoformat())
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        flagged = {
            cid: set(reasons.split(","))
            for cid, reasons in con.execute(
                "select contact_id, junk_reasons from marts.fct_lead_scores where is_junk"
            ).fetchall()
        }
        scored = {cid for (cid,) in con.execute("select contact_id from marts.fct_lead_scores").fetchall()}
    finally:
        con.close()
    planted = {
        int(p["hs_object_id"]): p["reason"]
        for p in csv.DictReader((landing / "_generator" / "planted_leads.csv").open())
        if p["kind"] == "junk"
    }
    return {"flagged": flagged, "planted": planted, "scored": scored, "roster": len(roster)}


def test_every_planted_junk_lead_is_flagged_with_its_reason(junk_run):
    planted, flagged = junk_run["planted"], junk_run["flagged"]
    assert set(planted.values()) == set(names.JUNK_REASONS)
    missed = {cid: reason for cid, reason in planted.items() if reason not in flagged.get(cid, set())}
    recall = 1 - len(missed) / len(planted)
    assert missed == {}, f"recall {recall:.3f}; missed {missed}"


def test_nothing_but_planted_junk_is_flagged(junk_run):
    planted, flagged = junk_run["planted"], junk_run["flagged"]
    false_positives = {cid: r for cid, r in flagged.items() if cid not in planted}
    precision = 1 - len(false_positives) / len(flagged)
    assert false_positives == {}, f"precision {precision:.3f}; flagged {false_positives}"


def test_no_pairing_of_ordinary_names_is_flagged(junk_run):
    roster_ids = {ROSTER_ID_BASE + i for i in range(junk_run["roster"])}
    assert roster_ids <= junk_run["scored"]
    assert sorted(roster_ids & set(junk_run["flagged"])) == []
