"""Reverse sync against the real sandbox server and a real DuckDB warehouse."""

from __future__ import annotations

import itertools
import json
import logging
import re

import pytest
import requests

from lead_scoring.cli import main
from lead_scoring.crm.client import CrmAuthError
from lead_scoring.progress import EVENTS_FILE_ENV
from lead_scoring.sync import SyncGuardError, run_sync
from lead_scoring.sync.payload import PROPERTY_NAMES

from .conftest import N_CONTACTS, TOKEN, make_client, query, score_rows, write_scores


def expected(row: tuple) -> dict[str, str]:
    """What the CRM should hold for one fct_lead_scores row (written out independently)."""
    (
        _cid,
        _email,
        fit,
        engagement,
        lead,
        grade,
        tier,
        _stage,
        junk,
        junk_reasons,
        reasons,
        scored_at,
        version,
    ) = row
    return {
        "lead_fit_score": str(fit),
        "lead_engagement_score": f"{engagement:g}",
        "lead_score": str(lead),
        "lead_grade": grade,
        "lead_tier": tier,
        "lead_score_reasons": f"Junk: {junk_reasons}; {reasons}" if junk else reasons,
        "lead_is_junk": "true" if junk else "false",
        "lead_scored_at": scored_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "lead_scoring_model_version": version,
    }


def crm_values(client) -> dict[int, dict]:
    return {
        int(r["id"]): {k: r["properties"].get(k) for k in PROPERTY_NAMES}
        for r in client.iter_objects("contacts", PROPERTY_NAMES)
    }


def assert_crm_matches(client, rows):
    held = crm_values(client)
    for row in rows:
        assert held[row[0]] == expected(row), row[0]


def test_first_sync_writes_everything_then_nothing(warehouse, sandbox, client):
    first = run_sync(warehouse, client)
    assert (first.total, first.planned, first.sent, first.succeeded, first.failed) == (
        N_CONTACTS,
        N_CONTACTS,
        N_CONTACTS,
        N_CONTACTS,
        0,
    )
    assert first.complete and first.stopped_reason is None
    assert sorted(first.properties_created) == sorted(PROPERTY_NAMES)
    assert_crm_matches(client, score_rows())
    assert set(sandbox.write_counts().values()) == {1}
    assert query(warehouse, "select count(*) from sync.crm_sync_state")[0][0] == N_CONTACTS
    batches = [r for r in sandbox.stats()["requests"] if r["route"] == "batch_update"]
    assert sum(r["count"] for r in batches) == 3  # batches of 100

    writes_before = sandbox.stats()["daily_used"]
    again = run_sync(warehouse, client)
    assert (again.planned, again.sent, again.skipped, again.requests) == (0, 0, N_CONTACTS, 0)
    assert sandbox.stats()["daily_used"] == writes_before
    assert set(sandbox.write_counts().values()) == {1}

    runs = query(
        warehouse,
        "select planned, sent, succeeded, failed, skipped, dry_run, "
        "stopped_reason, finished_at is not null from sync.crm_sync_runs "
        "order by started_at",
    )
    assert runs == [
        (N_CONTACTS, N_CONTACTS, N_CONTACTS, 0, 0, False, None, True),
        (0, 0, 0, 0, N_CONTACTS, False, None, True),
    ]


def test_one_changed_score_sends_exactly_one_write(warehouse, sandbox, client):
    run_sync(warehouse, client)
    query(warehouse, "update marts.fct_lead_scores set lead_score = lead_score + 1 where contact_id = 42")
    result = run_sync(warehouse, client)
    assert (result.planned, result.sent, result.succeeded) == (1, 1, 1)
    counts = sandbox.write_counts()
    assert counts[42] == 2 and sum(counts.values()) == N_CONTACTS + 1
    row = next(r for r in score_rows() if r[0] == 42)
    assert crm_values(client)[42]["lead_score"] == str(row[4] + 1)


def test_scored_at_alone_does_not_cause_a_write(warehouse, sandbox, client):
    run_sync(warehouse, client)
    query(warehouse, "update marts.fct_lead_scores set scored_at = scored_at + interval 1 day")
    assert run_sync(warehouse, client).sent == 0


