"""Two versions of a model side by side, as report sections (``lanterne models compare``).

* :func:`shapes_section` — feature by feature, the two shape functions on one step chart
  (additive models only), and the features that changed most;
* :func:`grid_section` — the grid of profiles: how many change side of the threshold, and
  which values characterise them (a construction, said so);
* :func:`performance_section` — the performance each model's authors recorded (precision,
  recall, AUC, the shares of the confusion matrix), read from the specs (``published``);
* :func:`confusion_section` — the agency's disclosed confusion matrices per group, as read
  from the file the user gives (``audit confusion``'s reader), next to the models.

:func:`comparison_report` puts them in one :class:`~lanterne.report.build.Report`.

Example:
    >>> from lanterne.model import load_model
    >>> m = load_model("fr-cnaf-2014")
    >>> shapes_section(m, m, "en") is None     # a logistic model has no shape functions
    True
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from lanterne.audit.confusion import ConfusionAudit
from lanterne.compare.flips import FlipResult, _show
from lanterne.explain.sentences import signed
from lanterne.explain.shapes import ShapeView, paired_shapes, shape_views
from lanterne.i18n import Msg, format_number, format_percent, normalise_lang, pick
from lanterne.model import Model
from lanterne.provenance import status_label
from lanterne.report.blocks import Section, Table
from lanterne.report.build import Report
from lanterne.report.provenance_box import model_box
from lanterne.report.reproducibility import Reproducibility, current_command, file_checksums
from lanterne.report.shape_charts import shape_chart


def _max_change(a: ShapeView | None, b: ShapeView | None) -> float:
    """The largest change of score over the values where both shapes are defined."""
    if a is None or b is None:
        return float("inf")
    probes: list[str] | list[float]
    if a.kind == "categorical" or b.kind == "categorical":
        probes = list({*a.categories, *b.categories})
    else:
        edges = sorted({*a.edges, *b.edges}) or [0.0]
        probes = [edges[0] - 1.0, *edges]
    diffs = [abs(a.locate(p).score - b.locate(p).score) for p in probes]
    if a.missing is not None or b.missing is not None:
        diffs.append(abs((a.missing or 0.0) - (b.missing or 0.0)))
    return max(diffs)


def _term(a: ShapeView | None, b: ShapeView | None) -> str:
    """The term of a pair of shapes (one of them may be missing, not both)."""
    view = a if a is not None else b
    if view is None:
        raise ValueError("a pair of shapes without either")
    return view.term


def _intercept(model: Model) -> float:
    return float(model.base)


def shapes_section(first: Model, second: Model, lang: str) -> Section | None:
    """Each feature's two shape functions on one chart; ``None`` unless both are additive."""
    a, b = shape_views(first), shape_views(second)
    if a is None or b is None:
        return None
    na, nb = first.id, second.id  # short and unambiguous in legends and table heads
    section = Section(
        id="shapes",
        title=Msg(
            "Ce que le réentraînement a changé, variable par variable",
            "What retraining changed, feature by feature",
        ).render(lang),
    )
    section.paragraphs.append(
        Msg(
            "Chaque graphique montre, pour une variable, ce qu'elle ajoute au score (en "
            "log-cote) selon sa valeur, avec « {a} » et avec « {b} ». Constante : {ia} et "
            "{ib}. Tous ces nombres sont lus dans les fichiers des modèles (statut : {s}).",
            "Each chart shows, for one feature, what it adds to the score (in log-odds) "
            "depending on its value, under '{a}' and under '{b}'. Intercept: {ia} and {ib}. "
            "All these numbers are read from the model files (status: {s}).",
            a=first.id,
            b=second.id,
            ia=signed(_intercept(first), lang, 3),
            ib=signed(_intercept(second), lang, 3),
            s=", ".join(sorted({status_label(v.status, lang) for v in (*a, *b)})),
        ).render(lang)
    )
    pairs = paired_shapes(a, b)
    ranked = sorted(pairs, key=lambda p: -_max_change(*p))
    for va, vb in ranked[:5]:
        name = _term(va, vb)
        change = _max_change(va, vb)
        if change == float("inf"):
            text = Msg(
                "{f} : présente dans un seul des deux modèles.",
                "{f}: present in only one of the two models.",
                f=_term_label(first, second, name, lang),
            )
        else:
            text = Msg(
                "{f} : jusqu'à {d} de log-cote d'écart entre les deux versions.",
                "{f}: up to {d} log-odds apart between the two versions.",
                f=_term_label(first, second, name, lang),
                d=format_number(change, lang, 3),
            )
        section.bullets.append(text.render(lang))
    for va, vb in pairs:
        name = _term(va, vb)
        label = _term_label(first, second, name, lang)
        section.charts.append(
            shape_chart(
                f"shape-{name}",
                {na: va, nb: vb},
                title=Msg("Fonction de forme : {f}", "Shape function: {f}", f=label).render(lang),
                alt=Msg(
                    "Contribution de « {f} » au score (log-cote) selon sa valeur, pour chaque "
                    "modèle ; les chiffres sont dans le tableau.",
                    "Contribution of '{f}' to the score (log-odds) by its value, for each "
                    "model; the figures are in the table.",
                    f=label,
                ).render(lang),
                x_label=name,
                lang=lang,
            )
        )
    return section


