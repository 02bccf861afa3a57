"""Generated landing folders shared by the generator's tests (each is generated once a session)."""

from __future__ import annotations

import pytest

from lead_scoring.generate import Settings, generate

from .landing_reader import Landing

# ~3000 contacts over 30 days: enough for outcome statistics, fast enough for every test run.
MAIN = Settings(contacts=3000, days=30, events_per_contact=20, seed=7)
# A long window (cold leads' one old page view falls inside it) in several chunks.
LONG = Settings(contacts=600, days=75, events_per_contact=8, seed=11, chunk_size=200)


@pytest.fixture(scope="session")
def main_landing(tmp_path_factory) -> Landing:
    root = tmp_path_factory.mktemp("landing_main")
    generate(root, MAIN, progress=None)
    return Landing.load(root)


@pytest.fixture(scope="session")
def long_landing(tmp_path_factory) -> Landing:
    root = tmp_path_factory.mktemp("landing_long")
    generate(root, LONG, progress=None)
    return Landing.load(root)
