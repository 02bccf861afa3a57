"""`lead-scoring crm-show` prints what the CRM holds."""

from __future__ import annotations

import json

from lead_scoring.cli import main
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
