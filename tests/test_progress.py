"""Progress lines: cadence, rate and ETA on a controlled clock; the events they leave for the demo."""

from __future__ import annotations

import io
import json
import logging
import time

from rich.console import Console

from lead_scoring.progress import EVENTS_FILE_ENV, EventTail, Progress, duration, emit, report

log = logging.getLogger("tests.progress")


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def plain() -> Console:
    return Console(file=io.StringIO(), force_terminal=False)


def test_a_line_on_the_first_step_then_one_per_interval_then_the_end(caplog):
    clock = Clock()
    caplog.set_level(logging.INFO, logger="tests.progress")
    with Progress(
        "CRM sync",
        1000,
        unit="contacts",
        logger=log,
        source="t",
        interval_s=10,
        clock=clock,
        console=plain(),
        heartbeat=False,
    ) as progress:
        for _ in range(100):  # 10 contacts every 2 s: 5 contacts/s
            clock.now += 2
            progress.advance(10)
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "CRM sync: 10/1,000 contacts (1%), 5.0 contacts/s, ETA 3m 18s"
    assert lines[1] == "CRM sync: 60/1,000 contacts (6%), 5.0 contacts/s, ETA 3m 08s"  # 10 s later
    assert len(lines) == 1 + 19 + 1  # first step, every 10 s of 200 s, the end
    assert lines[-1] == "CRM sync: 1,000/1,000 contacts in 3m 20s (5.0 contacts/s)"
    assert progress.lines == lines


def test_the_eta_follows_the_recent_rate_not_the_average():
    clock = Clock()
    with Progress(
        "sync",
        1000,
        unit="rows",
        logger=log,
        source="t",
        window_s=30,
        clock=clock,
        console=plain(),
        heartbeat=False,
    ) as progress:
        clock.now += 1
        progress.advance(500)  # a burst: the client's first window of requests
        for _ in range(60):  # then 1 row/s
            clock.now += 1
            progress.advance(1)
        assert 0.9 < progress.rate() < 1.1
        assert progress.eta_s() == 440 / progress.rate()
        progress.advance(439)


def test_a_burst_does_not_make_the_eta_optimistic_beyond_what_the_job_can_sustain():
    clock = Clock()
    with Progress(
        "sync",
        2000,
        unit="rows",
        logger=log,
        source="t",
        clock=clock,
        console=plain(),
        heartbeat=False,
        max_rate=50,
    ) as progress:
        clock.now += 0.2
        progress.advance(100)  # the pacer let the first request through at once
        assert progress.rate() == 50 and progress.eta_s() == 38
        progress.advance(1900)


def test_a_heartbeat_speaks_when_no_step_ends(caplog):
    caplog.set_level(logging.INFO, logger="tests.progress")
    with Progress("sync", 10, unit="rows", logger=log, source="t", interval_s=0.2, console=plain()) as p:
        time.sleep(0.7)  # a slow first request: no step ends
        p.advance(10)
    lines = [r.getMessage() for r in caplog.records]
    assert 2 <= len(lines) - 1 <= 4, lines
    assert set(lines[:-1]) == {"sync: 0/10 rows (0%), 0.0 rows/s, ETA unknown"}
    assert lines[-1].startswith("sync: 10/10 rows in ")


def test_a_stopped_job_says_where_it_stopped(caplog):
    clock = Clock()
    caplog.set_level(logging.INFO, logger="tests.progress")
    try:
        with Progress(
            "sync", 50, unit="rows", logger=log, source="t", clock=clock, console=plain(), heartbeat=False
        ) as p:
            clock.now += 3
            p.advance(20)
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert caplog.records[-1].getMessage() == "sync: stopped at 20/50 rows after 3s"


def test_on_a_terminal_a_bar_replaces_the_log_lines(caplog):
    out = io.StringIO()
    caplog.set_level(logging.INFO, logger="tests.progress")
    terminal = Console(file=out, force_terminal=True, width=100)
    with Progress("CRM sync", 300, unit="contacts", logger=log, source="t", console=terminal) as p:
        for _ in range(3):
            p.advance(100)
    assert caplog.records == []
    assert "CRM sync" in out.getvalue() and "300/300" in out.getvalue()


def test_events_are_json_lines_read_back_whole(tmp_path, monkeypatch):
    path = tmp_path / "events.jsonl"
    monkeypatch.setenv(EVENTS_FILE_ENV, str(path))
    monkeypatch.setenv("AIRFLOW_CTX_TASK_ID", "sync_to_crm")
    tail = EventTail(path)
    assert tail.read() == []  # no file yet
    emit("progress", source="sync", message="one")
    with path.open("a") as fh:
        fh.write('{"event": "half a line')
    (first,) = tail.read()
    assert (first["event"], first["task_id"], first["message"]) == ("progress", "sync_to_crm", "one")
    with path.open("a") as fh:
        fh.write('", "n": 2}\n')
    assert tail.read() == [{"event": "half a line", "n": 2}]
    assert [json.loads(line)["event"] for line in path.read_text().splitlines()] == [
        "progress",
        "half a line",
    ]


def test_no_events_file_no_events(tmp_path, monkeypatch):
    monkeypatch.delenv(EVENTS_FILE_ENV, raising=False)
    emit("progress", message="nowhere")
    assert list(tmp_path.iterdir()) == []


def test_durations():
    assert [duration(s) for s in (0, 9.6, 65, 3600 + 125)] == ["0s", "10s", "1m 05s", "1h 02m"]


def test_report_formats_like_logging(caplog, tmp_path, monkeypatch):
    monkeypatch.setenv(EVENTS_FILE_ENV, str(tmp_path / "events.jsonl"))
    caplog.set_level(logging.INFO, logger="tests.progress")
    assert report(log, "Loaded %(rows)d rows", {"rows": 3}, source="ingest") == "Loaded 3 rows"
    assert report(log, "%s of %d", "two", 3, source="t", level=logging.WARNING) == "two of 3"
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "Loaded 3 rows"),
        ("WARNING", "two of 3"),
    ]
    events = EventTail(tmp_path / "events.jsonl").read()
    assert [(e["source"], e["level"], e["message"]) for e in events] == [
        ("ingest", "info", "Loaded 3 rows"),
        ("t", "warning", "two of 3"),
    ]
