"""Where a report's figures come from: the models' sources and status, and the population's.

An ``illustrative`` model (weights invented to show the mechanism) is flagged on the first
screen; every source is listed with its link; the population says whether it is synthetic
and which statistics it was calibrated to.

Example:
    >>> from lanterne.model import load_model
    >>> box = model_box(load_model("fr-cnaf-2014"), "en")
    >>> box.status, box.warning is not None
    ('illustrative', True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lanterne.htmlsafe import link_url
from lanterne.i18n import Msg, format_iso_date, format_number, format_percent, format_sig, pick
from lanterne.model import Model
from lanterne.population.generate import read_metadata
from lanterne.population.targets import PopulationTargets, load_targets
from lanterne.provenance import (
    STATUSES,
    Source,
    source_citation,
    status_count,
    status_explanation,
    status_label,
)
from lanterne.report.blocks import Table


@dataclass(frozen=True)
class SourceLine:
    """One source: its citation and, when it can be linked, its address.

    ``url`` is only ever an ``http``/``https`` address (:func:`~lanterne.htmlsafe.link_url`):
    any other (``javascript:``, ``data:``...) stays in the citation's text, never a link.
    """

    text: str
    url: str | None


@dataclass
class ModelBox:
    """What the report says about one model's provenance."""

    id: str
    name: str
    agency: str
    years: str
    status: str
    status_label: str
    status_explanation: str
    counts_text: str
    status_note: str | None
    targeting: str
    sources: list[SourceLine]
    weights: Table | None
    warning: str | None


@dataclass
class PopulationBox:
    """What the report says about the population audited."""

    paragraphs: list[str] = field(default_factory=list)
    sources: list[SourceLine] = field(default_factory=list)
    seed: int | None = None


def source_lines(sources: list[Source], lang: str) -> list[SourceLine]:
    """Citations of ``sources`` with their links (legal references and documents as text)."""
    return [SourceLine(source_citation(s, lang), link_url(s.url)) for s in sources]


def _signed(value: float, lang: str) -> str:
    """A weight with its sign, three significant digits (``+0,45``)."""
    return ("+" if value >= 0 else "−") + format_sig(abs(value), lang, 3)


def _weights(model: Model, lang: str) -> Table | None:
    """The model's terms with their weights and status: what it adds up.

    A tree ensemble has no weights: the table lists the inputs its trees split on, with the
    number of splits on each.
    """
    trees = model.kind == "trees"
    rows = []
    for term in model.terms:
        rows.append(
            (
                pick(term.label, lang) if term.label is not None else term.name,
                format_number(term.weight, lang, 0) if trees else _signed(term.weight, lang),
                status_label(term.status, lang),
            )
        )
    if not rows:
        return None
    if trees:
        title = Msg("Ce que lisent les arbres", "What the trees read")
        weight = Msg("Divisions", "Splits")
    elif model.kind == "additive":  # no weight: a shape's span, highest minus lowest score
        title = Msg("Ce que le modèle additionne", "What the model adds up")
        weight = Msg("Écart de la fonction de forme", "Span of the shape function")
    else:
        title = Msg("Ce que le modèle additionne", "What the model adds up")
        weight = Msg("Poids", "Weight")
    return Table(
        title.render(lang),
        (
            Msg("Élément", "Item").render(lang),
            weight.render(lang),
            Msg("Statut", "Status").render(lang),
        ),
        tuple(rows),
    )


def model_box(model: Model, lang: str) -> ModelBox:
    """The provenance box of one model."""
    spec = model.spec
    status = spec.overall_status()
    counts = spec.status_counts()
    total = sum(counts.values())
    parts = [status_count(counts[s], s, lang) for s in STATUSES if counts[s]]
    counts_text = Msg(
        "Sur les {t} nombres du modèle : {parts}.",
        "Of the model's {t} numbers: {parts}.",
        t=total,
        parts=", ".join(parts),
    ).render(lang)
    rule = model.targeting
    if rule.top_share is not None:
        targeting = Msg(
            "contrôler les {k} de scores les plus hauts.",
            "inspect the {k} highest scores.",
            k=format_percent(rule.top_share, lang, 2),
        ).render(lang)
    else:
        targeting = Msg(
            "contrôler les scores d'au moins {t}.",
            "inspect scores of at least {t}.",
            t=format_number(rule.threshold or 0.0, lang, 3),
        ).render(lang)
    warning = None
    if status == "illustrative":
        warning = Msg(
            "Les poids de « {m} » sont illustratifs : ce ne sont pas ceux de l'organisme ({a}), "
            "qui ne les a pas publiés. Ils servent à montrer comment un tel modèle cible les "
            "foyers à partir des variables connues ; les écarts entre groupes montrent le "
            "mécanisme, pas leur taille réelle.",
            "The weights of '{m}' are illustrative: they are not those of {a}, which has not "
            "published them. They show how such a model targets households from the known "
            "variables; the gaps between groups show the mechanism, not their real size.",
            m=pick(spec.name, lang),
            a=spec.agency,
        ).render(lang)
    end = spec.years[1]
    years = (
        f"{spec.years[0]}–{end}"
        if end is not None
        else Msg("depuis {y}", "since {y}", y=spec.years[0]).render(lang)
    )
    return ModelBox(
        id=model.id,
        name=pick(spec.name, lang),
        agency=spec.agency,
        years=years,
        status=status,
        status_label=status_label(status, lang),
        status_explanation=status_explanation(status, lang),
        counts_text=counts_text,
        status_note=pick(spec.status_note, lang) if spec.status_note else None,
        targeting=targeting,
        sources=source_lines(list(spec.sources), lang),
        weights=_weights(model, lang),
        warning=warning,
    )


