"""Archetype experiments: score named households and their variations with a model.

Each archetype ("profil-type") is scored, and so is each of its variations (the same
household with one or more attributes changed); the change against the base shows what
the model reacts to. Given a population, each household also gets its percentile among
all households (share of households scoring at or below it) and whether the targeting rule
applied to that population (e.g. the 1.2 % highest scores) would select it.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.population.archetypes import load_archetypes
    >>> result = run_archetypes(load_model("fr-cnaf-2014"), load_archetypes("fr-households"))
    >>> row = result.row("single-mother-rsa/not-in-qpv")
    >>> row.delta < 0, row.changes
    (True, ('qpv',))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lanterne.errors import DataError, Problem
from lanterne.i18n import Msg, get_lang
from lanterne.io.tables import read_table, table_format
from lanterne.model import Model, TargetingRule
from lanterne.population.archetypes import META_COLUMNS, ArchetypeSet
from lanterne.scoring import percentile_rank


@dataclass(frozen=True)
class ArchetypeScore:
    """One household of the set (a base archetype or a variation) and its score."""

    ref: str  # "archetype" or "archetype/variation"
    base: str
    variation: str | None
    label_fr: str
    label_en: str
    changes: tuple[str, ...]  # variables changed against the base (empty for a base)
    read: tuple[str, ...]  # those of the changes the model reads
    score: float
    delta: float  # score − score of the base (0 for a base)
    percentile: float | None  # share of the population scoring at or below it
    selected: bool | None  # would the targeting rule select it (None: unknown)

    def label(self, lang: str | None = None) -> str:
        return self.label_fr if (lang or get_lang()) == "fr" else self.label_en

    def to_dict(self) -> dict[str, Any]:
        return {
            "archetype": self.ref,
            "base": self.base,
            "variation": self.variation,
            "label": {"fr": self.label_fr, "en": self.label_en},
            "changes": list(self.changes),
            "changes_read_by_model": list(self.read),
            "score": self.score,
            "delta": self.delta,
            "percentile": self.percentile,
            "selected": self.selected,
        }


@dataclass(frozen=True)
class ArchetypeResult:
    """Every household of an archetype set scored by one model."""

    model_id: str
    archetypes_id: str
    rule: TargetingRule
    threshold: float | None  # the score from which households are selected, if known
    population: str | None
    population_size: int | None
    rows: list[ArchetypeScore]

    def row(self, ref: str) -> ArchetypeScore:
        found = next((r for r in self.rows if r.ref == ref), None)
        if found is None:
            raise KeyError(ref)
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model_id,
            "archetypes": self.archetypes_id,
            "targeting": {"top_share": self.rule.top_share, "threshold": self.rule.threshold},
            "selection_threshold": self.threshold,
            "population": self.population,
            "population_size": self.population_size,
            "households": [r.to_dict() for r in self.rows],
        }


def population_scores(model: Model, path: str | os.PathLike[str]) -> np.ndarray:
    """The model's score of every household of a population file (only its columns read)."""
    table_format(path)
    needed = list(model.used_variables)
    if Path(path).suffix.lower() in (".parquet", ".pq") or Path(path).is_dir():
        from lanterne.io.tables import scan_parquet_files

        try:
            names = scan_parquet_files(path).collect_schema().names()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise DataError(
                Problem(
                    Msg("lecture impossible : {e}", "cannot read: {e}", e=str(exc).splitlines()[0]),
                    file=str(path),
                )
            ) from None
        missing = [c for c in needed if c not in names]
        if missing:
            raise DataError(
                Problem(
                    Msg(
                        "colonne(s) manquante(s) pour le modèle {m} : {c}",
                        "column(s) missing for model {m}: {c}",
                        m=model.id,
                        c=", ".join(missing),
                    ),
                    file=str(path),
                )
            )
        frame = read_table(path, columns=needed)
    else:
        frame = read_table(path)
    return model.scores(model.prepare(frame, file=str(path))).to_numpy()


def run_archetypes(
    model: Model,
    archetypes: ArchetypeSet,
    population: np.ndarray | str | os.PathLike[str] | None = None,
    targeting: TargetingRule | None = None,
) -> ArchetypeResult:
    """Score every archetype and variation; with a population, percentiles and selection.

    ``population`` is a population file or the array of its scores. Without a population a
    top-share rule cannot say who is selected (``selected`` is None); a threshold rule can.
    """
    rule = targeting or model.targeting
    table = archetypes.households()
    variables = table.drop(META_COLUMNS)
    scores = model.scores(model.prepare(variables, file=archetypes.id)).to_numpy()

    source: str | None = None
    pop: np.ndarray | None = None
    if population is not None:
        if isinstance(population, np.ndarray):
            pop = population
        else:
            source = str(population)
            pop = population_scores(model, population)
    if pop is not None and pop.size:
        threshold: float | None = rule.threshold_for(pop)
        percentiles: np.ndarray | None = percentile_rank(pop, scores)
    else:
        threshold = rule.threshold if rule.threshold is not None else None
        percentiles = None

    used = set(model.used_variables)
    refs = table["archetype"].to_list()
    bases = table["base"].to_list()
    base_score = {ref: float(s) for ref, s in zip(refs, scores, strict=True)}
    rows = []
    for i, ref in enumerate(refs):
        base = bases[i]
        variation = table["variation"][i]
        changes: tuple[str, ...] = ()
        if variation is not None:
            arch = archetypes.archetype(base)
            assert arch is not None
            var = next(v for v in arch.variations if v.id == variation)
            changes = tuple(var.changes)
        score = float(scores[i])
        rows.append(
            ArchetypeScore(
                ref=ref,
                base=base,
                variation=variation,
                label_fr=table["label_fr"][i],
                label_en=table["label_en"][i],
                changes=changes,
                read=tuple(c for c in changes if c in used),
                score=score,
                delta=score - base_score[base],
                percentile=float(percentiles[i]) if percentiles is not None else None,
                selected=bool(score >= threshold) if threshold is not None else None,
            )
        )
    return ArchetypeResult(
        model_id=model.id,
        archetypes_id=archetypes.id,
        rule=rule,
        threshold=threshold,
        population=source,
        population_size=int(pop.size) if pop is not None else None,
        rows=rows,
    )
