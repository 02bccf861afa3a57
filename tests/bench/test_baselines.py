"""The benchmark's baselines (bench/baselines) score exactly like the pipeline.

One generated data set, with hand-planted edge cases ingestion has to deal with, is loaded and
scored once by the pipeline without Airflow (`load_days`, then `dbt_build`); both baselines must
then give every contact the scores, grade and tier of marts.fct_lead_scores. A rules change in a
copy of the seeds must show up as mismatches, which proves the baselines read the seeds and the
comparison bites.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from bench.baselines import pandas_scoring, single_sql
from bench.baselines.__main__ import main as baselines_cli
from bench.baselines.compare import compare
from lead_scoring import paths
from lead_scoring.generate.generator import generate
from lead_scoring.generate.settings import Settings
from lead_scoring.ingest import load_days
from lead_scoring.transform import dbt_build

# 65 days: the planted cold leads' one old page view (over 60 days before the end) is in the window.
SETTINGS = Settings(contacts=400, days=65, events_per_contact=10, seed=11)
SCORE_DATE = SETTINGS.end_date
BASELINES = {"pandas": pandas_scoring.score, "sql": single_sql.score}

# Planted contacts and company (ids far from the generator's)
COMPETITOR, STALE, OFFSET = 1_999_001, 1_999_002, 1_999_003
LARGE_COMPANY = 5_999_999_001


def _day(offset: int) -> dt.date:
    return SETTINGS.start_date + dt.timedelta(days=offset)


def _ts(day: dt.date, clock: str = "10:00:00", zone: str = "Z") -> str:
    return f"{day.isoformat()}T{clock}{zone}"


def _contact(contact_id, email, first, last, title, country, modified, created=None, company="") -> list[str]:
    created = created or _ts(_day(0), "08:00:00")
    return [
        str(contact_id),
        email,
        first,
        last,
        title,
        country,
        "Berlin",
        "lead",
        created,
        modified,
        "DIRECT_TRAFFIC",
        str(company),
        "",
        "end_user",
    ]


def _append_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _add_column(path: Path, header: str, value: str) -> None:
    """A custom property appears in one day's export (the others lack the column)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows = [rows[0] + [header]] + [row + [value] for row in rows[1:]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _event(message_id, day, kind="page", path="/pricing", clock="10:00:00", zone="Z", **fields) -> dict:
    body = {
        "messageId": message_id,
        "type": kind,
        "timestamp": _ts(day, clock, zone),
        "anonymousId": "anon-planted",
        "context": {"page": {"path": path}},
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def _write_events(landing: Path, day: dt.date, lines: list, name: str = "part-1.jsonl") -> None:
    path = landing / "web_events" / f"date={day.isoformat()}" / name
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())