def test_faults_converge_without_losing_or_repeating_writes(warehouse, sandbox, client):
    sandbox.set_faults(
        rate_429=0.2,
        error_500=0.05,
        slow=0.05,
        slow_seconds=0.05,
        partial_207=0.3,
        partial_inputs=0.1,
        seed=5,
    )
    results = []
    for _ in range(20):
        result = run_sync(warehouse, client, batch_size=25)  # more requests, more faults
        results.append(result)
        if result.complete:
            break
    assert results[-1].complete, [r.summary() for r in results]
    assert len(results) >= 2  # the partial failures needed a second run
    assert sum(r.succeeded for r in results) == N_CONTACTS
    # with this seed every kind of fault happened at least once
    assert client.stats.rate_limited > 0 and client.stats.server_errors > 0, client.stats
    sandbox.set_faults()
    # every contact written exactly once, server-side
    assert sandbox.write_counts() == {i: 1 for i in range(1, N_CONTACTS + 1)}
    assert_crm_matches(client, score_rows())
    failed = sum(r.failed for r in results)
    assert failed > 0
    assert query(warehouse, "select count(*) from sync.crm_sync_errors")[0][0] == failed
    assert query(warehouse, "select count(distinct error_category) from sync.crm_sync_errors")[0][0] >= 1
    assert run_sync(warehouse, client).sent == 0


def test_rows_the_crm_refuses_are_recorded_and_retried(warehouse, sandbox, client):
    rows = score_rows()
    rows[0] = (*rows[0][:6], "lukewarm", *rows[0][7:])  # not a tier option
    rows.append(
        (
            9999,
            "ghost@example.com",
            1,
            1.0,
            1,
            "C3",
            "cold",
            "lead",
            False,
            None,
            "x",
            rows[1][11],
            "rules-v1",
        )
    )  # no such contact in the CRM
    write_scores(warehouse, rows)
    first = run_sync(warehouse, client)
    assert (first.planned, first.succeeded, first.failed) == (N_CONTACTS + 1, N_CONTACTS - 1, 2)
    assert not first.complete
    errors = dict(query(warehouse, "select contact_id, error_category from sync.crm_sync_errors"))
    assert errors == {1: "VALIDATION_ERROR", 9999: "OBJECT_NOT_FOUND"}
    assert {e["contact_id"] for e in first.errors} == {1, 9999}

    # 1 is still changed (its state never advanced); 9999 is gone from the CRM: not sent again
    second = run_sync(warehouse, client)
    assert (second.planned, second.sent, second.failed, second.gone) == (1, 1, 1, 1)
    rows[0] = score_rows()[0]
    write_scores(warehouse, rows)
    third = run_sync(warehouse, client)
    assert (third.planned, third.succeeded, third.failed) == (1, 1, 0) and third.complete
    assert crm_values(client)[1] == expected(score_rows()[0])