def _term_label(first: Model, second: Model, name: str, lang: str) -> str:
    for model in (first, second):
        term = next((t for t in model.terms if t.name == name), None)
        if term is not None and term.label is not None:
            return f"{pick(term.label, lang)} ({name})"
    return name


def grid_section(result: FlipResult, lang: str) -> Section:
    """The grid of profiles: who changes side of the threshold."""
    section = Section(
        id="grid",
        title=Msg(
            "Qui change de côté du seuil : une grille de profils",
            "Who changes side of the threshold: a grid of profiles",
        ).render(lang),
    )
    if result.grid.origin is not None:
        origin = result.grid.origin.render(lang)
        section.paragraphs.append(origin[:1].upper() + origin[1:] + ".")
    section.paragraphs.append(
        Msg(
            "Une grille est une construction, pas une population : chaque combinaison compte "
            "une fois, même si elle est rare ou impossible. Elle dit quels profils le "
            "changement de modèle déplace, pas combien de personnes.",
            "A grid is a construction, not a population: each combination counts once, even "
            "a rare or impossible one. It says which profiles the change of model moves, not "
            "how many people.",
        ).render(lang)
    )
    sentences = result.sentences(lang)
    section.paragraphs.append(sentences[0])
    section.bullets += sentences[1:]
    if result.grid.rows is None:
        section.tables.append(
            Table(
                Msg("Valeurs de la grille", "Values of the grid").render(lang),
                (Msg("Variable", "Variable").render(lang), Msg("Valeurs", "Values").render(lang)),
                tuple(
                    (result.label(n, lang) + f" ({n})", ", ".join(_show(v, lang) for v in vs))
                    for n, vs in result.grid.values.items()
                ),
            )
        )
    rows = []
    for vc in result.by_value:
        rows.append(
            (
                f"{result.label(vc.variable, lang)} = {_show(vc.value, lang)}",
                format_number(vc.n, lang, 0),
                format_number(vc.up, lang, 0),
                format_number(vc.down, lang, 0),
                format_percent((vc.up + vc.down) / vc.n if vc.n else 0.0, lang),
            )
        )
    section.tables.append(
        Table(
            Msg("Changements de côté par valeur", "Changes of side by value").render(lang),
            tuple(
                m.render(lang)
                for m in (
                    Msg("Valeur", "Value"),
                    Msg("Profils", "Profiles"),
                    Msg("Deviennent sélectionnés", "Become selected"),
                    Msg("Ne le sont plus", "No longer selected"),
                    Msg("Part qui change", "Share that changes"),
                )
            ),
            tuple(rows),
            caption=Msg(
                "Profils de la grille (construction, pas une population).",
                "Profiles of the grid (a construction, not a population).",
            ).render(lang),
        )
    )
    return section


def _figure(name: str, value: float, lang: str) -> str:
    if name.startswith("count"):
        return format_number(value, lang, 0)
    if name.startswith("share") or name in ("precision", "recall"):
        return format_percent(value, lang, 1)
    return format_number(value, lang, 3)


def performance_section(models: Sequence[Model], lang: str) -> Section | None:
    """The performance each model's authors recorded (from the specs), side by side."""
    keys: list[tuple[str, str]] = []  # (dataset, figure name), in the order first met
    labels: dict[tuple[str, str], str] = {}
    values: dict[tuple[str, str], dict[str, float]] = {}  # per model id
    statuses: dict[tuple[str, str], set[str]] = {}
    for model in models:
        for figure in model.spec.performance:
            key = (figure.dataset, figure.name)
            if key not in values:
                keys.append(key)
                labels[key] = pick(figure.label, lang) if figure.label else figure.name
                values[key], statuses[key] = {}, set()
            values[key][model.id] = figure.value
            statuses[key].add(model.spec.status_of(figure))
    if not keys:
        return None
    section = Section(
        id="performance",
        title=Msg("Performances enregistrées", "Recorded performance").render(lang),
    )
    section.paragraphs.append(
        Msg(
            "Ce que les auteurs des modèles ont eux-mêmes mesuré et enregistré (dans les "
            "fichiers des modèles), sur leurs propres données : Lanterne les recopie, il ne "
            "peut pas les recalculer. Les parts de vrais et faux positifs et négatifs forment "
            "la matrice de confusion de chaque modèle, pour l'ensemble des demandes.",
            "What the models' authors measured and recorded themselves (in the model files), "
            "on their own data: Lanterne copies them and cannot recompute them. The shares of "
            "true and false positives and negatives make up each model's confusion matrix, "
            "over all applications.",
        ).render(lang)
    )
    rows = []
    for key in keys:
        by_model = values[key]
        cells = [
            _figure(key[1], float(by_model[m.id]), lang) if m.id in by_model else "—"
            for m in models
        ]
        recorded = ", ".join(status_label(st, lang) for st in sorted(statuses[key]))
        rows.append((f"{labels[key]} ({key[0]})", *cells, recorded))
    section.tables.append(
        Table(
            Msg("Mesures enregistrées par modèle", "Figures recorded by model").render(lang),
            (
                Msg("Mesure (données)", "Figure (data)").render(lang),
                *(m.id for m in models),
                Msg("Statut", "Status").render(lang),
            ),
            tuple(rows),
        )
    )
    return section


