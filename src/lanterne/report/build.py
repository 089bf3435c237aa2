"""Assemble a report from audits: one document model, rendered to HTML and PDF.

:func:`population_report` takes models with their population audits (run with
``keep_rows=True`` for the distribution, comparison and archetype percentiles) and returns a
:class:`Report`; :func:`selection_report` does the same for a random-baseline audit. Both
are rendered by :func:`lanterne.report.render.render_html` — the one rendering path used by
``lanterne report``, ``lanterne audit ... --report`` and ``make demo``.

Example:
    >>> from lanterne.audit import audit_population
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.model import load_model
    >>> model = load_model("fr-cnaf-2014")
    >>> audit = audit_population(model, sample_path(), group_cols=["sex"], keep_rows=True)
    >>> report = population_report([model], [audit], data=sample_path(), lang="en")
    >>> [section.id for section in report.sections]
    ['results-fr-cnaf-2014']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lanterne.audit import PopulationAudit, SelectionAudit
from lanterne.i18n import Msg, format_number, normalise_lang, pick
from lanterne.model import Model
from lanterne.population.archetypes import ArchetypeSet
from lanterne.report.archetypes_section import archetypes_section
from lanterne.report.blocks import Section, Table
from lanterne.report.comparison import comparison_section
from lanterne.report.findings import MIN_SELECTED
from lanterne.report.labels import Labels
from lanterne.report.notice import provenance_notice
from lanterne.report.population_section import results_section
from lanterne.report.provenance_box import ModelBox, PopulationBox, model_box, population_box
from lanterne.report.reproducibility import Reproducibility, current_command, file_checksums
from lanterne.report.selection_section import selection_section
from lanterne.report.summary import Summary, summary_section
from lanterne.report.texts import (
    limitations,
    metric_definitions,
    nonrecours_definitions,
    nonrecours_limitations,
)

if TYPE_CHECKING:  # the rights package loads OpenFisca: only when a non-take-up report is made
    from lanterne.rights.audit import NonRecoursAudit


@dataclass
class Report:
    """Everything a report shows, already worded in one language."""

    lang: str
    title: str
    subtitle: str
    models: list[ModelBox]
    summary: Summary | None
    population: PopulationBox | None
    sections: list[Section]
    definitions: list[tuple[str, str]]
    limitations: list[str]
    repro: Reproducibility
    intro: list[str] = field(default_factory=list)
    #: One compact warning (title, sentence) for every illustrative model, or ``None``.
    notice: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.notice is None:
            self.notice = provenance_notice(self.models, self.lang)

    @property
    def appendix_tables(self) -> list[tuple[str, Table]]:
        """The sections' full tables of figures, headed "section — table", for the appendix."""
        return [
            (f"{s.title} — {t.title}", t) for s in self.sections for t in s.tables if t.appendix
        ]

    @property
    def section_ids(self) -> list[str]:
        """Ids of the top-level sections, in reading order (the table of contents)."""
        ids = ["summary"] if self.summary is not None else []
        ids += ["provenance"] if self.models or self.population is not None else []
        ids += [s.id for s in self.sections]
        ids += ["appendix"] if self.appendix_tables else []
        return [*ids, "method", "reproducibility"]


