"""`lead-scoring explain` on a scored warehouse: the planted contacts' rules, points, tiers,
junk signals and history, as a screen and as JSON."""

from __future__ import annotations

import json

import duckdb

from lead_scoring.cli import main
from tests.transform.raw_fixture import COLD, DUPLICATE, HOT, JUNK, ORDINARY

from .conftest import DAY_1, DAY_2


def _components(warehouse, contact_id) -> dict[str, float]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select rule_id, points from marts.fct_lead_score_components where contact_id = ?", [contact_id]
        ).fetchall()
    return {rule_id: float(points) for rule_id, points in rows}


def test_explain_shows_the_rules_that_fired_with_their_points_and_the_tier(env, capsys):
    assert main(["explain", str(HOT)]) == 0
    out = capsys.readouterr().out
    assert f"Contact {HOT}" in out and "jane.roe@acme.io" in out
    assert "VP Sales at Acme Software Inc." in out
    assert "tier hot, grade A2, lifecycle mql" in out
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    # The suite's rules: a VP is worth 28 fit points, a demo request 28 engagement points.
    assert lines["f_title_vp"][1] == "+28"
    assert lines["e_demo_requested"][1] == "+28"
    assert lines["e_page_pricing"][1] == "+12" and "3 x /pricing" in " ".join(lines["e_page_pricing"])
    for rule_id in _components(env["warehouse"], HOT):
        assert rule_id in lines, rule_id
    assert "Junk signals: none" in out
    history = [line.split() for line in out.splitlines() if line.strip().startswith("2026-11-")]
    assert [h[0] for h in history] == [DAY_1, DAY_2]


def test_explain_json_points_add_up_to_the_scores(env, capsys):
    # an email, written as the CRM had it ("Jane.Roe@acme.io ")
    assert main(["explain", " JANE.ROE@acme.io", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["contact_id"] == HOT
    scores = doc["scores"]
    assert (scores["tier"], scores["grade"], scores["lifecycle_stage"]) == ("hot", "A2", "mql")

    ledger = doc["rules"] + doc["caps"] + doc["junk"]
    assert {r["rule_id"]: r["points"] for r in ledger} == _components(env["warehouse"], HOT)
    fit = doc["base_points"]["fit"] + sum(r["points"] for r in ledger if r["category"] in ("fit", "junk"))
    engagement = doc["base_points"]["engagement"] + sum(
        r["points"] for r in ledger if r["category"] == "engagement"
    )
    assert (fit, engagement) == (doc["fit_points"], doc["engagement_points"]) == (96, 58)
    assert scores["fit_score"] == round(min(max(fit, 0), 100))
    assert scores["engagement_score"] == round(min(max(engagement, 0), 100))
    weights = doc["weights"]
    assert scores["lead_score"] == round(
        weights["fit"] * scores["fit_score"] + weights["engagement"] * scores["engagement_score"]
    )
    pricing = next(r for r in doc["rules"] if r["rule_id"] == "e_page_pricing")
    assert pricing["occurrences"] == 3 and pricing["full_points"] == 12 and pricing["decay_points"] == 0
    assert [h["score_date"] for h in doc["history"]] == [DAY_1, DAY_2]
    assert {h["model_version"] for h in doc["history"]} == {scores["model_version"]}


def test_explain_shows_junk_signals_and_group_caps(env, capsys):
    assert main(["explain", str(JUNK), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scores"]["tier"] == "disqualified"
    assert [(j["rule_id"], j["points"], j["disqualifies"]) for j in doc["junk"]] == [
        ("fictional_name", -100, True)
    ]
    assert main(["explain", str(COLD)]) == 0
    out = capsys.readouterr().out
    cap = next(line for line in out.splitlines() if line.strip().startswith("cap:industry"))
    assert "+5" in cap and "industry points -15 capped to -10" in cap and "group cap" in cap


def test_explain_days_limits_the_history(env, capsys):
    assert main(["explain", str(HOT), "--days", "1", "--json"]) == 0
    assert [h["score_date"] for h in json.loads(capsys.readouterr().out)["history"]] == [DAY_2]


def test_unknown_or_ambiguous_contacts_are_one_line_errors(env, capsys):
    assert main(["explain", "nobody@example.com"]) == 1
    err = capsys.readouterr().err.strip()
    expected = "no scored contact with email 'nobody@example.com' in marts.fct_lead_scores"
    assert err == f"lead-scoring explain: error: {expected}"
    assert main(["explain", "999999"]) == 1
    assert "no scored contact with id 999999" in capsys.readouterr().err
    # the ordinary contact and its later duplicate share an email: both are listed
    assert main(["explain", "lena.weber@nordwerk.de"]) == 1
    err = capsys.readouterr().err
    assert "matches 2 contacts" in err and f"{ORDINARY} (" in err and f"{DUPLICATE} (" in err
    assert len(err.strip().splitlines()) == 1
