"""Progress of long work, for a person at a terminal and for an Airflow task log.

- `Progress`: a counted job (contacts synced): a rich bar on a terminal; elsewhere (a task log is
  not a terminal) a log line every `interval_s` seconds with done/total, rate and ETA.
- `report`: one progress line (a dbt node finished, a day loaded): logged, and sent as an event.
- `emit`: appends one JSON event to the file named by $LEAD_SCORING_EVENTS_FILE, if set. The
  Airflow listener in `plugins/task_events.py` writes task and DAG-run state changes there too,
  so `lead-scoring demo` shows a run's progress from events (`EventTail`), not from Airflow's
  wording of its log.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

EVENTS_FILE_ENV = "LEAD_SCORING_EVENTS_FILE"

_log = logging.getLogger(__name__)


def emit(event: str, **fields) -> None:
    """Append `{"event": event, "ts": ..., "task_id": ..., **fields}` as one JSON line.

    No-op unless $LEAD_SCORING_EVENTS_FILE is set. `task_id` defaults to the Airflow task running
    in this process (Airflow exports AIRFLOW_CTX_TASK_ID). Never raises: progress must not break
    the work it reports on.
    """
    path = os.environ.get(EVENTS_FILE_ENV)
    if not path:
        return
    record = {"event": event, "ts": round(time.time(), 3)}
    record["task_id"] = os.environ.get("AIRFLOW_CTX_TASK_ID")
    record.update(fields)
    try:
        line = json.dumps(record, default=str) + "\n"
        with open(
            path, "a", encoding="utf-8"
        ) as fh:  # one short append: whole lines, even from two processes
            fh.write(line)
    except (OSError, TypeError, ValueError) as exc:
        _log.debug("progress event not written to %s: %s", path, exc)


def report(
    logger: logging.Logger, message: str, *args, source: str, level: int = logging.INFO, **fields
) -> str:
    """Log one progress line and emit it as a `progress` event; returns the line."""
    if len(args) == 1 and isinstance(args[0], Mapping):  # "%(name)s" formatting, as logging does
        args = args[0]
    text = message % args if args else message
    logger.log(level, "%s", text)
    emit("progress", source=source, level=logging.getLevelName(level).lower(), message=text, **fields)
    return text


class EventTail:
    """Reads the events appended to a file since the last call (whole lines only)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.offset = 0

    def read(self) -> list[dict]:
        try:
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1  # a line still being written waits for the next call
        self.offset += end
        events = []
        for raw in data[:end].splitlines():
            try:
                events.append(json.loads(raw))
            except ValueError:
                _log.debug("not an event: %r", raw[:200])
        return events


def duration(seconds: float) -> str:
    """12s, 3m 05s, 1h 02m."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


class Progress:
    """Done/total, rate and ETA of a counted job.

    On a terminal (stderr is a TTY) a rich progress bar; otherwise a log line on the first
    `advance`, then whenever `interval_s` has passed since the last line, and one at the end.
    With `heartbeat` a thread says so too when no step ends for `interval_s` (a slow first
    request, a paced wait): the log is never silent longer than that. The rate is measured over
    the last `window_s` seconds, so the ETA follows a rate that changes (a client that sends its
    first requests at once, then paces itself).
    """

    def __init__(
        self,
        what: str,
        total: int,
        *,
        unit: str,
        logger: logging.Logger,
        source: str,
        interval_s: float = 10.0,
        window_s: float = 30.0,
        console=None,
        clock: Callable[[], float] = time.monotonic,
        heartbeat: bool = True,
        max_rate: float | None = None,
    ):
        self.what, self.total, self.unit = what, total, unit
        self.logger, self.source = logger, source
        self.interval_s, self.window_s = interval_s, window_s
        self.clock = clock
        self.done = 0
        self.lines: list[str] = []  # what was reported, newest last
        self._console = console  # a rich Console; default: one on stderr
        self._terminal = False
        self._bar = None
        self._started = self._last = 0.0
        self._samples: deque[tuple[float, int]] = deque()
        self._heartbeat = heartbeat
        self.max_rate = max_rate  # what the job can sustain (a paced client): caps a burst's rate
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        self._started = self._last = self.clock()
        self._samples.append((self._started, 0))
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True)
        self._terminal = self._console.is_terminal
        if self._terminal and self.total:
            self._start_bar()
        elif self._heartbeat and self.total:
            self._thread = threading.Thread(target=self._beat, name=f"progress {self.what}", daemon=True)
            self._thread.start()
        return self

    def _beat(self) -> None:
        while not self._stop.wait(self.interval_s / 4):
            with self._lock:
                now = self.clock()
                if now - self._last >= self.interval_s:
                    self._say(self.status(now), now)

    def _start_bar(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(f"{self.unit}, {{task.fields[rate]}}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self._console,
        )
        self._bar.start()
        self._task = self._bar.add_task(self.what, total=self.total, rate="-")

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self._advance(n)

    def _advance(self, n: int) -> None:
        now = self.clock()
        self.done += n
        self._samples.append((now, self.done))
        while len(self._samples) > 2 and self._samples[1][0] <= now - self.window_s:
            self._samples.popleft()
        if self._bar is not None:
            rate = self.rate()
            self._bar.update(self._task, completed=self.done, rate=f"{rate:,.0f}/s" if rate else "-")
        first_step = len(self._samples) == 2  # the first rate: say it at once
        if self.done < self.total and (first_step or now - self._last >= self.interval_s):
            self._say(self.status(), now)

    def restart_rate(self) -> None:
        """The steps proper start now (setup done): rates and ETAs count from here."""
        with self._lock:
            self._samples = deque([(self.clock(), self.done)])

    def rate(self, now: float | None = None) -> float:
        """Units per second over the last `window_s` seconds, up to the last step or `now`,
        at most `max_rate`."""
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        t1 = max(t1, now or t1)
        rate = (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0
        return min(rate, self.max_rate) if self.max_rate else rate

    def eta_s(self, now: float | None = None) -> float | None:
        rate = self.rate(now)
        return (self.total - self.done) / rate if rate > 0 else None

    def status(self, now: float | None = None) -> str:
        share = self.done / self.total if self.total else 1.0
        eta = self.eta_s(now)
        return (
            f"{self.what}: {self.done:,}/{self.total:,} {self.unit} ({share:.0%}), "
            f"{self.rate(now):,.1f} {self.unit}/s, ETA {duration(eta) if eta is not None else 'unknown'}"
        )

    def _say(self, line: str, now: float) -> None:
        self._last = now
        self.lines.append(line)
        if self._terminal:
            emit("progress", source=self.source, level="info", message=line)
        else:
            report(self.logger, line, source=self.source)

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.total:  # nothing to do, nothing to say
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        now = self.clock()
        if self._bar is not None:
            self._bar.stop()
        elapsed = now - self._started
        if exc_type is None and self.done >= self.total:
            average = self.done / elapsed if elapsed > 0 else 0.0
            line = (
                f"{self.what}: {self.done:,}/{self.total:,} {self.unit} in {duration(elapsed)} "
                f"({average:,.1f} {self.unit}/s)"
            )
        else:
            line = (
                f"{self.what}: stopped at {self.done:,}/{self.total:,} {self.unit} after {duration(elapsed)}"
            )
        self._say(line, now)
