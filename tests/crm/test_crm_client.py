"""CrmClient against the sandbox: paging, pacing, backoff, retries, clear errors."""

from __future__ import annotations

import logging

import pytest

from lead_scoring.crm.client import (
    BatchResult,
    CrmAuthError,
    CrmBadResponse,
    CrmRequestError,
    CrmServerError,
    DailyLimitReached,
    RateLimitExhausted,
    RequestPacer,
)
from lead_scoring.crm.sandbox import start_sandbox

from .conftest import TOKEN, fast_client


def seed(sandbox, n):
    sandbox.store.bulk_insert(
        "contacts",
        [
            {
                "hs_object_id": i,
                "email": f"u{i}@example.com",
                "createdate": "2026-01-01T00:00:00Z",
                "lastmodifieddate": "2026-01-02T00:00:00Z",
            }
            for i in range(1, n + 1)
        ],
    )


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += max(0.0, seconds)


def test_pacer_never_exceeds_the_budget_in_any_window():
    fake = FakeTime()
    pacer = RequestPacer(10, 10.0, margin_s=0.0, clock=fake.clock, sleep=fake.sleep)
    stamps = []
    for _ in range(35):
        pacer.wait()
        stamps.append(fake.now)
    for i, t in enumerate(stamps):
        assert sum(1 for s in stamps if t <= s < t + 10.0) <= 10, i
    assert stamps[-1] >= 30.0  # 35 requests at 10 per 10 s need three full windows


def test_iter_objects_pages_through_everything(sandbox, client):
    seed(sandbox, 250)
    ids = [r["id"] for r in client.iter_objects("contacts", ["email"])]
    assert ids == [str(i) for i in range(1, 251)]
    assert client.stats.requests == 3


def test_search_all_uses_keyset_paging_beyond_the_cap(sandbox, client):
    seed(sandbox, 120)
    sandbox.set_limits(search_cap=50)
    found = list(client.search_all("contacts", page_size=30))
    assert sorted(int(r["id"]) for r in found) == list(range(1, 121))


def test_paces_to_its_budget_without_429(tmp_path):
    with start_sandbox(tmp_path / "p.sqlite", token=TOKEN, rate_limit=5, rate_interval_s=0.5) as sb:
        client = fast_client(sb.url, requests_per_10s=5, window_s=0.5)
        for _ in range(12):
            client.list_property_groups("contacts")
        assert client.stats.rate_limited == 0
        assert client.stats.paced_s > 0.5


def test_backs_off_on_ten_secondly_429_and_recovers(tmp_path):
    with start_sandbox(tmp_path / "r.sqlite", token=TOKEN, rate_limit=4, rate_interval_s=0.3) as sb:
        # a budget far above the portal's limit: the client must rely on backoff
        client = fast_client(
            sb.url, requests_per_10s=1000, rate_limit_backoff=0.05, backoff_max=0.4, max_rate_limit_retries=20
        )
        for _ in range(15):
            client.list_property_groups("contacts")
        assert client.stats.rate_limited > 0
        assert client.stats.by_status[200] == 15


def test_rate_limit_retries_are_bounded(sandbox):
    sandbox.set_faults(rate_429=1.0, seed=1)
    client = fast_client(sandbox.url, max_rate_limit_retries=3)
    with pytest.raises(RateLimitExhausted):
        client.list_properties("contacts")
    assert client.stats.requests == 4


def test_daily_429_raises_daily_limit_reached_at_once(sandbox):
    sandbox.set_limits(daily_limit=2)
    client = fast_client(sandbox.url)
    client.list_properties("contacts")
    client.list_properties("contacts")
    with pytest.raises(DailyLimitReached):
        client.list_properties("contacts")
    assert client.stats.requests == 3


def test_retries_5xx_with_backoff_then_succeeds(sandbox, client):
    sandbox.script(
        {"status": 500, "body": {"status": "error"}},
        {"status": 503, "body": "<html>Service Unavailable</html>"},
        {"status": 502, "body": None},
    )
    assert isinstance(client.list_properties("contacts"), list)
    assert client.stats.server_errors == 3 and client.stats.retries == 3
    assert client.stats.backoff_s > 0


def test_5xx_retries_are_bounded(sandbox):
    sandbox.set_faults(error_500=1.0, seed=1)
    client = fast_client(sandbox.url, max_attempts=3)
    with pytest.raises(CrmServerError, match="HTTP 500.*3 attempts"):
        client.list_properties("contacts")
    assert client.stats.requests == 3


def test_timeouts_are_retried_then_reported(sandbox):
    sandbox.set_faults(slow=1.0, slow_seconds=0.3, seed=1)
    client = fast_client(sandbox.url, timeout=0.05, max_attempts=2)
    with pytest.raises(CrmServerError, match="timed out"):
        client.list_properties("contacts")
    assert client.stats.timeouts == 2


