"""The analyst's loop on generated data with a planted truth: evaluate -> calibrate -> review ->
apply -> rebuild.

The generator plants two effects (`generate --plant-effects`): hs_analytics_source = REFERRALS
triples deals, and case-study reads are random. This module's rules ignore the first and give
the second 10 points an occurrence. Calibration must find both, and the rebuilt scores must rank
the held-out contacts better than these rules did. Everything runs for real: ingestion, dbt on a
DuckDB file, the sandbox builds, scikit-learn.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from lead_scoring.calibration import metrics
from lead_scoring.cli import main
from lead_scoring.transform import DbtRunError, dbt_build

pytestmark = pytest.mark.e2e

END = dt.date(2026, 11, 20)
DAYS = 60
EARLIER = END - dt.timedelta(days=20)
NOISE_RULE = "e_page_case_studies"
PLANTED = "fit_contact_hs_analytics_source_referrals"


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_rows(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _rules_rewarding_case_studies(source: Path, target: Path) -> Path:
    """The suite's rules, with case-study reads worth 10 points each (the planted no-effect)."""
    shutil.copytree(source, target)
    rules = _rows(target / "scoring_engagement_rules.csv")
    for row in rules:
        if row["rule_id"] == NOISE_RULE:
            row.update(points="10", max_points="40")
    assert any(r["rule_id"] == NOISE_RULE for r in rules), "the suite's rules lost the case-study rule"
    _write_rows(target / "scoring_engagement_rules.csv", rules)
    groups = _rows(target / "scoring_rule_groups.csv")
    group = next(r["rule_group"] for r in rules if r["rule_id"] == NOISE_RULE)
    for row in groups:
        if row["rule_group"] == group:
            row["max_points"] = "60"
    _write_rows(target / "scoring_rule_groups.csv", groups)
    return target


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A warehouse of 12,000 generated contacts over 60 days, scored on two days (so the history
    has a past day to measure point in time) with this module's rules."""
    root = tmp_path_factory.mktemp("calibration")
    source_rules = Path(
        os.environ.get("LEAD_SCORING_SEEDS_DIR")
        or Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
    )
    with pytest.MonkeyPatch.context() as mp:
        state = root / "state"
        mp.setenv("LEAD_SCORING_STATE_DIR", str(state))
        mp.delenv("LEAD_SCORING_WAREHOUSE", raising=False)
        mp.delenv("LEAD_SCORING_LANDING_DIR", raising=False)
        rules = _rules_rewarding_case_studies(source_rules, root / "rules")
        mp.setenv("LEAD_SCORING_SEEDS_DIR", str(rules))
        assert (
            main(["generate", "--contacts", "12000", "--days", str(DAYS), "--seed", "7", "--plant-effects"])
            == 0
        )
        first = (END - dt.timedelta(days=DAYS - 1)).isoformat()
        assert main(["ingest", "--from-date", first, "--date", END.isoformat()]) == 0
        dbt_build(EARLIER.isoformat())
        dbt_build(END.isoformat())
        original = _digest(rules)
        yield {"state": state, "rules": rules, "warehouse": state / "warehouse.duckdb", "original": original}


@pytest.fixture
def env(planted, monkeypatch):
    monkeypatch.setenv("LEAD_SCORING_STATE_DIR", str(planted["state"]))
    monkeypatch.setenv("LEAD_SCORING_SEEDS_DIR", str(planted["rules"]))
    return planted


