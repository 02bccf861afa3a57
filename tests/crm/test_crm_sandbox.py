"""The sandbox answers like HubSpot CRM v3 for the subset the project uses (raw HTTP)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import requests

from lead_scoring.crm.sandbox import Faults, start_sandbox
from lead_scoring.crm.timeutil import to_ms

from .conftest import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def seed(sandbox, n=30):
    sandbox.store.bulk_insert(
        "contacts",
        [
            {
                "hs_object_id": i,
                "email": f"u{i}@example.com",
                "firstname": f"F{i}",
                "country": "DE" if i % 2 else "FR",
                "createdate": "2026-01-01T00:00:00Z",
                "lastmodifieddate": f"2026-01-{1 + i % 10:02d}T00:00:00Z",
            }
            for i in range(1, n + 1)
        ],
    )


def get(sandbox, path, **params):
    return requests.get(sandbox.url + path, headers=AUTH, params=params, timeout=5)


def post(sandbox, path, body, headers=AUTH):
    return requests.post(sandbox.url + path, headers=headers, json=body, timeout=5)


def test_list_pages_with_limit_and_after(sandbox):
    seed(sandbox, 25)
    seen, after = [], None
    while True:
        params = {"limit": 10, "properties": "email,country"}
        if after:
            params["after"] = after
        body = get(sandbox, "/crm/v3/objects/contacts", **params).json()
        assert len(body["results"]) <= 10
        seen.extend(r["id"] for r in body["results"])
        assert set(body["results"][0]["properties"]) >= {"email", "country", "hs_object_id"}
        after = body.get("paging", {}).get("next", {}).get("after")
        if not after:
            break
    assert seen == [str(i) for i in range(1, 26)]
    assert get(sandbox, "/crm/v3/objects/contacts", limit=101).status_code == 400


def test_get_one_by_id_and_by_email(sandbox):
    seed(sandbox, 3)
    one = get(sandbox, "/crm/v3/objects/contacts/2", properties="email").json()
    assert one["id"] == "2" and one["properties"]["email"] == "u2@example.com"
    assert {"createdAt", "updatedAt", "archived"} <= set(one)
    by_email = get(sandbox, "/crm/v3/objects/contacts/U3@example.com", idProperty="email").json()
    assert by_email["id"] == "3"
    missing = get(sandbox, "/crm/v3/objects/contacts/999")
    assert missing.status_code == 404 and missing.json()["category"] == "OBJECT_NOT_FOUND"


def test_search_filters_sorts_total_and_paging(sandbox):
    seed(sandbox, 30)
    since = to_ms("2026-01-05T00:00:00Z")
    body = post(
        sandbox,
        "/crm/v3/objects/contacts/search",
        {
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(since)},
                        {
                            "propertyName": "lastmodifieddate",
                            "operator": "LT",
                            "value": "2026-01-07T00:00:00Z",
                        },
                        {"propertyName": "country", "operator": "EQ", "value": "de"},
                    ]
                }
            ],
            "sorts": [{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
            "properties": ["email", "lastmodifieddate"],
            "limit": 2,
        },
    ).json()
    # days 5 and 6 -> i % 10 in (4, 5); odd i only (DE): 5, 15, 25
    assert body["total"] == 3
    assert [r["id"] for r in body["results"]] == ["25", "15"]
    assert body["paging"]["next"]["after"] == "2"
    rest = post(
        sandbox,
        "/crm/v3/objects/contacts/search",
        {
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(since)},
                        {
                            "propertyName": "lastmodifieddate",
                            "operator": "LT",
                            "value": "2026-01-07T00:00:00Z",
                        },
                        {"propertyName": "country", "operator": "EQ", "value": "DE"},
                    ]
                }
            ],
            "sorts": [{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
            "limit": 2,
            "after": "2",
        },
    ).json()
    assert [r["id"] for r in rest["results"]] == ["5"] and "paging" not in rest
    # OR of filter groups, GT / LTE
    either = post(
        sandbox,
        "/crm/v3/objects/contacts/search",
        {
            "filterGroups": [
                {"filters": [{"propertyName": "hs_object_id", "operator": "LTE", "value": "2"}]},
                {"filters": [{"propertyName": "hs_object_id", "operator": "GT", "value": "29"}]},
            ]
        },
    ).json()
    assert sorted(int(r["id"]) for r in either["results"]) == [1, 2, 30]
    assert post(sandbox, "/crm/v3/objects/contacts/search", {"limit": 201}).status_code == 400


def test_search_refuses_paging_beyond_the_cap(sandbox):
    seed(sandbox, 30)
    sandbox.set_limits(search_cap=20)
    page = post(sandbox, "/crm/v3/objects/contacts/search", {"limit": 15, "after": "10"}).json()
    assert page["total"] == 30 and len(page["results"]) == 10  # clipped at the cap
    beyond = post(sandbox, "/crm/v3/objects/contacts/search", {"limit": 10, "after": "20"})
    assert beyond.status_code == 400
    assert beyond.json()["category"] == "VALIDATION_ERROR"


def test_batch_read_update_upsert_create(sandbox):
    seed(sandbox, 5)
    post(
        sandbox,
        "/crm/v3/properties/contacts",
        {
            "name": "lead_tier",
            "label": "Tier",
            "type": "enumeration",
            "fieldType": "select",
            "groupName": "contactinformation",
            "options": [{"label": "Hot", "value": "hot"}, {"label": "Cold", "value": "cold"}],
        },
    )
    read = post(
        sandbox,
        "/crm/v3/objects/contacts/batch/read",
        {"inputs": [{"id": "1"}, {"id": "77"}], "properties": ["email"]},
    )
    assert read.status_code == 207
    assert [r["id"] for r in read.json()["results"]] == ["1"]
    assert read.json()["errors"][0]["context"]["ids"] == ["77"]

    before = get(sandbox, "/crm/v3/objects/contacts/1").json()["properties"]["lastmodifieddate"]
    update = post(
        sandbox,
        "/crm/v3/objects/contacts/batch/update",
        {
            "inputs": [
                {"id": "1", "properties": {"lead_tier": "hot", "firstname": "Ann"}},
                {"id": "2", "properties": {"lead_tier": "lukewarm"}},
                {"id": "404", "properties": {"lead_tier": "cold"}},
                {"id": "3", "properties": {"no_such_property": "x"}},
            ]
        },
    )
    assert update.status_code == 207
    body = update.json()
    assert body["status"] == "COMPLETE" and body["numErrors"] == 3
    assert [r["id"] for r in body["results"]] == ["1"]
    by_id = {e["context"]["ids"][0]: e for e in body["errors"]}
    assert by_id["2"]["category"] == "VALIDATION_ERROR"
    assert by_id["2"]["errors"][0]["code"] == "INVALID_OPTION"
    assert by_id["404"]["category"] == "OBJECT_NOT_FOUND"
    assert by_id["3"]["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    after = get(sandbox, "/crm/v3/objects/contacts/1", properties="lead_tier,firstname").json()
    assert after["properties"]["lead_tier"] == "hot" and after["properties"]["firstname"] == "Ann"
    assert to_ms(after["properties"]["lastmodifieddate"]) > to_ms(before)
    assert (
        get(sandbox, "/crm/v3/objects/contacts/2", properties="lead_tier").json()["properties"]["lead_tier"]
        is None
    )
    assert sandbox.write_counts() == {1: 1}

    too_many = post(
        sandbox,
        "/crm/v3/objects/contacts/batch/update",
        {"inputs": [{"id": str(i), "properties": {}} for i in range(101)]},
    )
    assert too_many.status_code == 400
    dupes = post(
        sandbox,
        "/crm/v3/objects/contacts/batch/update",
        {"inputs": [{"id": "1", "properties": {}}, {"id": "1", "properties": {}}]},
    )
    assert dupes.status_code == 400

    upsert = post(
        sandbox,
        "/crm/v3/objects/contacts/batch/upsert",
        {
            "inputs": [
                {"id": "u2@example.com", "idProperty": "email", "properties": {"firstname": "Bo"}},
                {"id": "new@example.com", "idProperty": "email", "properties": {"firstname": "Cy"}},
            ]
        },
    ).json()
    assert sorted((r["new"], r["properties"]["firstname"]) for r in upsert["results"]) == [
        (False, "Bo"),
        (True, "Cy"),
    ]
    count = sandbox.store.count("contacts")
    conflict = post(
        sandbox,
        "/crm/v3/objects/contacts/batch/create",
        {
            "inputs": [
                {"properties": {"email": "x@example.com"}},
                {"properties": {"email": "u1@example.com"}},
            ]
        },
    )
    assert conflict.status_code == 409  # like HubSpot: the whole batch, nothing created
    assert conflict.json()["category"] == "CONFLICT"
    assert conflict.json()["message"] == "Contact already exists. Existing ID: 1"
    assert sandbox.store.count("contacts") == count
    created = post(
        sandbox,
        "/crm/v3/objects/contacts/batch/create",
        {"inputs": [{"properties": {"email": "x@example.com"}}]},
    )
    assert created.status_code == 201
    new_id = created.json()["results"][0]["id"]
    assert get(sandbox, f"/crm/v3/objects/contacts/{new_id}").status_code == 200


def test_creating_a_contact_whose_email_exists_answers_409_with_hubspots_body(sandbox):
    seed(sandbox, 3)
    dup = post(sandbox, "/crm/v3/objects/contacts", {"properties": {"email": "U2@example.com"}})
    assert dup.status_code == 409
    body = dup.json()
    assert set(body) == {"status", "message", "correlationId", "category"}
    assert (body["status"], body["category"]) == ("error", "CONFLICT")
    assert body["message"] == "Contact already exists. Existing ID: 2"
    assert sandbox.store.count("contacts") == 3


def test_delete_and_batch_archive_hide_contacts_from_reads_and_updates(sandbox):
    seed(sandbox, 6)
    deleted = requests.delete(sandbox.url + "/crm/v3/objects/contacts/2", headers=AUTH, timeout=5)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert get(sandbox, "/crm/v3/objects/contacts/2").status_code == 404
    again = requests.delete(sandbox.url + "/crm/v3/objects/contacts/2", headers=AUTH, timeout=5)
    assert again.status_code == 204  # archiving twice is no error
    archived = post(sandbox, "/crm/v3/objects/contacts/batch/archive", {"inputs": [{"id": "3"}, {"id": "4"}]})
    assert (archived.status_code, archived.content) == (204, b"")
    listed = get(sandbox, "/crm/v3/objects/contacts", limit=100).json()["results"]
    assert [r["id"] for r in listed] == ["1", "5", "6"]
    update = post(
        sandbox,
        "/crm/v3/objects/contacts/batch/update",
        {
            "inputs": [
                {"id": "1", "properties": {"firstname": "A"}},
                {"id": "3", "properties": {"firstname": "B"}},
            ]
        },
    )
    assert update.status_code == 207
    [error] = update.json()["errors"]
    assert error["category"] == "OBJECT_NOT_FOUND" and error["context"]["ids"] == ["3"]
    # an archived contact's email may be used again
    assert (
        post(sandbox, "/crm/v3/objects/contacts", {"properties": {"email": "u2@example.com"}}).status_code
        == 201
    )


def test_association_delete_and_batch_archive(sandbox):
    seed(sandbox, 3)
    sandbox.store.bulk_insert(
        "companies", [{"hs_object_id": 501, "name": "Acme"}, {"hs_object_id": 502, "name": "Beta"}]
    )
    for company in (501, 502):
        for contact in (1, 2):
            assert (
                requests.put(
                    f"{sandbox.url}/crm/v4/objects/contacts/{contact}/associations/default/"
                    f"companies/{company}",
                    headers=AUTH,
                    timeout=5,
                ).status_code
                == 200
            )

    def companies_of(contact):
        body = get(sandbox, f"/crm/v4/objects/contacts/{contact}/associations/companies").json()
        return sorted(r["toObjectId"] for r in body["results"])

    gone = requests.delete(
        f"{sandbox.url}/crm/v4/objects/contacts/1/associations/companies/501", headers=AUTH, timeout=5
    )
    assert gone.status_code == 204
    assert companies_of(1) == [502]
    reverse = get(sandbox, "/crm/v4/objects/companies/501/associations/contacts").json()
    assert [r["toObjectId"] for r in reverse["results"]] == [2]  # both directions removed
    batch = post(
        sandbox,
        "/crm/v4/associations/contacts/companies/batch/archive",
        {"inputs": [{"from": {"id": "2"}, "to": [{"id": "501"}, {"id": "502"}]}]},
    )
    assert batch.status_code == 204
    assert companies_of(2) == [] and companies_of(1) == [502]


@pytest.mark.parametrize("auth", [{"Authorization": "Bearer wrong"}, {}], ids=["bad", "none"])
def test_every_api_answer_carries_the_rate_limit_headers(sandbox, auth):
    seed(sandbox, 2)
    answers = [
        requests.get(sandbox.url + "/crm/v3/objects/contacts", headers=auth, timeout=5),  # 401
        get(sandbox, "/crm/v3/objects/contacts/999"),  # 404
        get(sandbox, "/crm/v3/nothing-here"),  # no route
        post(sandbox, "/crm/v3/objects/contacts/batch/update", {"inputs": "x"}),  # 400
        requests.delete(sandbox.url + "/crm/v3/objects/contacts/1", headers=AUTH, timeout=5),
        get(sandbox, "/crm/v3/objects/contacts"),  # 200
    ]
    assert [a.status_code for a in answers] == [401, 404, 404, 400, 204, 200]
    for answer in answers:
        for name in ("Daily", "Daily-Remaining", "Interval-Milliseconds", "Max", "Remaining"):
            assert f"X-HubSpot-RateLimit-{name}" in answer.headers, (answer.status_code, name)
    assert answers[0].headers["X-HubSpot-RateLimit-Max"] == "10000"


def test_properties_and_groups(sandbox):
    group = {"name": "lead_scoring", "label": "Lead scoring"}
    assert post(sandbox, "/crm/v3/properties/contacts/groups", group).status_code == 201
    dup = post(sandbox, "/crm/v3/properties/contacts/groups", group)
    assert dup.status_code == 409 and dup.json()["category"] == "OBJECT_ALREADY_EXISTS"
    prop = {
        "name": "lead_score",
        "label": "Lead score",
        "type": "number",
        "fieldType": "number",
        "groupName": "lead_scoring",
    }
    assert post(sandbox, "/crm/v3/properties/contacts", prop).status_code == 201
    assert post(sandbox, "/crm/v3/properties/contacts", prop).status_code == 409
    bad_group = post(sandbox, "/crm/v3/properties/contacts", {**prop, "name": "x1", "groupName": "nope"})
    assert bad_group.status_code == 400
    names = {p["name"] for p in get(sandbox, "/crm/v3/properties/contacts").json()["results"]}
    assert {"email", "lastmodifieddate", "lead_score"} <= names
    groups = {g["name"] for g in get(sandbox, "/crm/v3/properties/contacts/groups").json()["results"]}
    assert "lead_scoring" in groups
    assert get(sandbox, "/crm/v3/properties/contacts/lead_score").json()["type"] == "number"


def test_load_landing_keeps_latest_version_and_associations(tmp_path, landing):
    with start_sandbox(tmp_path / "loaded.sqlite", token=TOKEN, load_landing=landing) as sb:
        assert sb.store.count("contacts") == 4
        two = get(sb, "/crm/v3/objects/contacts/2", properties="jobtitle,favourite_color").json()
        assert two["properties"]["jobtitle"] == "CTO"  # the day-2 version
        assert two["properties"]["lastmodifieddate"] == "2026-11-21T08:00:00.000Z"
        three = get(sb, "/crm/v3/objects/contacts/3", properties="favourite_color").json()
        assert three["properties"]["favourite_color"] == "blue"  # custom column kept
        with_assoc = get(sb, "/crm/v3/objects/contacts/1", associations="companies,deals").json()
        assert with_assoc["associations"]["companies"]["results"][0]["id"] == "501"
        assert with_assoc["associations"]["deals"]["results"][0]["id"] == "900"
        v4 = get(sb, "/crm/v4/objects/deals/900/associations/contacts").json()
        assert v4["results"][0]["toObjectId"] == 1
        batch = post(
            sb, "/crm/v4/associations/deals/companies/batch/read", {"inputs": [{"id": "900"}, {"id": "901"}]}
        ).json()
        assert [(r["from"]["id"], r["to"][0]["toObjectId"]) for r in batch["results"]] == [("900", 501)]
        listed = get(sb, "/crm/v3/objects/deals", properties="dealstage,amount").json()
        assert {r["properties"]["dealstage"] for r in listed["results"]} == {"closedwon", "closedlost"}
    # persisted: a new server on the same file sees the same data
    with start_sandbox(tmp_path / "loaded.sqlite", token=TOKEN) as again:
        assert again.store.count("contacts") == 4
        assert again.store.count("companies") == 3


def test_bad_token_gets_401_with_hubspot_error_body(sandbox):
    resp = requests.get(
        sandbox.url + "/crm/v3/objects/contacts", headers={"Authorization": "Bearer wrong"}, timeout=5
    )
    assert resp.status_code == 401
    body = resp.json()
    assert body["status"] == "error" and body["category"] == "INVALID_AUTHENTICATION"
    assert body["message"] and body["correlationId"]
    assert requests.get(sandbox.url + "/crm/v3/objects/contacts", timeout=5).status_code == 401


def test_rolling_and_daily_limits(sandbox):
    sandbox.set_limits(rate_limit=3, daily_limit=5)
    answers = [get(sandbox, "/crm/v3/objects/contacts") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json() == {
        "status": "error",
        "message": "You have reached your ten_secondly_rolling limit.",
        "errorType": "RATE_LIMIT",
        "policyName": "TEN_SECONDLY_ROLLING",
    }
    headers = answers[-1].headers
    assert headers["X-HubSpot-RateLimit-Max"] == "3"
    assert headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert answers[0].headers["X-HubSpot-RateLimit-Daily-Remaining"] == "4"
    sandbox.state.limiter.window.clear()  # as if ten seconds had passed
    assert [get(sandbox, "/crm/v3/objects/contacts").status_code for _ in range(3)] == [200, 200, 429]
    daily = get(sandbox, "/crm/v3/objects/contacts")
    assert daily.json() == {
        "status": "error",
        "message": "You have reached your daily limit.",
        "errorType": "RATE_LIMIT",
        "policyName": "DAILY",
    }
    reset = requests.post(sandbox.url + "/_sandbox/reset-limits", headers=AUTH, timeout=5)
    assert reset.status_code == 200
    assert get(sandbox, "/crm/v3/objects/contacts").status_code == 200


def test_rolling_window_expires(tmp_path):
    with start_sandbox(tmp_path / "w.sqlite", token=TOKEN, rate_limit=2, rate_interval_s=0.3) as sb:
        codes = [get(sb, "/crm/v3/objects/contacts").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        time.sleep(0.35)
        assert get(sb, "/crm/v3/objects/contacts").status_code == 200


def test_fault_injection_is_seeded_and_roughly_proportional(tmp_path):
    def codes(seed):
        faults = Faults(rate_429=0.2, error_500=0.1, garbage=0.05, seed=seed)
        with start_sandbox(tmp_path / f"f{seed}.sqlite", token=TOKEN, rate_limit=10_000, faults=faults) as sb:
            out = []
            for _ in range(200):
                resp = get(sb, "/crm/v3/objects/contacts")
                is_json = resp.headers["Content-Type"].startswith("application/json")
                out.append(resp.status_code if is_json else "garbage")
            return out

    first = codes(3)
    assert first == codes(3)
    assert 20 <= first.count(429) <= 60
    assert 6 <= first.count(500) <= 40
    assert 2 <= first.count("garbage") <= 25


def test_partial_failures_answer_207_and_apply_the_rest(sandbox):
    seed(sandbox, 100)
    sandbox.set_faults(partial_207=1.0, partial_inputs=0.1, seed=1)
    resp = post(
        sandbox,
        "/crm/v3/objects/contacts/batch/update",
        {"inputs": [{"id": str(i), "properties": {"firstname": "Z"}} for i in range(1, 101)]},
    )
    assert resp.status_code == 207
    body = resp.json()
    assert body["numErrors"] == 10 and len(body["results"]) == 90
    failed = {e["context"]["ids"][0] for e in body["errors"]}
    assert set(sandbox.write_counts()) == {i for i in range(1, 101) if str(i) not in failed}


def test_slow_answers(sandbox):
    sandbox.set_faults(slow=1.0, slow_seconds=0.2, seed=1)
    started = time.monotonic()
    assert get(sandbox, "/crm/v3/objects/contacts").status_code == 200
    assert time.monotonic() - started >= 0.2


def test_admin_faults_and_stats_over_http(sandbox):
    body = {"error_500": 1.0, "seed": 2}
    assert (
        requests.post(sandbox.url + "/_sandbox/faults", headers=AUTH, json=body, timeout=5).status_code == 200
    )
    assert get(sandbox, "/crm/v3/objects/contacts").status_code == 500
    stats = requests.get(sandbox.url + "/_sandbox/stats", headers=AUTH, timeout=5).json()
    assert any(r["status"] == 500 for r in stats["requests"])
    assert requests.get(sandbox.url + "/_sandbox/stats", timeout=5).status_code == 401


def test_faults_parse_forms(tmp_path):
    assert Faults.parse("rate_429=0.2,error_500=0.05,seed=7") == Faults(rate_429=0.2, error_500=0.05, seed=7)
    path = tmp_path / "faults.json"
    path.write_text(json.dumps({"partial_207": 0.3}))
    assert Faults.parse(str(path)).partial_207 == 0.3
    assert Faults.parse('{"slow": 0.1}').slow == 0.1
    with pytest.raises(ValueError):
        Faults.parse("typo=1")


def test_cli_serves_on_loopback(tmp_path, landing):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lead_scoring.cli",
            "crm-sandbox",
            "--port",
            "0",
            "--db",
            str(tmp_path / "cli.sqlite"),
            "--token",
            TOKEN,
            "--load-landing",
            str(landing),
            "--faults",
            "seed=1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("CRM sandbox on http://127.0.0.1:"), line + proc.stderr.read()
        url = line.split()[3]
        assert requests.get(url + "/_sandbox/health", timeout=5).json() == {"status": "ok"}
        contacts = requests.get(url + "/crm/v3/objects/contacts", headers=AUTH, timeout=5)
        assert len(contacts.json()["results"]) == 4
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _serve(*args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lead_scoring.cli", "crm-sandbox", "--port", "0", "--token", TOKEN, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert line.startswith("CRM sandbox on http://127.0.0.1:"), line + proc.stderr.read()
    return proc, line


def test_cli_default_db_is_the_one_the_demo_fills(monkeypatch, tmp_path_factory, landing):
    from lead_scoring import demo, paths
    from lead_scoring.crm import sandbox as sandbox_module

    class Started(Exception):
        pass

    def record(db_path, **kwargs):
        started.append(Path(db_path))
        raise Started

    started: list[Path] = []
    args = argparse.Namespace(contacts=50, days=1, end_date=date(2026, 11, 20), seed=1)
    with monkeypatch.context() as patched, pytest.raises(Started):
        patched.setattr(sandbox_module, "start_sandbox", record)
        demo.run(args)
    assert started == [paths.crm_sandbox_db()]
    assert paths.crm_sandbox_db().is_relative_to(tmp_path_factory.getbasetemp())

    # What the demo left there is what `crm-sandbox` without --db serves.
    start_sandbox(paths.crm_sandbox_db(), token=TOKEN, load_landing=landing).stop()
    proc, line = _serve()
    try:
        assert f"(db {paths.crm_sandbox_db()};" in line
        url = line.split()[3]
        contacts = requests.get(url + "/crm/v3/objects/contacts", headers=AUTH, timeout=5)
        assert len(contacts.json()["results"]) == 4
    finally:
        proc.terminate()
        proc.wait(timeout=10)