def population_counts(targets: PopulationTargets, meta: dict[str, object], lang: str) -> str:
    """The population's numbers by status, as the model's: calibration targets, the
    generator's own numbers, and where the legal amounts come from.

    >>> text = population_counts(load_targets("fr-caf-2023"), {}, "en")
    >>> text.startswith("Of the population's ")
    True
    """

    def parts(counts: dict[str, int]) -> str:
        return ", ".join(status_count(n, s, lang) for s, n in counts.items() if n)

    targets_counts = targets.status_counts()
    generator_counts = targets.generator_status_counts()
    version = meta.get("openfisca_france_version")
    law = (
        Msg(
            "Les montants légaux des prestations viennent d'OpenFisca-France {v} (règles au {d}).",
            "Legal benefit amounts come from OpenFisca-France {v} (rules as of {d}).",
            v=version,
            d=format_iso_date(str(meta.get("legal_date") or "?"), lang),
        ).render(lang)
        if version
        else ""
    )
    text = Msg(
        "Sur les {t} chiffres de la population : {c} cibles de calage ({cp}) et {g} nombres "
        "du générateur ({gp}).",
        "Of the population's {t} numbers: {c} calibration targets ({cp}) and {g} generator "
        "numbers ({gp}).",
        t=sum(targets_counts.values()) + sum(generator_counts.values()),
        c=sum(targets_counts.values()),
        cp=parts(targets_counts),
        g=sum(generator_counts.values()),
        gp=parts(generator_counts),
    ).render(lang)
    return f"{text} {law}".strip()


def population_metadata(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Lanterne's metadata of a generated population (file or folder; ``None`` otherwise)."""
    target = Path(path)
    if target.is_dir():
        target = next(iter(sorted(target.glob("*.parquet"))), target)
    if target.suffix.lower() != ".parquet" or not target.is_file():
        return None
    return read_metadata(target)


def population_box(
    path: str | os.PathLike[str] | None,
    n: int,
    lang: str,
    *,
    description: str | None = None,
) -> PopulationBox:
    """The population box: synthetic (with its seed and calibration) or the user's data."""
    box = PopulationBox()
    meta = population_metadata(path) if path is not None else None
    if meta and meta.get("synthetic"):
        box.seed = int(meta["seed"]) if meta.get("seed") is not None else None
        box.paragraphs.append(
            Msg(
                "Population synthétique de {n} foyers fictifs, générée par Lanterne (graine "
                "{seed}) et calée sur les statistiques publiques « {t} » : aucune personne "
                "réelle. Elle reproduit les effectifs publiés (types de famille, prestations, "
                "revenus, logement, quartiers prioritaires…) et leurs liens, pas les vrais "
                "dossiers.",
                "A synthetic population of {n} fictitious households, generated by Lanterne "
                "(seed {seed}) and calibrated to the public statistics '{t}': no real person. "
                "It reproduces the published counts (family types, benefits, incomes, "
                "housing, priority neighbourhoods...) and how they relate, not real files.",
                n=format_number(n, lang, 0),
                seed=meta.get("seed"),
                t=meta.get("targets", "?"),
            ).render(lang)
        )
        targets = load_targets(str(meta["targets"])) if meta.get("targets") else None
        if targets is not None:
            box.sources = source_lines(list(targets.sources), lang)
            box.paragraphs.append(population_counts(targets, meta, lang))
    else:
        name = Path(path).name if path is not None else "—"
        box.paragraphs.append(
            Msg(
                "Données fournies par l'utilisateur : {f}, {n} foyers. Lanterne ne sait pas "
                "d'où elles viennent ; la description ci-dessous est celle donnée à la "
                "création du rapport.",
                "Data supplied by the user: {f}, {n} households. Lanterne does not know where "
                "they come from; the description below is the one given when the report was "
                "made.",
                f=name,
                n=format_number(n, lang, 0),
            ).render(lang)
        )
    if description:
        box.paragraphs.append(description)
    return box
