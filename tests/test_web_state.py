"""The web app serves the catalog models its population can score, and the unranked ones."""

from __future__ import annotations

from lanterne.catalog import sample_path
from lanterne.web.state import load_state

AMSTERDAM = {"nl-amsterdam-slimme-check-2022-prepilot", "nl-amsterdam-slimme-check-2022-reweighed"}


def test_models_served_are_those_the_population_can_score():
    french = load_state(sample_path())
    # Amsterdam's models select by a threshold and start from their own archetypes: served
    # with any population, unranked (no population of Amsterdam's applicants exists)
    assert set(french.models) == {"fr-cnaf-2014", "fr-cnaf-dmde-2026", *AMSTERDAM}
    assert set(french.populations) == {"fr-cnaf-2014", "fr-cnaf-dmde-2026"}
    rotterdam = load_state(sample_path("nl-rotterdam-sample.csv"))
    assert set(rotterdam.models) == {"nl-rotterdam-2017", *AMSTERDAM}
    assert set(rotterdam.populations) == {"nl-rotterdam-2017"}
