"""``lanterne models``: list the catalog, show one model, check spec files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lanterne.catalog import model_ids, model_path
from lanterne.cli.app import LangOption, app, console, h
from lanterne.cli.options import check_outputs
from lanterne.defaults import MAX_SHAPE_ROWS
from lanterne.errors import LanterneError, SpecError
from lanterne.i18n import format_percent, get_lang, pick, tr

if TYPE_CHECKING:
    from lanterne.model import Model
    from lanterne.model.trees import Trees
    from lanterne.spec.schema import ModelSpec


models_app = typer.Typer(
    help=h(
        "Les modèles du catalogue : liste, détail, vérification d'un fichier.",
        "Catalog models: list, details, checking a spec file.",
    ),
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(models_app, name="models")


def _status_cell(status: str) -> str:
    from lanterne.provenance import STATUS_STYLES, status_label

    return f"[{STATUS_STYLES[status]}]{status_label(status)}[/]"


def _years(spec: ModelSpec) -> str:
    start, end = spec.years
    return f"{start}–{end}" if end else tr("depuis {y}", "since {y}", y=start)


@models_app.callback()
def list_models(ctx: typer.Context, lang: LangOption = None) -> None:
    """List the models of the catalog (id, agency, years, variables, status of numbers)."""
    if ctx.invoked_subcommand is not None:
        return
    from lanterne.model import load_model
    from lanterne.provenance import status_label

    table = Table(title=tr("Modèles du catalogue", "Catalog models"))
    ids = model_ids()
    table.add_column("id", style="bold", no_wrap=True, min_width=max(map(len, ids), default=2))
    table.add_column(tr("Nom", "Name"))
    table.add_column(tr("Années", "Years"))
    table.add_column(tr("Type", "Kind"))
    table.add_column(tr("Variables", "Variables"), justify="right")
    table.add_column(tr("Statut des nombres", "Status of numbers"))
    for model_id in ids:
        model = load_model(model_id)
        spec = model.spec
        counts = spec.status_counts()
        detail = ", ".join(f"{n} {status_label(s)}" for s, n in counts.items() if n)
        table.add_row(
            spec.id,
            pick(spec.name),
            _years(spec),
            spec.model.kind,
            str(len(model.used_variables)),
            f"{_status_cell(spec.overall_status())} ({detail})",
        )
    console.print(table)
    console.print(
        tr(
            "Détail d'un modèle : lanterne models show ID",
            "Details of a model: lanterne models show ID",
        )
    )


@models_app.command(
    "show",
    help=h(
        "Afficher les variables, caractéristiques, poids d'un modèle et leur provenance.",
        "Show a model's variables, derived features, weights and their provenance.",
    ),
)
def show(
    model: Annotated[
        str, typer.Argument(help=h("Identifiant ou fichier YAML.", "Id or YAML file."))
    ],
    bins: Annotated[
        int,
        typer.Option(
            "--bins",
            min=0,
            help=h(
                "Modèles additifs : lignes au plus par fonction de forme (0 : toutes les classes).",
                "Additive models: at most this many rows per shape function (0: every bin).",
            ),
        ),
    ] = MAX_SHAPE_ROWS,
    lang: LangOption = None,
) -> None:
    """Show a model's variables, derived features, weights and their provenance."""
    from lanterne.explain.shapes import shape_views
    from lanterne.model import load_model
    from lanterne.provenance import STATUS_STYLES, source_citation, status_explanation

    loaded = load_model(model)
    spec = loaded.spec
    lang_now = get_lang()
    console.print(f"[bold]{pick(spec.name)}[/bold]  ({spec.id})")
    console.print(f"{spec.agency} — {spec.country} — {_years(spec)}")
    console.print(pick(spec.description), soft_wrap=True)
    overall = spec.overall_status()
    console.print(
        tr("Statut des nombres : ", "Status of numbers: ")
        + _status_cell(overall)
        + f" — {status_explanation(overall)}"
    )
    if spec.status_note:
        console.print(f"[{STATUS_STYLES[overall]}]{pick(spec.status_note)}[/]")

    used = set(loaded.used_variables)
    variables = Table(title=tr("Variables", "Variables"), show_lines=False)
    for col in ("name", "type", "values", "used", "description"):
        variables.add_column(
            {
                "name": tr("Nom", "Name"),
                "type": tr("Type", "Type"),
                "values": tr("Valeurs", "Values"),
                "used": tr("Lue par le modèle", "Read by the model"),
                "description": tr("Description", "Description"),
            }[col]
        )
    for var in spec.variables:
        if var.categories:
            values = ", ".join(var.categories[:8]) + (" …" if len(var.categories) > 8 else "")
        elif var.range:
            values = f"[{var.range[0]:g}, {var.range[1]:g}]" + (f" {var.unit}" if var.unit else "")
        else:
            values = var.unit or ""
        if var.sensitive:
            usage = tr("[cyan]sensible (audits)[/]", "[cyan]sensitive (audits)[/]")
        else:
            usage = tr("oui", "yes") if var.name in used else tr("non", "no")
        variables.add_row(var.name, var.type, values, usage, pick(var.description))
    console.print(variables)

    if spec.features:
        features = Table(title=tr("Caractéristiques dérivées", "Derived features"))
        features.add_column(tr("Nom", "Name"))
        features.add_column(tr("Expression", "Expression"))
        features.add_column(tr("Statut", "Status"))
        features.add_column(tr("Description", "Description"))
        for feat in spec.features:
            features.add_row(
                feat.name,
                feat.expr,
                _status_cell(spec.status_of(feat)),
                pick(feat.description),
            )
        console.print(features)

    views = shape_views(loaded)
    if views is not None:
        from lanterne.cli.shapes_table import show_shapes

        show_shapes(loaded, views, bins)
    elif isinstance(loaded, _trees_class()):
        _show_trees(loaded)
    else:
        _show_weights(loaded)
    console.print(
        tr("Ciblage : ", "Targeting: ")
        + loaded.targeting.describe().render()
        + (f" — {pick(spec.targeting.description)}" if spec.targeting.description else "")
    )
    console.print(f"[bold]{tr('Sources', 'Sources')}[/bold]")
    for source in spec.sources:
        console.print(f"  [{source.id}] {source_citation(source, lang_now)}", soft_wrap=True)
    _warn_placeholders(spec)


