"""`lead-scoring diff` on a scored, synced warehouse: a raised rule moves exactly the contacts it
fires for, an added rule moves a contact to another tier, unchanged rules move nothing. Each case
scores its rules with the engine in the diff_* sandbox schemas (a real dbt run), dropped after."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import duckdb

from lead_scoring.analysis.diff import diff
from lead_scoring.cli import main
from lead_scoring.warehouse import Warehouse
from tests.conftest import TEST_RULES_DIR
from tests.transform.raw_fixture import COLD, DUPLICATE, HOT, JUNK, ORDINARY


def _edit_rows(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows = change(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _raise_pricing(rules: Path) -> None:
    def change(rows):
        row = next(r for r in rows if r["rule_id"] == "e_page_pricing")
        assert (row["points"], row["max_points"]) == ("4", "20"), "the suite's rules changed"
        row.update(points="10", max_points="40")
        return rows

    _edit_rows(rules / "scoring_engagement_rules.csv", change)


def _add_dach_rule(rules: Path) -> None:
    def rule(rows):
        return rows + [
            dict(
                rows[0],
                rule_id="f_focus_dach",
                rule_group="focus_market",
                property="country",
                operator="in",
                value="DE|AT|CH",
                points="40",
                disqualify="false",
                reason="Focus market",
            )
        ]

    def group(rows):
        return rows + [
            dict(
                rows[0], rule_group="focus_market", max_points="40", min_points="", description="Focus market"
            )
        ]

    _edit_rows(rules / "scoring_fit_rules.csv", rule)
    _edit_rows(rules / "scoring_rule_groups.csv", group)


def _section(markdown: str, title: str) -> list[str]:
    lines = markdown.split(f"### {title}", 1)[1].split("\n### ", 1)[0].splitlines()
    return [line for line in lines if line.startswith("| ") and not line.startswith("| ---")]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip("|").split("|")]


def _matrix(markdown: str) -> dict[str, dict[str, int]]:
    header, *rows = _section(markdown, "Tier transitions")
    tiers = _cells(header)[1:-1]
    out = {}
    for line in rows:
        name, *counts, _total = _cells(line)
        if name != "total":
            out[name] = dict(zip(tiers, (int(c.strip("*").replace(",", "")) for c in counts), strict=True))
    return out


def _movers(markdown: str) -> dict[int, list[str]]:
    _header, *rows = _section(markdown, "Top")
    return {int(_cells(line)[0]): _cells(line) for line in rows}


def _schemas(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {s for (s,) in con.execute("select schema_name from information_schema.schemata").fetchall()}


def _scores(warehouse: Path) -> dict[int, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select contact_id, lead_score, tier from marts.fct_lead_scores").fetchall()
    return {cid: (score, tier) for cid, score, tier in rows}


def test_raising_a_rule_moves_up_exactly_the_contacts_it_fires_for(env, tmp_path, capsys):
    rules = shutil.copytree(TEST_RULES_DIR, tmp_path / "rules")
    _raise_pricing(rules)  # 4 -> 10 points a pricing-page visit: fires for HOT (3 visits) and JUNK (2)
    before = _scores(env["warehouse"])
    report = tmp_path / "impact.md"

    assert main(["diff", "--seeds-dir", str(rules), "--markdown", str(report)]) == 0
    out = capsys.readouterr().out
    markdown = report.read_text(encoding="utf-8")

    movers = _movers(markdown)
    assert set(movers) == {HOT, JUNK}
    for cid, points in ((HOT, "+12 → +30"), (JUNK, "+8 → +20")):
        old, new, shift = map(int, re.fullmatch(r"(\d+) → (\d+) \(\+(\d+)\)", movers[cid][2]).groups())
        assert old == before[cid][0] and new > old and new - old == shift
        assert movers[cid][4] == f"`e_page_pricing` {points}"
    assert "e_page_pricing +12 → +30" in out and "e_page_pricing +8 → +20" in out

    matrix = _matrix(markdown)
    assert sum(sum(row.values()) for row in matrix.values()) == len(env["contacts"])
    assert all(n == 0 for b, row in matrix.items() for a, n in row.items() if a != b)  # nobody changes tier
    assert matrix["hot"]["hot"] == 1 and matrix["disqualified"]["disqualified"] == 2
    assert "lead score changed for 2 (2 up, 0 down)" in markdown
    # The model version is written to every contact, so the sync would rewrite all five; the
    # guard refuses a sync that overwrites more than half of what it wrote before.
    assert "5 of 5 contacts would get new write-back properties" in markdown
    assert "- `lead_score`: 2" in markdown and "- `lead_scoring_model_version`: 5 (every contact" in markdown
    assert "The next sync would write 5 contacts (with the current rules: 0)" in markdown
    assert "overwrite guard (max_share 50%) would refuse it" in markdown
    assert not {s for s in _schemas(env["warehouse"]) if s.startswith("diff_")}
    assert _scores(env["warehouse"]) == before  # the marts are untouched


def test_unchanged_rules_move_nothing_and_change_no_crm_property(env, tmp_path):
    rules = shutil.copytree(TEST_RULES_DIR, tmp_path / "rules")
    report = diff(Warehouse.of(env["warehouse"]), rules)
    assert (report.changed, report.other_changes, report.tier_changed) == (0, 0, 0)
    assert report.movers == [] and report.rules == []
    assert report.contacts == len(env["contacts"])
    assert sum(map(sum, report.tier_matrix)) == report.contacts
    assert dict(report.shift)["0"] == report.contacts
    assert report.mql_gained == report.mql_lost == 0
    assert report.crm["payload_changes"] == 0 and report.crm["properties"] == {}
    assert report.crm["state"]["pending_before"] == report.crm["state"]["pending_after"] == 0


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


def test_against_a_git_ref_scores_both_rule_sets(env, tmp_path, capsys):
    repo = tmp_path / "repo"
    rules = shutil.copytree(TEST_RULES_DIR, repo / "config" / "rules")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "rules")
    assert main(["diff", "--seeds-dir", str(rules), "--against", "no-such-ref"]) == 1
    assert "no-such-ref" in capsys.readouterr().err
    _add_dach_rule(rules)  # +40 fit points in Germany: ORDINARY (cold) and its DUPLICATE (junk)
    report = tmp_path / "impact.md"

    assert main(["diff", "--seeds-dir", str(rules), "--against", "HEAD", "--markdown", str(report)]) == 0
    markdown = report.read_text(encoding="utf-8")
    assert "seeds at HEAD → working seeds" in markdown
    movers = _movers(markdown)
    assert set(movers) == {ORDINARY, DUPLICATE}
    assert movers[ORDINARY][3] == "cold → warm" and movers[ORDINARY][4] == "`f_focus_dach` not fired → +40"
    assert movers[DUPLICATE][3] == "disqualified"
    matrix = _matrix(markdown)
    assert matrix["cold"] == {"hot": 0, "warm": 1, "cold": 1, "disqualified": 0}  # COLD stays cold
    assert sum(sum(row.values()) for row in matrix.values()) == len(env["contacts"])
    assert _movers(markdown).keys().isdisjoint({HOT, COLD, JUNK})
    assert "| `f_focus_dach` | 0 → 2 |" in markdown
