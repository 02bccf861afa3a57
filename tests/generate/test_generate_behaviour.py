"""Identity stitching, planted hot and cold leads, and deal outcomes that follow fit and
engagement."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from lead_scoring.generate.names import FREE_MAIL_DOMAINS, TARGET_COUNTRIES

from .conftest import LONG, MAIN


def _by_visitor(events):
    out = defaultdict(list)
    for e in events:
        out[e["anonymousId"]].append(e)
    for evs in out.values():
        evs.sort(key=lambda e: e["timestamp"])
    return out


def _identifying(e) -> bool:
    return e["type"] == "identify" or (
        e.get("event") == "Form Submitted" and e["userId"] is None and "email" in e["properties"]
    )


def test_anonymous_events_precede_identification(main_landing):
    visitors = _by_visitor(main_landing.events)
    identified_later = never = known = 0
    for evs in visitors.values():
        ident = [i for i, e in enumerate(evs) if _identifying(e)]
        user_ids = {e["userId"] for e in evs if e["userId"]}
        assert len(user_ids) <= 1, "a device belongs to one contact"
        if ident:
            k = ident[0]
            assert all(e["userId"] is None for e in evs[:k]), "userId before identification"
            assert all(e["userId"] for e in evs[k + 1 :]), "anonymous after identification"
            if evs[k]["type"] == "identify":
                contact = main_landing.contacts[evs[k]["userId"]]
                assert evs[k]["traits"]["email"] == contact["email"]
            if k > 0:
                identified_later += 1
        elif user_ids:
            assert all(e["userId"] for e in evs), "known device: every event has the userId"
            known += 1
        else:
            never += 1
    assert identified_later > 50  # browsed anonymously first, then identified
    assert known > 200
    assert never > 200  # noise visitors and contacts who never identify on this device


def test_contacts_created_in_the_window_identify_when_they_are_created(main_landing):
    first_day = MAIN.start_date.isoformat()
    first_ident = {}
    owner = main_landing.resolve()
    for e in sorted(main_landing.events, key=lambda e: e["timestamp"]):
        if _identifying(e):
            first_ident.setdefault(owner[e["anonymousId"]], e["timestamp"])
    created_in_window = [k for k, c in main_landing.contacts.items() if c["createdate"] >= first_day]
    assert created_in_window
    for key in created_in_window:
        t = dt.datetime.fromisoformat(first_ident[key])
        created = dt.datetime.fromisoformat(main_landing.contacts[key]["createdate"])
        assert dt.timedelta(0) <= created - t.replace(microsecond=0) <= dt.timedelta(seconds=31)


def _last_week(landing, settings):
    end = dt.datetime.combine(settings.end_date + dt.timedelta(days=1), dt.time(), dt.UTC)
    return (end - dt.timedelta(days=7)).isoformat()[:19]


def _planted(landing, kind):
    return [row["hs_object_id"] for row in landing.planted if row["kind"] == kind]


def test_planted_hot_leads_visit_pricing_and_request_a_demo_in_the_last_week(main_landing):
    hot = _planted(main_landing, "hot")
    assert len(hot) >= 5
    since = _last_week(main_landing, MAIN)
    events = main_landing.events_by_contact()
    for key in hot:
        contact = main_landing.contacts[key]
        company = main_landing.companies[contact["associatedcompanyid"]]
        assert company["industry"] in ("Software", "Financial Services")
        assert 200 <= int(company["numberofemployees"]) <= 5000
        assert contact["country"] in ("US", "GB", "DE")
        assert contact["email"].endswith("@" + company["domain"])
        assert any(
            w in contact["jobtitle"].lower()
            for w in (
                "chief",
                "ceo",
                "cto",
                "cfo",
                "coo",
                "cio",
                "vp",
                "vice president",
                "director",
                "founder",
            )
        )
        recent = [e for e in events[key] if e["timestamp"] >= since]
        pricing = [e for e in recent if e["type"] == "page" and e["context"]["page"]["path"] == "/pricing"]
        names = {e.get("event") for e in recent}
        assert len(pricing) >= 3
        assert {"Demo Requested", "Form Submitted", "Content Downloaded"} <= names


def test_planted_cold_leads_barely_engage(main_landing, long_landing):
    for landing, settings in ((main_landing, MAIN), (long_landing, LONG)):
        cold = _planted(landing, "cold")
        assert len(cold) >= 5
        events = landing.events_by_contact()
        end = dt.datetime.combine(settings.end_date + dt.timedelta(days=1), dt.time(), dt.UTC)
        old = (end - dt.timedelta(days=60)).isoformat()[:19]
        for key in cold:
            contact = landing.contacts[key]
            company = landing.companies[contact["associatedcompanyid"]]
            assert company["industry"] in ("Education", "Non-profit")
            assert 1 <= int(company["numberofemployees"]) <= 10
            assert contact["email"].split("@")[1] in FREE_MAIL_DOMAINS
            assert contact["country"] not in TARGET_COUNTRIES
            assert any(w in contact["jobtitle"].lower() for w in ("student", "intern"))
            mine = events.get(key, [])
            assert len(mine) <= 1
            assert all(e["type"] == "page" and e["timestamp"] < old for e in mine)
            assert not any(d["associated_contact_id"] == key for d in landing.deals.values())
    # with a 75-day window the old page view is inside the generated days
    long_events = long_landing.events_by_contact()
    assert sum(len(long_events.get(k, [])) for k in _planted(long_landing, "cold")) >= 5


def test_a_minority_of_contacts_are_buyers(main_landing):
    events = main_landing.events_by_contact()
    n = len(main_landing.contacts)
    demo = {k for k, evs in events.items() if any(e.get("event") == "Demo Requested" for e in evs)}
    pricing = {
        k
        for k, evs in events.items()
        if any(e["type"] == "page" and e["context"]["page"]["path"] == "/pricing" for e in evs)
    }
    assert 0.03 * n < len(demo & pricing) < 0.10 * n
    barely = sum(1 for k in main_landing.contacts if len(events.get(k, [])) <= 2)
    assert barely > 0.3 * n


SENIOR = ("chief", "ceo", "cto", "cfo", "coo", "cio", "vp", "vice president", "head", "director")


def _fit(contact, companies) -> int:
    """A crude, independent fit score from the exported columns."""
    title = contact["jobtitle"].lower()
    score = 2 if any(w in title for w in SENIOR) else -2 if ("student" in title or "intern" in title) else 0
    company = companies.get(contact["associatedcompanyid"])
    if company:
        score += {"Software": 2, "Financial Services": 2, "Education": -2, "Non-profit": -2}.get(
            company["industry"], 0
        )
        employees = int(company["numberofemployees"])
        score += 2 if 200 <= employees <= 5000 else -2 if employees <= 10 else 0
    score += 1 if contact["country"] in TARGET_COUNTRIES else -1
    score += -1 if contact["email"].split("@")[-1] in FREE_MAIL_DOMAINS else 1
    return score


def test_deals_are_won_by_high_fit_engaged_contacts(main_landing):
    events = main_landing.events_by_contact()
    won = {d["associated_contact_id"] for d in main_landing.deals.values() if d["dealstage"] == "closedwon"}
    rows = [
        (_fit(c, main_landing.companies), len(events.get(k, [])), k in won)
        for k, c in main_landing.contacts.items()
    ]
    fits = sorted(r[0] for r in rows)
    engagement = sorted(r[1] for r in rows)
    f_lo, f_hi = fits[len(fits) // 3], fits[2 * len(fits) // 3]
    e_lo, e_hi = engagement[len(engagement) // 3], engagement[2 * len(engagement) // 3]
    high = [r for r in rows if r[0] >= f_hi and r[1] >= e_hi]
    low = [r for r in rows if r[0] <= f_lo and r[1] <= e_lo]
    assert len(high) > 200 and len(low) > 200
    high_rate = sum(r[2] for r in high) / len(high)
    low_rate = sum(r[2] for r in low) / len(low)
    assert high_rate > 0.02
    assert high_rate > 5 * low_rate
    stages = [d["dealstage"] for d in main_landing.deals.values()]
    assert stages.count("closedwon") > 10 and stages.count("closedlost") > 10


def test_junk_leads_never_win(main_landing):
    junk = {row["hs_object_id"] for row in main_landing.planted if row["kind"] == "junk"}
    for d in main_landing.deals.values():
        if d["associated_contact_id"] in junk:
            assert d["dealstage"] != "closedwon"