def test_connection_refused_is_retried_then_reported(tmp_path):
    with start_sandbox(tmp_path / "gone.sqlite", token=TOKEN) as sb:
        url = sb.url
    client = fast_client(url, max_attempts=2, timeout=1)
    with pytest.raises(CrmServerError, match="could not connect"):
        client.list_properties("contacts")


def test_bad_token_names_the_connection_and_hides_the_token(sandbox, caplog):
    secret = "pat-na1-very-secret-token"
    client = fast_client(sandbox.url, token=secret, connection_id="crm_default")
    with caplog.at_level(logging.DEBUG), pytest.raises(CrmAuthError) as info:
        client.list_properties("contacts")
    message = str(info.value)
    assert "crm_default" in message and "401" in message and "INVALID_AUTHENTICATION" in message
    assert secret not in message and secret not in caplog.text and secret not in repr(client)
    assert info.value.correlation_id


def test_error_bodies_with_missing_fields_or_garbage(sandbox, client):
    sandbox.script({"status": 400, "body": {}})
    with pytest.raises(CrmRequestError, match="HTTP 400"):
        client.list_properties("contacts")
    sandbox.script({"status": 400, "body": None})
    with pytest.raises(CrmRequestError, match="HTTP 400"):
        client.list_properties("contacts")
    sandbox.script({"status": 404, "body": "<html>nope</html>"})
    with pytest.raises(CrmRequestError, match="not JSON.*nope"):
        client.list_properties("contacts")
    sandbox.script({"status": 401, "body": "Unauthorized"})
    with pytest.raises(CrmAuthError):
        client.list_properties("contacts")
    sandbox.script(
        {"status": 400, "body": {"status": 7, "message": None, "category": ["x"], "errors": "not a list"}}
    )
    with pytest.raises(CrmRequestError) as info:
        client.list_properties("contacts")
    assert info.value.category is None


def test_garbage_success_bodies_give_a_clear_error(sandbox, client):
    sandbox.script({"status": 200, "body": "<html><body>proxy hiccup</body></html>"})
    with pytest.raises(CrmBadResponse, match="not JSON.*proxy hiccup"):
        client.list_properties("contacts")
    sandbox.script({"status": 200, "body": ["a", "list"]})
    with pytest.raises(CrmBadResponse, match="expected a JSON object"):
        client.list_properties("contacts")
    sandbox.script({"status": 200, "body": {"results": "nope"}})
    with pytest.raises(CrmBadResponse, match="no `results` list"):
        client.list_properties("contacts")
    sandbox.script({"status": 200, "body": {"results": [], "total": "many"}})
    with pytest.raises(CrmBadResponse, match="total"):
        client.search("contacts")


def test_429_with_garbage_body_is_treated_as_rolling(sandbox, client):
    sandbox.script({"status": 429, "body": "slow down"}, {"status": 429, "body": {}})
    assert isinstance(client.list_properties("contacts"), list)
    assert client.stats.rate_limited == 2


def test_429_without_policy_but_daily_headers_is_daily(sandbox, client):
    sandbox.script({"status": 429, "body": "x", "headers": {"X-HubSpot-RateLimit-Daily-Remaining": "0"}})
    with pytest.raises(DailyLimitReached):
        client.list_properties("contacts")


def test_batch_result_attributes_failures():
    answer = BatchResult(
        207,
        [{"id": "1"}],
        [
            {"category": "VALIDATION_ERROR", "message": "bad", "context": {"ids": ["2"]}},
            {"message": "something without ids"},
        ],
    )
    failures = answer.failures(["1", "2", "3"])
    assert set(failures) == {"2", "3"}
    assert failures["2"]["category"] == "VALIDATION_ERROR"
    assert failures["3"]["message"] == "something without ids"
    assert BatchResult(200, [{"id": "1"}], []).failures(["1", "2"])["2"]["category"] == "UNCONFIRMED"


def test_batches_refuse_more_than_100_inputs(client):
    with pytest.raises(ValueError):
        client.batch_update("contacts", [{"id": str(i), "properties": {}} for i in range(101)])


def test_ensure_properties_tolerates_existing(sandbox, client):
    group = {"name": "lead_scoring", "label": "Lead scoring"}
    prop = {
        "name": "lead_score",
        "label": "Lead score",
        "type": "number",
        "fieldType": "number",
        "groupName": "lead_scoring",
    }
    assert client.ensure_properties("contacts", group, [prop]) == ["lead_score"]
    assert client.ensure_properties("contacts", group, [prop]) == []
    assert client.create_property("contacts", prop) is False
    assert client.create_property_group("contacts", group) is False