def _query(path: Path, sql: str, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_evaluate_measures_point_in_time_and_writes_an_offline_report(env, capsys):
    report = env["state"] / "report.html"
    assert main(["evaluate", "--horizon-days", "20", "--report", str(report), "--resamples", "200"]) == 0
    out = capsys.readouterr().out
    assert f"point in time: scores of {EARLIER}" in out
    auc = float(re.search(r"ROC AUC (\d\.\d+) \[", out).group(1))
    assert 0.6 < auc < 1.0
    page = report.read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 4  # ROC, gains, tiers, distribution
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the report loads something"
    for section in ("Conversion by tier", "A1", "90-100", NOISE_RULE):
        assert section in page
    rows = _query(
        env["warehouse"],
        "select mode, section, metric, value from evaluation.score_evaluations where metric = 'auc'",
    )
    assert rows == [("point_in_time", "overall", "auc", pytest.approx(auc, abs=5e-4))]
    fired = _query(
        env["warehouse"],
        "select contacts_fired, never_fires from evaluation.rule_evaluations where rule_id = ?",
        [NOISE_RULE],
    )
    assert fired[0][0] > 1000 and fired[0][1] is False


def test_in_sample_snapshot_without_enough_history(env, capsys):
    assert (
        main(
            [
                "evaluate",
                "--horizon-days",
                "45",
                "--no-store",
                "--resamples",
                "100",
                "--report",
                str(env["state"] / "snapshot.html"),
            ]
        )
        == 0
    )
    assert "in-sample snapshot" in capsys.readouterr().out


def test_calibrate_refuses_with_too_few_outcomes(env, capsys):
    assert main(["calibrate", "--min-conversions", "100000"]) == 2
    message = capsys.readouterr().err
    assert "too few outcomes" in message and "at least 100,000" in message
    assert _digest(env["rules"]) == env["original"]


def test_outcome_definitions_and_the_leakage_guard(env):
    # before calibration: its proposal (below) adds rules on hs_analytics_source
    outcomes = env["rules"] / "conversion_outcomes.csv"
    saved = outcomes.read_text()
    try:
        outcomes.write_text(
            "outcome_id,kind,property,value,description\n"
            "customer,lifecycle_stage,,customer,Became a customer\n"
        )
        dbt_build(END.isoformat(), select="+fct_lead_outcomes")
        customers = _query(
            env["warehouse"],
            "select count(*), count(converted_at) from marts.fct_lead_outcomes where is_converted",
        )[0]
        won = _query(
            env["warehouse"],
            "select count(distinct contact_id) from staging.stg_crm__deals where is_closed_won",
        )[0][0]
        assert customers[0] >= won > 100 and customers[1] == customers[0]

        outcomes.write_text(
            "outcome_id,kind,property,value,description\n"
            "referred,contact_property,hs_analytics_source,REFERRALS,Referred\n"
        )
        dbt_build(END.isoformat(), select="+fct_lead_outcomes")
        referred = _query(
            env["warehouse"], "select count(*) from marts.fct_lead_outcomes where is_converted"
        )[0][0]
        expected = _query(
            env["warehouse"],
            "select count(*) from staging.stg_crm__contacts where hs_analytics_source = 'REFERRALS'",
        )[0][0]
        assert referred == expected > 0

        # a fit rule on the property that defines the outcome is refused
        rules = env["rules"] / "scoring_fit_rules.csv"
        saved_rules = rules.read_text()
        try:
            rules.write_text(
                saved_rules + "fit_leak,geography,contact,hs_analytics_source,"
                "equals,REFERRALS,10,false,Referred\n"
            )
            with pytest.raises(DbtRunError) as info:
                dbt_build(
                    END.isoformat(),
                    select=[
                        "scoring_fit_rules",
                        "conversion_outcomes",
                        "assert_rules_do_not_use_outcome_properties",
                    ],
                )
            assert "assert_rules_do_not_use_outcome_properties" in str(info.value)
        finally:
            rules.write_text(saved_rules)
    finally:
        outcomes.write_text(saved)
        dbt_build(END.isoformat(), select="+fct_lead_outcomes")


@pytest.fixture(scope="module")
def proposal(planted):
    """calibrate without --apply, then the same with --apply (same seed)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEAD_SCORING_STATE_DIR", str(planted["state"]))
        mp.setenv("LEAD_SCORING_SEEDS_DIR", str(planted["rules"]))
        out = planted["state"] / "calibration"
        assert main(["calibrate", "--seed", "3"]) == 0
        dry_run = {
            "diff": (out / "seeds.diff").read_text(),
            "rules": _digest(planted["rules"]),
            "figures": json.loads((out / "proposal.json").read_text()),
        }
        proposed = {p.name: p.read_text() for p in (out / "proposed_seeds").glob("scoring_*.csv")}
        current_auc = _held_out_auc(planted, out)
        assert main(["calibrate", "--seed", "3", "--apply"]) == 0
        applied_diff = (out / "seeds.diff").read_text()
        dbt_build(END.isoformat())
        yield {
            "out": out,
            "dry_run": dry_run,
            "proposed": proposed,
            "applied_diff": applied_diff,
            "auc_before": current_auc,
            "auc_after": _held_out_auc(planted, out),
        }


def _held_out_auc(planted, out: Path) -> float:
    ids = [int(r["contact_id"]) for r in _rows(out / "holdout_contacts.csv")]
    rows = _query(
        planted["warehouse"],
        "select s.lead_score, o.is_converted from marts.fct_lead_scores s "
        "join marts.fct_lead_outcomes o using (contact_id) "
        "where s.contact_id in (select unnest(?::bigint[]))",
        [ids],
    )
    return metrics.roc_auc([r[0] for r in rows], [r[1] for r in rows])


def _points(proposal, rule_id: str) -> int | None:
    for name in ("scoring_fit_rules.csv", "scoring_engagement_rules.csv"):
        for row in csv.DictReader(proposal["proposed"][name].splitlines()):
            if row["rule_id"] == rule_id:
                return int(row["points"])
    return None


def test_without_apply_nothing_changes_and_a_rerun_proposes_the_same(planted, proposal):
    assert proposal["dry_run"]["rules"] == planted["original"]
    assert proposal["dry_run"]["diff"] == proposal["applied_diff"]  # deterministic for a seed
    assert proposal["dry_run"]["diff"].startswith("--- a/dbt_project/seeds/")


def test_calibrate_recovers_the_planted_signals(proposal):
    strong = _points(proposal, PLANTED)
    assert strong is not None and strong >= 5, f"REFERRALS got {strong} points"
    noise = _points(proposal, NOISE_RULE)
    assert noise is not None and abs(noise) <= 2, f"random case-study reads kept {noise} points"
    assert f"\n-{NOISE_RULE}," in proposal["dry_run"]["diff"]  # shown as a changed line


def test_proposal_keeps_the_shape_of_readable_rules(proposal):
    categories = list(csv.DictReader(proposal["proposed"]["scoring_categories.csv"].splitlines()))
    weights = {r["category"]: float(r["weight"]) for r in categories}
    assert weights["fit"] + weights["engagement"] == pytest.approx(1.0)
    assert all(r["base_points"].lstrip("-").isdigit() for r in categories)
    thresholds = {
        (r["dimension"], r["label"]): int(r["min_score"])
        for r in csv.DictReader(proposal["proposed"]["scoring_thresholds.csv"].splitlines())
    }
    assert thresholds[("tier", "cold")] == 0 < thresholds[("tier", "warm")] < thresholds[("tier", "hot")]


def test_apply_and_rebuild_rank_held_out_contacts_better(planted, proposal):
    figures = proposal["dry_run"]["figures"]
    assert figures["held_out_auc_current"]["auc"] == pytest.approx(proposal["auc_before"], abs=1e-9)
    # the rebuilt marts score exactly what the sandbox measured before --apply
    assert proposal["auc_after"] == pytest.approx(figures["held_out_auc_proposed"]["auc"], abs=1e-9)
    assert proposal["auc_after"] >= proposal["auc_before"] + 0.01
    assert _digest(planted["rules"]) != planted["original"]
