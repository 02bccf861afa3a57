"""Suite-wide settings: nothing a test does touches the checkout's `.state/` or the network."""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("DO_NOT_TRACK", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path_factory, monkeypatch):
    """Point every default path at a temporary state folder."""
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("LEAD_SCORING_STATE_DIR", str(state))
    monkeypatch.delenv("LEAD_SCORING_LANDING_DIR", raising=False)
    monkeypatch.delenv("LEAD_SCORING_WAREHOUSE", raising=False)
    return state


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server for the session, started from the machine's binaries."""
    from tests.pg_server import find_pg_bin, running_postgres

    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (set PG_BIN to a folder with pg_ctl and initdb)")
    with running_postgres(bin_dir) as server:
        yield server
