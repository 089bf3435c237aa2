"""The web app serves the catalog models its population can score, and the unranked ones."""

from __future__ import annotations

import numpy as np

from lanterne.catalog import sample_path
from lanterne.explain import score_population
from lanterne.io.tables import read_table
from lanterne.web.state import load_state

AMSTERDAM = {"nl-amsterdam-slimme-check-2022-prepilot", "nl-amsterdam-slimme-check-2022-reweighed"}


def test_models_served_are_those_the_population_can_score():
    french = load_state(sample_path())
    # Amsterdam's and Poland's models select by a threshold and start from their own
    # archetypes: served with any population, unranked (no population of their applicants
    # exists); Rotterdam's is ranked in the catalog's fictitious sample: every catalog
    # model is served
    assert set(french.models) == {
        "fr-cnaf-2014",
        "fr-cnaf-dmde-2026",
        "nl-rotterdam-2017",
        "pl-profiling-2014",
        *AMSTERDAM,
    }
    assert set(french.populations) == {"fr-cnaf-2014", "fr-cnaf-dmde-2026", "nl-rotterdam-2017"}
    assert "fictitious sample" in french.label_for("nl-rotterdam-2017").render("en")
    assert french.label_for("pl-profiling-2014") is None
    # the sample's scores are the model's on the file, read and scored apart
    model = french.models["nl-rotterdam-2017"]
    alone = score_population(model, read_table(sample_path("nl-rotterdam-sample.csv")))
    assert np.array_equal(french.populations[model.id].scores, alone.scores)
    rotterdam = load_state(sample_path("nl-rotterdam-sample.csv"))
    assert set(rotterdam.models) == {"nl-rotterdam-2017", "pl-profiling-2014", *AMSTERDAM}
    assert set(rotterdam.populations) == {"nl-rotterdam-2017"}