def _show_weights(loaded: Model) -> None:
    """Coefficients (logistic) or points (scorecard), with provenance."""
    from lanterne.spec.schema import LogisticModel, ScorecardModel

    spec = loaded.spec
    lang_now = get_lang()
    weights = Table(
        title=tr("Poids", "Weights")
        if isinstance(spec.model, LogisticModel)
        else tr("Barème", "Points")
    )
    weights.add_column(tr("Terme", "Term"))
    weights.add_column(tr("Appliqué à", "Applies to"))
    dimensions = any(term.dimension for term in loaded.terms)
    if dimensions:
        weights.add_column(tr("Dimension", "Dimension"))
    weights.add_column(tr("Valeur", "Value"), justify="right")
    weights.add_column(tr("Statut", "Status"))
    weights.add_column(tr("Source", "Source"))
    if isinstance(spec.model, LogisticModel):
        intercept = spec.model.intercept
        source = spec.source_of(intercept)
        weights.add_row(
            tr("constante", "intercept"),
            "",
            f"{intercept.value:+g}",
            _status_cell(spec.status_of(intercept)),
            source.id if source else "",
        )
    for term in loaded.terms:
        label = term.label.get(lang_now) if term.label else term.name
        cells = [label, term.expression]
        if dimensions:
            cells.append(term.dimension or "")
        cells += [
            f"{term.weight:+g}",
            _status_cell(term.status),
            term.source.id if term.source else "",
        ]
        weights.add_row(*cells)
    console.print(weights)
    if isinstance(spec.model, ScorecardModel) and spec.model.profiles:
        rules = Table(
            title=tr("Profils (première règle vraie)", "Profiles (first rule that holds)")
        )
        for title in (
            tr("Profil", "Profile"),
            tr("Condition", "Condition"),
            tr("Score", "Score"),
            tr("Statut", "Status"),
            tr("Description", "Description"),
        ):
            rules.add_column(title)
        for rule in spec.model.profiles:
            rules.add_row(
                rule.profile,
                rule.when or tr("sinon", "otherwise"),
                f"{rule.score:g}",
                _status_cell(spec.status_of(rule)),
                pick(rule.label) if rule.label else "",
            )
        console.print(rules)


def _trees_class() -> type[Trees]:
    from lanterne.model.trees import Trees

    return Trees


