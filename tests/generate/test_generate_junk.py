"""Junk leads carry exactly the trait of their reason; ordinary contacts carry none."""

from __future__ import annotations

import json
import re
from collections import Counter

import numpy as np
import pytest

from lead_scoring.generate import Settings, generate
from lead_scoring.generate import events as E
from lead_scoring.generate import names as N

from .conftest import MAIN
from .landing_reader import read_csv

VALID_EMAIL = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
FICTIONAL = {N.ascii_fold(first + last) for first, last in N.FICTIONAL_NAMES}
MASHES = {N.ascii_fold(m) for m in N.KEYBOARD_MASHES}
JUNK_TOKENS = set().union(*(N.name_tokens(f) | N.name_tokens(la) for f, la in N.FICTIONAL_NAMES), MASHES)


def _junk_traits(contact, landing, email_owners) -> set[str]:
    """Every junk reason a contact shows, judged from the exported columns only."""
    traits = set()
    first, last, email = contact["firstname"], contact["lastname"], contact["email"]
    if N.ascii_fold(first + last) in FICTIONAL:
        traits.add("fictional_name")
    if N.ascii_fold(first) in MASHES or N.ascii_fold(last) in MASHES:
        traits.add("keyboard_mash")
    domain = email.rsplit("@", 1)[-1]
    if domain in N.DISPOSABLE_DOMAINS:
        traits.add("disposable_email")
    if not VALID_EMAIL.match(email) or ".." in email:
        traits.add("malformed_email")
    if email.split("@")[0] in N.ROLE_LOCAL_PARTS:
        traits.add("role_address")
    if any(s in first + last for s in ("@", "www.", "http", ".com", ".biz", ".io", ".net")):
        traits.add("name_has_email_or_url")
    if len(email_owners[email]) > 1 and contact["hs_object_id"] != email_owners[email][0]:
        traits.add("duplicate_email")
    if contact["country"] in N.OUT_OF_MARKET_COUNTRIES:
        traits.add("out_of_market")
    return traits


def _email_owners(landing):
    owners: dict[str, list[str]] = {}
    ordered = sorted(landing.contacts.values(), key=lambda c: (c["createdate"], int(c["hs_object_id"])))
    for c in ordered:
        owners.setdefault(c["email"], []).append(c["hs_object_id"])
    return owners


def test_junk_share_and_every_reason(main_landing):
    junk = [row for row in main_landing.planted if row["kind"] == "junk"]
    assert len(junk) == round(MAIN.contacts * MAIN.junk_share)
    reasons = Counter(row["reason"] for row in junk)
    assert set(reasons) == set(N.JUNK_REASONS)
    assert max(reasons.values()) - min(reasons.values()) <= 1
    assert main_landing.manifest["junk_reasons"] == dict(reasons)


def test_junk_share_follows_the_argument(tmp_path):
    settings = Settings(contacts=500, days=3, events_per_contact=2, junk_share=0.1, seed=5, chunk_size=200)
    generate(tmp_path, settings, progress=None)
    planted = read_csv(tmp_path / "_generator" / "planted_leads.csv")
    assert sum(row["kind"] == "junk" for row in planted) == 50


def test_each_junk_lead_shows_exactly_its_reason(main_landing):
    owners = _email_owners(main_landing)
    reason_of = {row["hs_object_id"]: row["reason"] for row in main_landing.planted if row["kind"] == "junk"}
    for key, contact in main_landing.contacts.items():
        traits = _junk_traits(contact, main_landing, owners)
        if key in reason_of:
            assert traits == {reason_of[key]}, (contact, traits)
        else:
            assert traits == set(), (contact, traits)


def test_duplicates_copy_an_earlier_ordinary_contact(main_landing):
    owners = _email_owners(main_landing)
    kinds = {row["hs_object_id"]: row["kind"] for row in main_landing.planted}
    duplicates = [row for row in main_landing.planted if row["reason"] == "duplicate_email"]
    assert duplicates
    for row in duplicates:
        original = owners[row["email"]][0]
        assert original != row["hs_object_id"]
        assert kinds.get(original) is None
        assert (
            main_landing.contacts[original]["createdate"]
            < main_landing.contacts[row["hs_object_id"]]["createdate"]
        )