def confusion_section(audit: ConfusionAudit, source: str, lang: str) -> Section:
    """The confusion matrices per group read from ``source``, with their error rates."""
    section = Section(
        id="confusion",
        title=Msg(
            "Matrices de confusion publiées, par groupe",
            "Published confusion matrices, by group",
        ).render(lang),
    )
    section.paragraphs.append(
        Msg(
            "Comptes lus dans le fichier « {f} », tels quels : Lanterne ne peut pas les "
            "vérifier. Ce sont les résultats de l'administration sur ses propres dossiers, "
            "pas un calcul de Lanterne. Les taux en sont déduits (groupes de moins de {m} "
            "dossiers masqués).",
            "Counts read from the file '{f}', as they are: Lanterne cannot check them. They "
            "are the agency's results on its own cases, not something Lanterne computed. The "
            "rates are derived from them (groups under {m} cases hidden).",
            f=source,
            m=audit.min_cell,
        ).render(lang)
    )
    pct = lambda v: "—" if v is None else format_percent(v, lang)  # noqa: E731
    rows = tuple(
        (
            " / ".join(str(r[g]) for g in audit.group_cols),
            *(format_number(r[c], lang, 0) for c in ("tn", "fp", "fn", "tp")),
            pct(r["fpr"]),
            pct(r["fnr"]),
            pct(r["ppv"]),
            pct(r["predicted_positive_rate"]),
        )
        for r in audit.rows
    )
    section.tables.append(
        Table(
            Msg("Comptes et taux d'erreur", "Counts and error rates").render(lang),
            (
                " / ".join(audit.group_cols) or Msg("Groupe", "Group").render(lang),
                "TN",
                "FP",
                "FN",
                "TP",
                Msg("Taux de faux positifs", "False positive rate").render(lang),
                Msg("Taux de faux négatifs", "False negative rate").render(lang),
                Msg("Précision", "Precision").render(lang),
                Msg("Part signalée", "Share flagged").render(lang),
            ),
            rows,
        )
    )
    return section


def side_by_side_sections(
    models: Sequence[Model],
    confusion: ConfusionAudit | None,
    confusion_file: str | os.PathLike[str] | None,
    lang: str,
) -> list[Section]:
    """What ``report --compare`` adds: the first two additive models' shapes side by side,
    and the published confusion matrices when given."""
    out: list[Section] = []
    if len(models) >= 2:
        shapes = shapes_section(models[0], models[1], lang)
        if shapes is not None:
            out.append(shapes)
    performance = performance_section(models, lang)
    if performance is not None:
        out.append(performance)
    if confusion is not None:
        out.append(confusion_section(confusion, Path(confusion_file or "").name, lang))
    return out


def comparison_report(
    first: Model,
    second: Model,
    result: FlipResult | None,
    *,
    lang: str = "fr",
    confusion: tuple[ConfusionAudit, str] | None = None,
    command: str | None = None,
    files: Sequence[str | os.PathLike[str]] = (),
) -> Report:
    """The side-by-side report of two versions of a model."""
    lang = normalise_lang(lang)
    sections = [
        s
        for s in (shapes_section(first, second, lang), performance_section([first, second], lang))
        if s is not None
    ]
    if result is not None:
        sections.append(grid_section(result, lang))
    if confusion is not None:
        sections.append(confusion_section(*confusion, lang))
    paths = [m.checked.file for m in (first, second) if Path(m.checked.file).is_file()]
    return Report(
        lang=lang,
        title=Msg(
            "Deux versions côte à côte : {a} ; {b}",
            "Two versions side by side: {a}; {b}",
            a=pick(first.spec.name, lang),
            b=pick(second.spec.name, lang),
        ).render(lang),
        subtitle=Msg(
            "Fonctions de forme, grille de profils et matrices de confusion publiées.",
            "Shape functions, a grid of profiles and published confusion matrices.",
        ).render(lang),
        models=[model_box(m, lang) for m in (first, second)],
        summary=None,
        population=None,
        sections=sections,
        definitions=[],
        limitations=[
            Msg(
                "La grille de profils est une construction : elle ne dit rien du nombre de "
                "personnes concernées, la répartition des demandeurs n'étant pas publique.",
                "The grid of profiles is a construction: it says nothing about how many "
                "people are concerned, since the distribution of applicants is not public.",
            ).render(lang)
        ],
        repro=Reproducibility(
            command=command or current_command(), files=file_checksums([*paths, *files])
        ),
    )