def plant_edge_cases(landing: Path) -> None:
    """Rows that exercise what ingestion and staging do to the files, and rules the generated
    data never fires (an empty country, a competitor's email domain)."""
    header = (
        "hs_object_id,email,firstname,lastname,jobtitle,country,city,lifecyclestage,createdate,"
        "lastmodifieddate,hs_analytics_source,associatedcompanyid,phone,persona"
    )
    d1, d2, d3 = _day(10), _day(12), _day(13)
    crm = landing / "crm"
    _append_csv(
        crm / f"date={_day(5)}" / "contacts.csv",
        [
            _contact(STALE, "stale@nordwerk.de", "Stale", "Version", "VP Sales", "DE", _ts(_day(5))),
        ],
    )
    _append_csv(
        crm / f"date={d1}" / "contacts.csv",
        [
            # newest version first, then an older version of the same record in the same export
            _contact(
                COMPETITOR,
                "ada.quill@hubspot.com",
                "Ada",
                "Quill",
                "Founder and Engineering Manager",
                "",
                _ts(d1, "09:00:00"),
            ),
            _contact(
                COMPETITOR, "ada.quill@hubspot.com", "Ada", "Quill", "Intern", "US", _ts(d1, "08:30:00")
            ),
            # a newer version that is quarantined (bad createdate) leaves the good one loaded
            _contact(STALE, "stale@nordwerk.de", "Stale", "Version", "Student", "DE", _ts(d1, "09:00:00")),
            _contact(
                STALE,
                "stale@nordwerk.de",
                "Stale",
                "Version",
                "Student",
                "DE",
                _ts(d1, "10:00:00"),
                created="not a date",
            ),
            _contact("12ab", "bad.id@nordwerk.de", "Bad", "Id", "CEO", "DE", _ts(d1)),
            [*_contact(1_999_004, "too.many@nordwerk.de", "Too", "Many", "CEO", "DE", _ts(d1)), "extra"],
        ],
    )
    # staging drops a UTC offset unapplied: the +05:00 version counts as newer although it is older
    _append_csv(
        crm / f"date={d2}" / "contacts.csv",
        [
            _contact(
                OFFSET,
                "offset@nordwerk.de",
                "Off",
                "Set",
                "Director of Sales",
                "DE",
                _ts(d2, "22:00:00"),
                company=LARGE_COMPANY,
            ),
        ],
    )
    (crm / f"date={d3}" / "contacts.csv.gz").write_bytes(
        gzip.compress(
            "\n".join(
                [
                    header,
                    ",".join(
                        _contact(
                            OFFSET,
                            "offset@nordwerk.de",
                            "Off",
                            "Set",
                            "Intern",
                            "DE",
                            _ts(d3, "01:00:00", "+05:00"),
                            company=LARGE_COMPANY,
                        )
                    ),
                ]
            ).encode()
            + b"\n"
        )
    )
    _append_csv(
        crm / f"date={d2}" / "companies.csv",
        [
            [
                str(LARGE_COMPANY),
                "Nordwerk Holding",
                "NORDWERK.de",
                " Software ",
                "8000",
                "1,250,000.555",
                "DE",
                _ts(_day(0)),
                _ts(d2),
            ],
        ],
    )
    _add_column(crm / f"date={_day(0)}" / "contacts.csv", "Lead Source Detail", "webinar")

    d5 = _day(40)
    competitor = {"userId": COMPETITOR}  # a number, not a string: json_transform makes it text
    _write_events(
        landing,
        d5,
        [
            # anonymous visits, then the visitor identifies: the earlier visits count for the contact
            _event("p-anon-1", d5, clock="09:00:00", anonymousId="anon-ada"),
            _event("p-anon-2", d5, path="/demo", clock="09:01:00", anonymousId="anon-ada"),
            _event("p-ident", d5, kind="identify", clock="09:02:00", anonymousId="anon-ada", **competitor),
            *(
                _event(f"p-careers-{i}", d5, path="/careers", clock=f"09:1{i}:00", anonymousId="anon-ada")
                for i in range(4)
            ),
            _event("p-demo", d5, kind="track", event=" Demo Requested ", clock="09:20:00", **competitor),
            _event("p-demo", d5, kind="track", event=" Demo Requested ", clock="09:20:00", **competitor),
            # a form with the contact's email links another browser
            _event(
                "p-form",
                d5,
                kind="track",
                event=" form SUBMITTED",
                clock="11:00:00",
                anonymousId="anon-b",
                properties={"email": " Ada.Quill@HubSpot.com"},
            ),
            _event(
                "p-props-path",
                d5,
                path=None,
                clock="11:05:00",
                anonymousId="anon-b",
                properties={"path": "/case-studies/bank-aligns-sales"},
            ),
            # copies of one messageId on several days: loaded on d5, skipped 6 days later (within 7
            # days of the load), loaded again 12 days later (7+ days after the last load) and kept
            _event("p-copies", d5, path="/blog/what-is-lead-scoring", clock="12:00:00", **competitor),
            _event("p-dup-near", d5, path="/docs/sso", clock="12:01:00", **competitor),
            # quarantined lines
            "{not json",
            "[1, 2]",
            json.dumps(_event(None, d5)),
            json.dumps(_event("q-type", d5, kind="pageview")),
            json.dumps(_event("q-track", d5, kind="track")),
            json.dumps(_event("q-ts", d5, clock="25:99:00")),
            json.dumps(_event("q-who", d5, anonymousId="")),
            # an offset: 23:30 at -02:00 is 01:30 UTC the next day
            _event("p-offset", d5, path="/pricing", clock="23:30:00", zone="-02:00", userId=str(OFFSET)),
        ],
    )
    _write_events(
        landing,
        d5 + dt.timedelta(days=6),
        [
            _event("p-copies", d5, path="/pricing", clock="12:00:00", **competitor),
            _event("p-dup-near", d5, path="/pricing", clock="12:01:00", **competitor),
        ],
        name="part-1.jsonl.gz",
    )
    _write_events(
        landing,
        d5 + dt.timedelta(days=12),
        [
            _event("p-copies", d5, path="/demo", clock="12:00:00", **competitor),
        ],
    )
    # the end of the score date counts, the next day not yet
    offset = {"userId": str(OFFSET), "anonymousId": None}
    _write_events(
        landing,
        SCORE_DATE,
        [
            _event("p-today", SCORE_DATE, path="/pricing", clock="23:59:59", **offset),
            _event("p-tomorrow", SCORE_DATE + dt.timedelta(days=1), path="/demo", clock="00:00:01", **offset),
            _event("p-screen", SCORE_DATE, kind="screen", **offset),
        ],
    )


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> tuple[Path, Path]:
    """(landing folder, warehouse) after one load of every landed day and one dbt build."""
    root = tmp_path_factory.mktemp("baselines")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    generate(landing, SETTINGS)
    plant_edge_cases(landing)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEAD_SCORING_STATE_DIR", str(root / "state"))
        mp.setenv("LEAD_SCORING_LANDING_DIR", str(landing))
        mp.setenv("LEAD_SCORING_WAREHOUSE", str(warehouse))
        mp.delenv("LEAD_SCORING_TARGET", raising=False)
        days = [_day(i) for i in range(SETTINGS.days)]
        # the planted bad rows are a large share of the small daily files: quarantine, don't stop
        load_days(
            days, landing_dir=landing, warehouse_path=warehouse, dag_run_id="bench_test", max_bad_share=1.0
        )
        dbt_build(SCORE_DATE.isoformat())
    return landing, warehouse