def _show_trees(loaded: Trees) -> None:
    """A tree ensemble: its size and rules, and the inputs its splits read."""
    from lanterne.spec.schema import TreesModel

    spec = loaded.spec
    assert isinstance(spec.model, TreesModel)
    ensemble = loaded.ensemble
    model = spec.model
    source = spec.source_of(model.ensemble)
    link = {
        "logit": tr("score = logistique de la marge", "score = logistic of the margin"),
        "identity": tr("score = la marge (bornée à [0, 1])", "score = the margin (within [0, 1])"),
        "scale": tr(
            "score = marge ramenée linéairement à [0, 1]", "score = margin scaled to [0, 1]"
        ),
    }[model.link]
    console.print(
        tr(
            "Ensemble de {n} arbres ({k} nœuds) — {link} ; une valeur va à gauche si elle est "
            "{rule} au seuil ({p}) ; marge de départ {b:+g} ; statut {s} ; source {src}.",
            "Ensemble of {n} trees ({k} nodes) — {link}; a value goes left when it is {rule} "
            "the threshold ({p}); starting margin {b:+g}; status {s}; source {src}.",
            n=ensemble.n_trees,
            k=ensemble.n_nodes,
            link=link,
            rule={"<": tr("inférieure", "below"), "<=": tr("inférieure ou égale", "at or below")}[
                model.split_rule
            ],
            p=model.precision,
            b=model.base_score.value,
            s=_status_cell(spec.status_of(model.ensemble)),
            src=source.id if source else "",
        ),
        soft_wrap=True,
    )
    if model.ensemble.note:
        console.print(pick(model.ensemble.note), soft_wrap=True)
    total = max(1, sum(int(t.weight) for t in loaded.terms))
    table = Table(title=tr("Entrées lues par les arbres", "Inputs the trees read"))
    table.add_column(tr("Entrée", "Input"))
    table.add_column(tr("Appliqué à", "Applies to"))
    table.add_column(tr("Séparations", "Splits"), justify="right")
    table.add_column(tr("Part", "Share"), justify="right")
    for term in sorted(loaded.terms, key=lambda t: -t.weight):
        label = pick(term.label) if term.label else term.name
        table.add_row(
            label,
            term.expression,
            f"{int(term.weight)}",
            format_percent(term.weight / total, None, 1),
        )
    console.print(table)


def _warn_placeholders(spec: ModelSpec) -> None:
    """Say how many texts an import left for the user to complete."""
    from lanterne.importers.writer import is_placeholder

    texts = [spec.name.fr, spec.name.en, spec.description.fr, spec.agency]
    texts += [v.description.fr for v in spec.variables]
    texts += [s.title for s in spec.sources]
    left = sum(is_placeholder(t) for t in texts)
    if left:
        console.print(
            "[bold yellow]"
            + tr(
                "{n} textes restent « À COMPLÉTER » (spécification importée).",
                "{n} texts are still 'TO COMPLETE' (imported spec).",
                n=left,
            )
            + "[/]"
        )


@models_app.command(
    "check",
    help=h(
        "Vérifier des fichiers de spécification et signaler chaque problème (ligne, colonne).",
        "Check spec files and report every problem with its line and column.",
    ),
)
def check(
    files: Annotated[
        list[Path],
        typer.Argument(help=h("Fichiers de spécification YAML.", "YAML specification files.")),
    ],
    lang: LangOption = None,
) -> None:
    """Check spec files and report every problem with its line and column."""
    from lanterne.spec.load import load_spec

    failures: list[LanterneError] = []
    for file in files:
        try:
            load_spec(model_path(file))
        except SpecError as exc:
            failures.append(exc)
            continue
        console.print(f"[green]✓[/green] {file}")
    if failures:
        problems = [p for exc in failures for p in exc.problems]
        raise SpecError(problems)


@models_app.command(
    "schema",
    help=h(
        "Écrire le schéma JSON des spécifications, pour qu'un éditeur (VS Code...) complète "
        "et vérifie un fichier pendant la saisie (voir docs/spec.md).",
        "Write the JSON Schema of spec files, so that an editor (VS Code...) completes and "
        "checks a file while you type (see docs/spec.md).",
    ),
)
def schema(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help=h(
                "Fichier à écrire ; « - » (par défaut) : la sortie standard.",
                "File to write; '-' (the default): standard output.",
            ),
        ),
    ] = Path("-"),
    lang: LangOption = None,
) -> None:
    """Write the JSON Schema of spec files (standard output by default)."""
    from lanterne.cli.options import written
    from lanterne.io.std import is_std, write_text_output
    from lanterne.spec.json_schema import spec_json_schema_text

    check_outputs(out)
    write_text_output(out, spec_json_schema_text())
    if not is_std(out):
        written(out, tr("Schéma", "Schema"))
