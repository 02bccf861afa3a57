"""`lead-scoring crm-show` prints what the CRM holds."""

from __future__ import annotations

import json

from lead_scoring.cli import main
from lead_scoring.crm.show import crm_scores, print_scores
from lead_scoring.sync.payload import PROPERTIES, PROPERTY_GROUP

from .conftest import TOKEN


def test_crm_show_prints_tiers_and_top_contacts(monkeypatch, capsys, sandbox, client):
    sandbox.store.bulk_insert(
        "contacts", [{"hs_object_id": i, "email": f"u{i}@example.com"} for i in range(1, 21)]
    )
    client.ensure_properties("contacts", PROPERTY_GROUP, PROPERTIES)
    tiers = ["hot", "warm", "cold", "disqualified"]
    client.batch_update(
        "contacts",
        [
            {
                "id": str(i),
                "properties": {"lead_score": str(i * 5), "lead_tier": tiers[i % 4], "lead_grade": "A1"},
            }
            for i in range(1, 16)
        ],
    )
    monkeypatch.setenv("LEAD_SCORING_CRM_URL", sandbox.url)
    monkeypatch.setenv("LEAD_SCORING_CRM_TOKEN", TOKEN)
    monkeypatch.delenv("AIRFLOW_CONN_CRM_DEFAULT", raising=False)
    assert main(["crm-show", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "15 contacts scored, 5 not scored" in out
    assert "u15@example.com" in out.splitlines()[-3]  # highest score first
    assert main(["crm-show", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tiers"] == {"hot": 3, "warm": 4, "cold": 4, "disqualified": 4}
    assert [row["lead_score"] for row in data["top"][:3]] == ["75", "70", "65"]


def test_crm_show_reports_a_bad_token(monkeypatch, capsys, sandbox):
    monkeypatch.setenv("LEAD_SCORING_CRM_URL", sandbox.url)
    monkeypatch.setenv("LEAD_SCORING_CRM_TOKEN", "wrong")
    assert main(["crm-show"]) == 2
    assert "401" in capsys.readouterr().err


LONG_EMAIL = "maximilian.alexander.von-hohenzollern-sigmaringen@a-very-long-company-name.example.com"


def _top_rows(out: str) -> tuple[str, list[str]]:
    """The table's header line and the first line of each contact's row."""
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:3] == ["id", "score", "grade"])
    rows = [line for line in lines[header + 1 :] if line.strip()[:1].isdigit()]
    return lines[header], rows


def test_crm_show_keeps_columns_aligned_after_a_long_email(monkeypatch, capsys, sandbox, client):
    emails = {1: "a@b.io", 2: LONG_EMAIL, 3: "someone.else@example.com"}
    sandbox.store.bulk_insert("contacts", [{"hs_object_id": i, "email": e} for i, e in emails.items()])
    client.ensure_properties("contacts", PROPERTY_GROUP, PROPERTIES)
    client.batch_update(
        "contacts",
        [
            {
                "id": str(i),
                "properties": {
                    "lead_score": str(100 - i),
                    "lead_tier": "hot",
                    "lead_grade": "A1",
                    "lead_score_reasons": f"Reason of contact {i} (+{10 * i})",
                },
            }
            for i in emails
        ],
    )
    monkeypatch.setenv("LEAD_SCORING_CRM_URL", sandbox.url)
    monkeypatch.setenv("LEAD_SCORING_CRM_TOKEN", TOKEN)
    monkeypatch.delenv("AIRFLOW_CONN_CRM_DEFAULT", raising=False)
    assert main(["crm-show", "--top", "3"]) == 0
    out = capsys.readouterr().out
    data = crm_scores(client, 3)

    for width in (None, 80):  # the CLI's own width (160 when not a terminal), and a narrow terminal
        if width:
            print_scores(data, sandbox.url, width=width)
            out = capsys.readouterr().out
        header, rows = _top_rows(out)
        assert [row.split()[0] for row in rows] == ["1", "2", "3"]
        for name in ("tier", "email", "reasons"):
            start = header.index(name)
            for row in rows:
                assert row[start - 1] == " " and row[start] != " ", (name, width, header, row)
        reasons = header.index("reasons")
        assert [row[reasons:].split()[:2] for row in rows] == [["Reason", "of"]] * 3
        if width is None:
            assert any(LONG_EMAIL in row for row in rows)  # room enough: shown whole
