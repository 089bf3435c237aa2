"""The web app serves the catalog models its population can score."""

from __future__ import annotations

from lanterne.catalog import sample_path
from lanterne.web.state import load_state


def test_models_served_are_those_the_population_can_score():
    french = load_state(sample_path())
    assert set(french.models) == {"fr-cnaf-2014", "fr-cnaf-dmde-2026"}
    rotterdam = load_state(sample_path("nl-rotterdam-sample.csv"))
    assert set(rotterdam.models) == {"nl-rotterdam-2017"}
    assert set(rotterdam.populations) == {"nl-rotterdam-2017"}