@pytest.fixture(scope="module")
def baseline_scores(pipeline):
    landing, _ = pipeline
    return {name: score(landing, SCORE_DATE) for name, score in BASELINES.items()}


def _query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_data_set_fires_every_rule_and_the_planted_cases(pipeline):
    _, warehouse = pipeline
    fired = {r[0] for r in _query(warehouse, "select distinct rule_id from marts.fct_lead_score_components")}
    rules = {
        r[0]
        for r in _query(
            warehouse,
            """
        select rule_id from seeds.scoring_fit_rules
        union all select rule_id from seeds.scoring_engagement_rules
        union all select reason_code from seeds.junk_signals""",
        )
    }
    assert rules - fired == set()
    assert {"cap:seniority", "cap:activity", "cap:industry"} <= fired
    tiers = dict(
        _query(
            warehouse,
            "select contact_id, tier from marts.fct_lead_scores where contact_id between 1999000 and 1999999",
        )
    )
    assert set(tiers) == {COMPETITOR, STALE, OFFSET}  # 1999004's row had a field too many
    assert tiers[COMPETITOR] == "disqualified"
    titles = dict(
        _query(
            warehouse,
            f"select contact_id, jobtitle from staging.stg_crm__contacts "
            f"where contact_id in ({STALE}, {OFFSET})",
        )
    )
    assert titles == {STALE: "Student", OFFSET: "Intern"}  # the newer version of day 10 is the good one
    paths = dict(
        _query(
            warehouse,
            "select message_id, page_path from staging.stg_web__events "
            "where message_id in ('p-copies', 'p-dup-near')",
        )
    )
    assert paths == {"p-copies": "/demo", "p-dup-near": "/docs/sso"}


@pytest.mark.parametrize("baseline", sorted(BASELINES))
def test_baseline_equals_fct_lead_scores(baseline, baseline_scores, pipeline):
    _, warehouse = pipeline
    frame = baseline_scores[baseline]
    assert list(frame.columns) == [
        "contact_id",
        "fit_score",
        "engagement_score",
        "lead_score",
        "grade",
        "tier",
    ]
    assert compare(frame, warehouse) == []


@pytest.mark.parametrize("baseline", sorted(BASELINES))
def test_a_rules_change_shows_as_mismatches(baseline, pipeline, tmp_path):
    landing, warehouse = pipeline
    seeds = tmp_path / "seeds"
    shutil.copytree(paths.seeds_dir(), seeds)
    rules = seeds / "scoring_fit_rules.csv"
    text = rules.read_text(encoding="utf-8")
    changed = text.replace("(director|head of)([^a-z]|$),25,", "(director|head of)([^a-z]|$),20,")
    assert changed != text
    rules.write_text(changed, encoding="utf-8")

    problems = compare(BASELINES[baseline](landing, SCORE_DATE, seeds), warehouse)

    assert any(p.startswith("fit_score differs") for p in problems), problems
    assert not any("missing" in p or "not in the warehouse" in p for p in problems)


def test_cli_prints_rows_seconds_and_mismatches(pipeline, capsys):
    landing, warehouse = pipeline

    exit_code = baselines_cli(
        [
            "sql",
            "--landing",
            str(landing),
            "--score-date",
            SCORE_DATE.isoformat(),
            "--compare",
            str(warehouse),
        ]
    )

    lines = capsys.readouterr().out.splitlines()
    [(contacts,)] = _query(warehouse, "select count(*) from marts.fct_lead_scores")
    assert exit_code == 0
    assert lines[0].startswith(f"sql: {contacts:,} rows in ") and lines[0].endswith(" s")
    assert lines[1:] == ["mismatches: 0"]


def test_rules_without_a_between_rule(pipeline, tmp_path):
    """No fit rule uses `between` (no company-size rules): both baselines still score, alike."""
    landing, warehouse = pipeline
    seeds = tmp_path / "seeds"
    shutil.copytree(paths.seeds_dir(), seeds)
    rules = seeds / "scoring_fit_rules.csv"
    lines = rules.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if ",between," not in line]
    assert len(kept) < len(lines)
    rules.write_text("".join(kept), encoding="utf-8")

    frames = {name: score(landing, SCORE_DATE, seeds) for name, score in BASELINES.items()}

    pandas_frame = frames["pandas"].sort_values("contact_id").reset_index(drop=True)
    sql_frame = frames["sql"].sort_values("contact_id").reset_index(drop=True)
    assert pandas_frame.astype(str).equals(sql_frame.astype(str))
    # without the company-size points some fit scores are lower than the shipped rules give
    assert any(p.startswith("fit_score differs") for p in compare(frames["pandas"], warehouse))