def test_ordinary_contacts_have_unique_valid_emails(main_landing):
    junk = {row["hs_object_id"] for row in main_landing.planted if row["kind"] == "junk"}
    emails = [c["email"] for k, c in main_landing.contacts.items() if k not in junk]
    assert len(set(emails)) == len(emails)
    assert all(VALID_EMAIL.match(e) for e in emails)
    corporate = [
        c
        for k, c in main_landing.contacts.items()
        if k not in junk and c["email"].split("@")[1] not in N.FREE_MAIL_DOMAINS
    ]
    for c in corporate:
        company = main_landing.companies[c["associatedcompanyid"]]
        assert c["email"].endswith("@" + company["domain"])
    assert 0.5 < len(corporate) / len(emails) < 0.95


def test_ordinary_names_are_diverse_and_never_junk():
    everyone = N.FIRST_NAMES + N.LAST_NAMES
    assert len(set(N.FIRST_NAMES)) == len(N.FIRST_NAMES)
    assert len(set(N.LAST_NAMES)) == len(N.LAST_NAMES)
    for name in ("José", "Zoë", "O'Brien", "Müller", "Nguyễn"):
        assert name in everyone
    assert any("'" in n for n in everyone) and any("-" in n for n in everyone)
    assert any(" " in n for n in N.LAST_NAMES)
    for name in everyone:
        assert not N.name_tokens(name) & JUNK_TOKENS, name
        assert N.ascii_fold(name) not in FICTIONAL | MASHES, name
        assert name.strip() == name and "@" not in name and "." not in name


def test_domain_lists_do_not_overlap():
    stems = [N.ascii_fold(a + b) for a in N.COMPANY_ADJECTIVES for b in N.COMPANY_NOUNS]
    assert len(set(stems)) == len(stems)
    assert not set(N.FREE_MAIL_DOMAINS) & set(N.DISPOSABLE_DOMAINS)
    assert not set(N.OUT_OF_MARKET_COUNTRIES) & set(N.COUNTRIES)
    assert set(N.FAR_MARKET_COUNTRIES) <= set(N.OTHER_COUNTRIES)
    for variant in range(7):
        first, last = N.fictional_variant("Obi-Wan", "Kenobi", variant)
        assert N.ascii_fold(first + last) == "obiwankenobi"


def test_company_domains_are_unique_across_chunks(tmp_path):
    settings = Settings(contacts=2000, days=2, events_per_contact=1, seed=9, chunk_size=300)
    generate(tmp_path, settings, progress=None)
    companies = read_csv(tmp_path / "crm" / "date=2026-11-19" / "companies.csv") + read_csv(
        tmp_path / "crm" / "date=2026-11-20" / "companies.csv"
    )
    ids = [c["hs_object_id"] for c in companies]
    domains = [c["domain"] for c in companies]
    assert len(set(ids)) == len(ids)
    assert len(set(domains)) == len(domains)
    assert not set(domains) & set(N.FREE_MAIL_DOMAINS + N.DISPOSABLE_DOMAINS)


@pytest.mark.parametrize(
    "first,last,email",
    [
        ('Robert "Bobby"', "O'Brien", "bobby@example.com"),
        ("Back\\slash", "Tab\there", "a+b@example.com"),
        ("Zoë", "Nguyễn", "zoë@exämple.com"),
        ("%s %d %%", "{}", "percent%@example.com"),
        ("New\nline", "\u2028sep", "x@y.z"),
    ],
)
def test_rendered_events_are_valid_json_whatever_the_names(first, last, email):
    contacts = E.ContactJson.build([email], [first], [last])
    variants = np.array(
        [
            E.GROUP_START[E.G["identify"]],
            E.GROUP_START[E.G["track_form_submitted"]],
            E.GROUP_START[E.G["page_pricing"]],
        ],
        dtype=np.int32,
    )
    anon, known = E.identity_fragments(["a-b"], ["123"])
    text = E.render(
        ts_ms=np.array([1_790_000_000_123] * 3),
        message_keys=np.arange(3),
        identity=np.array([known[0], anon[0], known[0]], dtype=object),
        variant=variants,
        contact=np.zeros(3, dtype=np.int32),
        with_context_traits=np.array([False, False, True]),
        contacts=contacts,
        day_strings=np.array(["2026-09-21"], dtype=object),
        first_day_s=1_790_000_000 - 1_790_000_000 % 86_400,
        seed=1,
    )
    lines = [json.loads(line) for line in text.splitlines()]
    assert text.isascii()
    assert lines[0]["traits"] == {"email": email, "firstName": first, "lastName": last}
    assert lines[1]["properties"]["email"] == email and lines[1]["userId"] is None
    assert lines[2]["context"]["traits"]["email"] == email and lines[2]["userId"] == "123"
    assert lines[0]["timestamp"] == "2026-09-21T14:13:20.123Z"