def test_a_contact_archived_in_the_crm_is_recorded_as_gone_and_not_retried(warehouse, sandbox, client):
    assert run_sync(warehouse, client).complete
    archived = requests.post(
        f"{sandbox.url}/crm/v3/objects/contacts/batch/archive",
        json={"inputs": [{"id": "7"}, {"id": "8"}]},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert archived.status_code == 204
    query(
        warehouse,
        "update marts.fct_lead_scores set lead_score = lead_score + 1 where contact_id between 5 and 9",
    )

    first = run_sync(warehouse, client)
    assert (first.planned, first.succeeded, first.failed) == (5, 3, 2)
    assert sorted(
        query(warehouse, "select contact_id, error_message is not null, run_id from sync.crm_sync_gone")
    ) == [(7, True, first.run_id), (8, True, first.run_id)]
    assert sorted(query(warehouse, "select contact_id, error_category from sync.crm_sync_errors")) == [
        (7, "OBJECT_NOT_FOUND"),
        (8, "OBJECT_NOT_FOUND"),
    ]

    second = run_sync(warehouse, client)  # gone: not sent again, the run is complete
    assert (second.planned, second.sent, second.gone) == (0, 0, 2) and second.complete
    assert "2 gone from the CRM" in second.summary()
    writes = sandbox.write_counts()
    assert (writes[7], writes[8]) == (2, 2)  # the first sync and the archive; no update since

    query(warehouse, "delete from sync.crm_sync_gone where contact_id = 8")  # restored: send it
    assert (run_sync(warehouse, client).planned) == 1


def test_bad_token_fails_clearly_and_advances_nothing(warehouse, sandbox):
    client = make_client(sandbox.url, token="not-the-token")
    with pytest.raises(CrmAuthError, match="crm_default.*401"):
        run_sync(warehouse, client)
    assert query(warehouse, "select count(*) from sync.crm_sync_state")[0][0] == 0
    assert sandbox.write_counts() == {}
    reason = query(warehouse, "select stopped_reason from sync.crm_sync_runs")[0][0]
    assert reason.startswith("auth_error") and "not-the-token" not in reason


def test_daily_cap_leaves_progress_the_next_run_completes(warehouse, sandbox, client):
    # ensure_properties: GET groups, POST group, GET properties, 9 x POST property = 12 requests
    sandbox.set_limits(daily_limit=13)
    first = run_sync(warehouse, client)
    assert first.stopped_reason == "daily_limit"
    assert (first.succeeded, first.failed) == (100, 0)
    assert query(warehouse, "select count(*) from sync.crm_sync_state")[0][0] == 100
    sandbox.reset_limits()  # a new day
    sandbox.set_limits(daily_limit=1_000_000)
    second = run_sync(warehouse, client)
    assert second.complete and (second.planned, second.succeeded) == (N_CONTACTS - 100, N_CONTACTS - 100)
    assert sandbox.write_counts() == {i: 1 for i in range(1, N_CONTACTS + 1)}
    reasons = [
        r[0] for r in query(warehouse, "select stopped_reason from sync.crm_sync_runs order by started_at")
    ]
    assert reasons == ["daily_limit", None]


def test_guard_refuses_mass_overwrites_unless_forced(warehouse, sandbox, client):
    run_sync(warehouse, client)
    query(warehouse, "update marts.fct_lead_scores set model_version = 'rules-v2' where contact_id <= 200")
    with pytest.raises(SyncGuardError, match="200 of 300"):
        run_sync(warehouse, client)
    assert sum(sandbox.write_counts().values()) == N_CONTACTS
    assert (
        query(warehouse, "select stopped_reason from sync.crm_sync_runs order by started_at desc limit 1")[0][
            0
        ]
        == "guard"
    )
    assert run_sync(warehouse, client, max_share=0.7).succeeded == 200
    query(warehouse, "update marts.fct_lead_scores set model_version = 'rules-v3'")
    forced = run_sync(warehouse, client, force=True)
    assert forced.succeeded == N_CONTACTS


def test_first_sync_is_not_guarded(warehouse, client):
    assert run_sync(warehouse, client, max_share=0.1).succeeded == N_CONTACTS


def test_dry_run_reports_changes_and_writes_nothing(warehouse, sandbox, client):
    preview = run_sync(warehouse, None, dry_run=True)
    assert preview.dry_run and preview.planned == N_CONTACTS and preview.sent == 0
    assert preview.changes[0]["changes"]["lead_tier"] == [None, score_rows()[0][6]]
    assert sandbox.write_counts() == {}
    run_sync(warehouse, client)
    query(warehouse, "update marts.fct_lead_scores set tier = 'cold' where contact_id = 3")
    assert score_rows()[2][6] == "hot"
    preview = run_sync(warehouse, client, dry_run=True)
    assert preview.changes == [{"contact_id": 3, "changes": {"lead_tier": ["hot", "cold"]}}]
    assert sum(sandbox.write_counts().values()) == N_CONTACTS
    query(warehouse, "update marts.fct_lead_scores set tier = 'hot'")
    mass = run_sync(warehouse, None, dry_run=True)
    assert mass.guard_tripped and mass.stopped_reason is None
    assert query(warehouse, "select count(*) from sync.crm_sync_runs where dry_run")[0][0] == 3


def test_sync_cli(monkeypatch, capsys, warehouse, sandbox):
    monkeypatch.setenv("LEAD_SCORING_CRM_URL", sandbox.url)
    monkeypatch.setenv("LEAD_SCORING_CRM_TOKEN", TOKEN)
    monkeypatch.delenv("AIRFLOW_CONN_CRM_DEFAULT", raising=False)
    assert main(["sync", "--warehouse", str(warehouse), "--dry-run", "--show", "2"]) == 0
    out = capsys.readouterr().out
    assert "dry run: 300 scored contacts, 300 changed" in out and "... and 298 more" in out
    assert main(["sync", "--warehouse", str(warehouse)]) == 0
    assert "confirmed 300" in capsys.readouterr().out
    query(warehouse, "update marts.fct_lead_scores set lead_score = 0")
    assert main(["sync", "--warehouse", str(warehouse)]) == 3
    assert "--force" in capsys.readouterr().err
    assert main(["sync", "--warehouse", str(warehouse), "--force", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["succeeded"] > 200
    monkeypatch.setenv("LEAD_SCORING_CRM_TOKEN", "bad")
    query(warehouse, "update marts.fct_lead_scores set lead_score = 1")
    assert main(["sync", "--warehouse", str(warehouse), "--force"]) == 2
    assert "401" in capsys.readouterr().err


def test_missing_scores_table_is_a_clear_error(tmp_path, client):
    from lead_scoring.sync import SyncError

    with pytest.raises(SyncError, match="marts.fct_lead_scores does not exist"):
        run_sync(tmp_path / "empty.duckdb", client)


def test_a_garbage_answer_stops_the_run_and_loses_nothing(warehouse, sandbox, client):
    from lead_scoring.crm.client import CrmBadResponse

    run_sync(warehouse, client)  # creates the properties
    query(
        warehouse, "update marts.fct_lead_scores set lead_score = lead_score + 1000 where contact_id <= 120"
    )
    sandbox.script(
        {"status": 200, "body": {"results": [{"name": "lead_scoring"}]}},
        {"status": 200, "body": {"results": [{"name": n} for n in PROPERTY_NAMES]}},
        {"status": 200, "body": "<html><body>502 Bad Gateway</body></html>"},
    )
    with pytest.raises(CrmBadResponse, match="not JSON.*502 Bad Gateway"):
        run_sync(warehouse, client)
    assert query(warehouse, "select count(*), min(error_category) from sync.crm_sync_errors") == [
        (100, "CrmBadResponse")
    ]
    assert query(
        warehouse,
        "select stopped_reason like 'error: %' from sync.crm_sync_runs order by started_at desc limit 1",
    ) == [(True,)]
    done = run_sync(warehouse, client)
    assert (done.planned, done.succeeded) == (120, 120)
    counts = sandbox.write_counts()
    assert all(counts[i] == 2 for i in range(1, 121)) and counts[121] == 1


def test_a_paced_sync_reports_progress_with_an_eta(warehouse, sandbox, caplog, tmp_path, monkeypatch):
    """A low request budget (3 per 0.3 s: 12 requests of setup, 15 batches of 20) takes seconds;
    the log says how far it is at least every interval, from the start."""
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv(EVENTS_FILE_ENV, str(events))
    caplog.set_level(logging.INFO, logger="lead_scoring.sync")
    with make_client(sandbox.url, requests_per_10s=3, window_s=0.3) as slow:
        result = run_sync(warehouse, slow, batch_size=20, progress_interval_s=0.4)
    assert result.complete
    records = [r for r in caplog.records if r.getMessage().startswith("CRM sync: ")]
    assert records[0].getMessage() == (
        "CRM sync: sending 300 changed contacts in batches of up to 20 (request budget 3 per 0.3s)"
    )
    lines = [r.getMessage() for r in records[1:-1]]
    setup = list(itertools.takewhile(lambda line: line.startswith("CRM sync: 0/"), lines))
    assert set(setup) <= {"CRM sync: 0/300 contacts (0%), 0.0 contacts/s, ETA unknown"}  # the properties
    sending = lines[len(setup) :]
    assert sending[0].startswith("CRM sync: 20/300 contacts (7%), ")  # at once after the first batch
    assert 3 <= len(sending) < 15  # every 0.4 s, not every batch
    for line in sending:
        assert re.fullmatch(r"CRM sync: \d+/300 contacts \(\d+%\), [\d.]+ contacts/s, ETA \d+s", line)
    gaps = [b.created - a.created for a, b in itertools.pairwise(records)]
    assert max(gaps) < 0.4 + 0.4, gaps  # never silent much longer than the interval
    assert re.fullmatch(r"CRM sync: 300/300 contacts in \d+s \([\d.]+ contacts/s\)", records[-1].getMessage())
    sent = [json.loads(line) for line in events.read_text().splitlines()]
    assert [e["message"] for e in sent if e["source"] == "sync"] == [r.getMessage() for r in records[1:]] + [
        f"CRM sync {result.summary()}"
    ]
