"""`generate --plant-effects`: the truth calibration is tested against is really in the data."""

from __future__ import annotations

import numpy as np
import pytest

from lead_scoring.generate import Settings, behaviour, events, generate, population
from lead_scoring.generate.settings import PLANTED_STRONG_SOURCE

from .landing_reader import Landing

PLANTED = Settings(contacts=15000, days=45, events_per_contact=20, seed=5, plant_effects=True)
PLAIN = Settings(contacts=15000, days=45, events_per_contact=20, seed=5)


def _deal_rates(landing: Landing) -> tuple[float, float]:
    with_deal = {d["associated_contact_id"] for d in landing.deals.values()}
    source = {key: c["hs_analytics_source"] for key, c in landing.contacts.items()}
    strong = [key for key, s in source.items() if s == PLANTED_STRONG_SOURCE]
    others = [key for key, s in source.items() if s != PLANTED_STRONG_SOURCE]
    return (
        sum(k in with_deal for k in strong) / len(strong),
        sum(k in with_deal for k in others) / len(others),
    )


@pytest.fixture(scope="module")
def landings(tmp_path_factory):
    out = {}
    for name, settings in (("planted", PLANTED), ("plain", PLAIN)):
        root = tmp_path_factory.mktemp(name)
        generate(root, settings, progress=None)
        out[name] = Landing.load(root)
    return out


def test_the_strong_source_about_triples_deals_only_when_planted(landings):
    strong, others = _deal_rates(landings["planted"])
    assert 2.2 < strong / others < 4.5
    strong, others = _deal_rates(landings["plain"])
    assert 0.6 < strong / others < 1.6


def test_case_study_reads_say_nothing_about_deals_when_planted():
    # on the simulation itself: in the landed files, reads of visitors who never identify are
    # anonymous, and being identified does go with deals
    settings = PLANTED
    rng = np.random.default_rng(settings.seed)
    pop = population.build(settings, 0, rng)
    sim = behaviour.simulate(settings, pop, rng)
    case = events.VARIANTS_GROUP[sim.events.variant] == events.G["page_case_studies"]
    readers = np.zeros(len(pop), dtype=bool)
    readers[sim.events.contact[case & (sim.events.contact >= 0)]] = True
    deal = np.zeros(len(pop), dtype=bool)
    deal[sim.deals.contact] = True
    assert 0.25 < readers.mean() < 0.35
    assert 0.8 < deal[readers].mean() / deal[~readers].mean() < 1.25
