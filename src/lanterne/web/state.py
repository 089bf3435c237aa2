"""What the web app loads once at startup: the models and the population they are ranked in.

The population is read from a file (``--population``) or, without one, a smaller synthetic
population is generated once; each model scores it once, and every page reuses the scores.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lanterne.catalog import model_ids, sample_path
from lanterne.errors import DataError, Problem
from lanterne.explain import Population, score_population
from lanterne.explain.household import DEFAULT_ARCHETYPES, archetype_set_for
from lanterne.extras import available
from lanterne.i18n import Msg, format_number
from lanterne.io.tables import read_table
from lanterne.model import Model, load_model

#: Households generated at startup when no population file is given.
DEFAULT_POPULATION_ROWS = 200_000
DEFAULT_SEED = 2026


@dataclass
class AppState:
    """Models, their scored population and the limits of this server."""

    models: dict[str, Model]
    populations: dict[str, Population]
    population_label: Msg
    max_upload_bytes: int
    lang: str
    extra: dict[str, object] = field(default_factory=dict)
    #: models ranked in a population of their own (a catalog sample), and its description
    own_population_labels: dict[str, Msg] = field(default_factory=dict)

    def model(self, model_id: str) -> Model | None:
        return self.models.get(model_id)

    def label_for(self, model_id: str) -> Msg | None:
        """What the model's ranks are computed in (``None``: the model is not ranked)."""
        if model_id not in self.populations:
            return None
        return self.own_population_labels.get(model_id, self.population_label)


def load_state(
    population: str | os.PathLike[str] | None,
    *,
    rows: int = DEFAULT_POPULATION_ROWS,
    seed: int = DEFAULT_SEED,
    max_upload_mb: float = 200,
    lang: str = "fr",
) -> AppState:
    """Load the catalog models the population can serve and score it once with each."""
    models = {mid: load_model(mid) for mid in model_ids()}
    model_of = dict(models)
    if population is not None:
        frame = read_table(population)
        name = Path(population).name
        label = Msg(
            "le fichier « {f} » ({n} foyers)",
            "the file '{f}' ({n} households)",
            f=name,
            n=_count(frame.height),
        )
    elif not available("rights"):
        # The generator reads the law's amounts from OpenFisca-France (lanterne[rights]):
        # without it, households are ranked in the catalog's fictitious sample instead.
        sample = sample_path()
        frame = read_table(sample)
        name = sample.name
        label = Msg(
            "l'échantillon fictif du catalogue ({n} foyers) ; pour une population "
            "synthétique : pip install 'lanterne[rights]'",
            "the catalog's fictitious sample ({n} households); for a synthetic "
            "population: pip install 'lanterne[rights]'",
            n=_count(frame.height),
        )
    else:
        from lanterne.population.generate import generate_frame

        frame = generate_frame(rows, seed)
        name = "synthetic"
        label = Msg(
            "une population synthétique de {n} foyers générée au démarrage (graine {s}), "
            "à l'image des allocataires de la CAF",
            "a synthetic population of {n} households generated at startup (seed {s}), "
            "shaped like the CAF's benefit households",
            n=_count(rows),
            s=seed,
        )
    # The pages rank a household among the population's households: only models whose
    # inputs the population holds are served (the French population serves the French
    # models; another country's models need a population of their own, via --population).
    columns = set(frame.columns)
    served = {mid: m for mid, m in models.items() if set(m.used_variables) <= columns}
    # Models that need no population are served too, unranked: a score threshold decides
    # and they have archetypes of their own to start from (Amsterdam's, whose applicants'
    # distribution is not public: no population may stand for them).
    unranked = {mid: m for mid, m in models.items() if mid not in served and needs_no_population(m)}
    # Other models are ranked in the catalog sample of their archetype set, when one
    # exists (Rotterdam's 400 invented files), so that every catalog model is served.
    samples = {
        mid: sample
        for mid, m in models.items()
        if mid not in served and mid not in unranked
        for sample in [_catalog_sample(m)]
        if sample is not None
    }
    models = served
    if not models:
        raise DataError(
            Problem(
                Msg(
                    "aucun modèle du catalogue ne peut noter cette population : il lui manque "
                    "leurs variables",
                    "no catalog model can score this population: it lacks their variables",
                ),
                file=name,
            )
        )
    populations = {mid: _scored(m, frame, name) for mid, m in models.items()}
    own: dict[str, Msg] = {}
    for mid, (sample_frame, sample_label) in samples.items():
        populations[mid] = _scored(
            model_of[mid], sample_frame, f"{archetype_set_for(mid)}-sample.csv"
        )
        own[mid] = sample_label
    return AppState(
        models={**models, **{mid: model_of[mid] for mid in samples}, **unranked},
        populations=populations,
        population_label=label,
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        lang=lang,
        own_population_labels=own,
    )


def _catalog_sample(model: Model) -> tuple[pl.DataFrame, Msg] | None:
    """The catalog sample of the model's archetype set, if it holds the model's inputs."""
    from lanterne.catalog import sample_path

    set_id = archetype_set_for(model.id)
    path = sample_path(f"{set_id}-sample.csv")
    if set_id == DEFAULT_ARCHETYPES or not path.is_file():
        return None
    frame = read_table(path)
    if not set(model.used_variables) <= set(frame.columns):
        return None
    label = Msg(
        "l'échantillon fictif du catalogue ({n} dossiers inventés, illustratif) : la "
        "population réelle n'est pas publique",
        "the catalog's fictitious sample ({n} invented files, illustrative): the real "
        "population is not public",
        n=_count(frame.height),
    )
    return frame, label


def needs_no_population(model: Model) -> bool:
    """A model the pages can serve without a population: it selects by a score threshold
    and has an archetype set of its own (see :func:`archetype_set_for`).

    >>> from lanterne.model import load_model
    >>> needs_no_population(load_model("fr-cnaf-2014"))  # a top share needs a population
    False
    """
    own = archetype_set_for(model.id) != DEFAULT_ARCHETYPES
    return own and model.targeting.threshold is not None


def _scored(model: Model, frame: pl.DataFrame, name: str) -> Population:
    return score_population(model, frame, name=name)


def _count(n: int) -> Msg:
    return Msg(format_number(n, "fr", 0), format_number(n, "en", 0))
