"""`lead-scoring generate`: arguments, default folder, progress, bounded memory."""

from __future__ import annotations

import json
import tracemalloc

from lead_scoring.cli import main
from lead_scoring.generate import Settings, generate


def test_cli_writes_the_landing_folder(tmp_path, capsys):
    out = tmp_path / "landing"
    code = main(
        [
            "generate",
            "--contacts",
            "120",
            "--days",
            "3",
            "--end-date",
            "2026-01-02",
            "--events-per-contact",
            "4",
            "--seed",
            "5",
            "--junk-share",
            "0.1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    manifest = json.loads((out / "_generator" / "manifest.json").read_text())
    assert manifest["arguments"] == {
        "contacts": 120,
        "days": 3,
        "end_date": "2026-01-02",
        "events_per_contact": 4.0,
        "seed": 5,
        "junk_share": 0.1,
        "chunk_size": 20000,
        "plant_effects": False,
    }
    assert manifest["counts"]["contacts"] == 120
    assert sorted(p.name for p in (out / "crm").iterdir()) == [
        "date=2025-12-31",
        "date=2026-01-01",
        "date=2026-01-02",
    ]
    err = capsys.readouterr().err
    assert "chunk 1/1" in err and "events/s" in err


def test_cli_defaults_to_the_landing_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_SCORING_LANDING_DIR", str(tmp_path / "env_landing"))
    assert main(["generate", "--contacts", "60", "--days", "1", "--events-per-contact", "1"]) == 0
    assert (tmp_path / "env_landing" / "web_events" / "date=2026-11-20" / "part-0.jsonl.gz").exists()


def test_cli_rejects_bad_arguments(tmp_path, capsys):
    assert main(["generate", "--contacts", "3", "--out", str(tmp_path)]) == 2
    assert "--contacts" in capsys.readouterr().err
    assert main(["generate", "--junk-share", "0.9", "--out", str(tmp_path)]) == 2
    assert not any(tmp_path.iterdir())


def _peak(tmp_path, contacts: int) -> int:
    settings = Settings(contacts=contacts, days=4, events_per_contact=4, seed=1, chunk_size=500)
    tracemalloc.start()
    try:
        generate(tmp_path / str(contacts), settings, progress=None)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_is_bounded_by_the_chunk_not_the_population(tmp_path):
    small = _peak(tmp_path, 2000)
    large = _peak(tmp_path, 8000)  # 4x the contacts, same chunk size
    assert large < 1.3 * small
