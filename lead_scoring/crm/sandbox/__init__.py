"""A local HubSpot-compatible CRM (the CRM v3 subset this project uses), for the demo and tests.

    from lead_scoring.crm.sandbox import start_sandbox
    with start_sandbox("crm.sqlite", token="secret", rate_limit=100) as sandbox:
        client = CrmClient(sandbox.url, "secret")
        ...

`lead-scoring crm-sandbox --port 8765 --db crm.sqlite --token secret` runs it in the foreground.
It listens on 127.0.0.1 unless told otherwise (a container binds 0.0.0.0).
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from pathlib import Path

from lead_scoring.crm.sandbox.server import (
    Faults,
    SandboxConfig,
    SandboxServer,
    SandboxState,
)
from lead_scoring.crm.sandbox.store import Store

__all__ = ["Faults", "SandboxConfig", "SandboxHandle", "start_sandbox"]

DEFAULT_TOKEN = "sandbox-token"


class SandboxHandle:
    """A running sandbox: `.url`, `.store`, admin helpers, and `.stop()`."""

    def __init__(self, server: SandboxServer, thread: threading.Thread | None):
        self.server = server
        self.thread = thread
        self.state: SandboxState = server.state
        self.store: Store = server.state.store
        host, port = server.server_address[:2]
        self.port = port
        self.url = f"http://{host}:{port}"

    @property
    def token(self) -> str:
        return self.state.config.token

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.store.close()

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- admin, also reachable over HTTP under /_sandbox/
    def reset_limits(self) -> None:
        """Start a new day and an empty rolling window (what the daily cap reset does)."""
        self.state.limiter.reset()

    def set_faults(self, faults: Faults | None = None, **settings) -> None:
        self.state.set_faults(faults or Faults(**settings))

    def set_limits(
        self, *, rate_limit: int | None = None, daily_limit: int | None = None, search_cap: int | None = None
    ) -> None:
        limiter = self.state.limiter
        if rate_limit is not None:
            limiter.limit = self.state.config.rate_limit = rate_limit
        if daily_limit is not None:
            limiter.daily_limit = self.state.config.daily_limit = daily_limit
        if search_cap is not None:
            self.state.config.search_cap = search_cap

    def script(self, *responses: dict) -> None:
        """Answer the next API requests with these canned responses ({status, body, headers})."""
        with self.state.lock:
            self.state.script.extend(responses)

    def stats(self) -> dict:
        return self.server.stats()

    def write_counts(self, object_type: str = "contacts") -> dict[int, int]:
        """Applied writes per record id, as counted by the server."""
        return self.store.write_counts(object_type)

    def config(self) -> dict:
        return asdict(self.state.config)


def start_sandbox(
    db_path: str | Path,
    port: int = 0,
    token: str = DEFAULT_TOKEN,
    *,
    rate_limit: int = 100,
    rate_interval_s: float = 10.0,
    daily_limit: int = 250_000,
    search_cap: int = 10_000,
    max_batch: int = 100,
    faults: Faults | None = None,
    load_landing: str | Path | None = None,
    background: bool = True,
    host: str = "127.0.0.1",
) -> SandboxHandle:
    """Start the sandbox on `host`:`port` (0 picks a free port), serving from a thread.

    With `background=False` the server is created but not started: call
    `handle.server.serve_forever()` yourself (the CLI does).
    """
    if not token:
        raise ValueError("the sandbox needs a token")
    store = Store(db_path)
    if load_landing is not None:
        store.load_landing(load_landing)
    config = SandboxConfig(
        token=token,
        rate_limit=rate_limit,
        rate_interval_s=rate_interval_s,
        daily_limit=daily_limit,
        search_cap=search_cap,
        max_batch=max_batch,
        faults=faults or Faults(),
    )
    server = SandboxServer((host, port), SandboxState(store, config))
    thread = None
    if background:
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"crm-sandbox-{server.server_address[1]}",
            daemon=True,
        )
        thread.start()
    return SandboxHandle(server, thread)