def population_report(
    models: Sequence[Model],
    audits: Sequence[PopulationAudit],
    *,
    data: str | os.PathLike[str] | None,
    lang: str = "fr",
    archetypes: ArchetypeSet | None = None,
    description: str | None = None,
    command: str | None = None,
    extra_files: Sequence[str | os.PathLike[str]] = (),
    extra_sections: Sequence[Section] = (),
    min_selected: int = MIN_SELECTED,
) -> Report:
    """The report of one or more models' population audits on the same households.

    ``extra_sections`` (the demo's non-take-up section) come after the audits' own; a
    group is a key finding only with ``min_selected`` selected households, seen or expected.
    """
    lang = normalise_lang(lang)
    if not models or len(models) != len(audits):
        raise ValueError("one audit per model is needed")
    labels = Labels.from_models(models)
    names = [pick(m.spec.name, lang) for m in models]
    sections = [
        results_section(model, audit, labels, lang)
        for model, audit in zip(models, audits, strict=True)
    ]
    if len(models) > 1:
        sections.append(comparison_section(models, audits, labels, lang))
    if archetypes is not None:
        sections.append(archetypes_section(models, audits, archetypes, lang))
    sections.extend(extra_sections)
    population = population_box(data, audits[0].n, lang, description=description)
    files = [*(m.checked.file for m in models if Path(m.checked.file).is_file()), *extra_files]
    if data is not None:
        files.append(data)
    return Report(
        lang=lang,
        title=(
            Msg("Qui cible « {m} » ?", "Whom does '{m}' target?", m=names[0])
            if len(models) == 1
            else Msg(
                "Qui ciblent ces {k} modèles ?", "Whom do these {k} models target?", k=len(models)
            )
        ).render(lang),
        subtitle=Msg(
            "Audit de population : {n} foyers, par {g}.",
            "Population audit: {n} households, by {g}.",
            n=format_number(audits[0].n, lang, 0),
            g=", ".join(labels.column(c, lang) for c in audits[0].groups),
        ).render(lang),
        models=[model_box(m, lang) for m in models],
        summary=summary_section(models, audits, labels, lang, min_selected=min_selected),
        population=population,
        sections=sections,
        definitions=metric_definitions(lang, min_cell=audits[0].min_cell),
        limitations=limitations(lang),
        repro=Reproducibility(
            command=command or current_command(),
            seed=population.seed,
            files=file_checksums(files),
        ),
    )


def nonrecours_report(
    audit: NonRecoursAudit,
    *,
    data: str | os.PathLike[str] | None,
    lang: str = "fr",
    models: Sequence[Model] = (),
    command: str | None = None,
) -> Report:
    """The report of a non-take-up audit: the rights missed, next to who is inspected."""
    from lanterne.report.nonrecours_section import nonrecours_section

    lang = normalise_lang(lang)
    labels = Labels.from_models(models)
    section = nonrecours_section(audit, labels, lang)
    population = population_box(data, int(audit.totals["households"]), lang)
    return Report(
        lang=lang,
        title=Msg(
            "Les droits que les foyers ne réclament pas", "The rights households do not claim"
        ).render(lang),
        subtitle=Msg(
            "Non-recours au RSA, à la prime d'activité et aux aides au logement, {m}.",
            "Non-take-up of RSA, the activity bonus and housing benefit, {m}.",
            m=audit.month,
        ).render(lang),
        models=[model_box(m, lang) for m in models],
        summary=None,
        population=population,
        sections=[section],
        definitions=nonrecours_definitions(lang),
        limitations=nonrecours_limitations(lang),
        repro=Reproducibility(
            command=command or current_command(),
            seed=population.seed,
            files=file_checksums([data] if data is not None else []),
        ),
    )


def selection_report(
    audit: SelectionAudit,
    *,
    data: str | os.PathLike[str] | None,
    lang: str = "fr",
    models: Sequence[Model] = (),
    description: str | None = None,
    command: str | None = None,
) -> Report:
    """The report of a random-baseline audit (real inspection outcomes)."""
    lang = normalise_lang(lang)
    labels = Labels.from_models(models)
    section = selection_section(audit, labels, lang)
    population = population_box(
        data,
        audit.overall["n_random"] + audit.overall["n_algorithm"],
        lang,
        description=description,
    )
    return Report(
        lang=lang,
        title=Msg(
            "Ce que trouvent les contrôles de l'algorithme",
            "What the algorithm's inspections find",
        ).render(lang),
        subtitle=Msg(
            "Audit par échantillon aléatoire de référence.", "Random-baseline audit."
        ).render(lang),
        models=[model_box(m, lang) for m in models],
        summary=None,
        population=population,
        sections=[section],
        definitions=metric_definitions(lang, min_cell=audit.min_cell, selection=True),
        limitations=limitations(lang)[2:],
        repro=Reproducibility(
            command=command or current_command(),
            files=file_checksums([data] if data is not None else []),
        ),
        intro=section.paragraphs[:1],
    )
