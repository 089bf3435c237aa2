"""``lanterne import``: turn an XGBoost, LightGBM or scikit-learn model into a Lanterne spec."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lanterne.cli.app import LangOption, app, console, err_console, h
from lanterne.errors import UsageError
from lanterne.i18n import Msg, tr
from lanterne.io.atomic import check_folder

if TYPE_CHECKING:
    from lanterne.importers import ImportedModel


import_app = typer.Typer(
    help=h(
        "Importer un modèle d'arbres (XGBoost, LightGBM, scikit-learn) ou une EBM comme "
        "spécification Lanterne.",
        "Import a tree model (XGBoost, LightGBM, scikit-learn) or an EBM as a Lanterne spec.",
    ),
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help=h(
            "Spécification à écrire (.yaml) ; les arbres vont dans NOM.trees.json à côté. "
            "Par défaut : à côté du modèle.",
            "Spec to write (.yaml); the trees go to NAME.trees.json next to it. "
            "Default: next to the model.",
        ),
    ),
]
IdOption = Annotated[
    str | None,
    typer.Option("--id", help=h("Identifiant du modèle.", "Model id.")),
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help=h(
            "Échantillon de données (CSV ou Parquet) pour deviner le type de chaque variable.",
            "Data sample (CSV or Parquet) to infer each variable's type from.",
        ),
    ),
]
StatusOption = Annotated[
    str,
    typer.Option(
        "--status",
        help=h(
            "Statut des nombres : published, reconstructed ou illustrative.",
            "Status of the numbers: published, reconstructed or illustrative.",
        ),
    ),
]
AgencyOption = Annotated[str | None, typer.Option("--agency", help=h("Administration.", "Agency."))]
CountryOption = Annotated[
    str,
    typer.Option(
        "--country", help=h("Pays (code ISO à 2 lettres).", "Country (ISO 2-letter code).")
    ),
]
TopShareOption = Annotated[
    float,
    typer.Option(
        "--top-share",
        min=0.0,
        max=1.0,
        help=h("Part ciblée par défaut (0,05 = 5 %).", "Default targeted share (0.05 = 5%)."),
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option("--force", help=h("Remplacer des fichiers existants.", "Replace existing files.")),
]


def _check_status(status: str) -> None:
    from lanterne.provenance import STATUSES

    if status not in STATUSES:
        raise UsageError(
            Msg(
                "statut « {s} » inconnu : published, reconstructed ou illustrative",
                "unknown status '{s}': published, reconstructed or illustrative",
                s=status,
            )
        )


def _default_id(model_file: Path) -> str:
    """The model id when the user gives none: the file name as a slug."""
    return re.sub(r"[^a-z0-9]+", "-", model_file.stem.lower()).strip("-") or "imported"


def _finish(
    imported: ImportedModel,
    model_file: Path,
    output: Path | None,
    model_id: str | None,
    data: Path | None,
    status: str,
    agency: str | None,
    country: str,
    top_share: float,
    force: bool,
) -> None:
    from lanterne.importers import ImportOptions, check_import, write_import
    from lanterne.importers.check import TOLERANCE
    from lanterne.io.tables import read_table
    from lanterne.model import load_model

    _check_status(status)
    if not re.match(r"^[A-Z]{2}$", country):
        raise UsageError(
            Msg("pays : deux lettres majuscules (FR, NL...)", "country: two capital letters")
        )
    spec_path = output or model_file.with_suffix(".yaml")
    slug = _default_id(model_file)
    options = ImportOptions(
        model_id=model_id or slug,
        status=status,
        agency=agency,
        country=country,
        top_share=top_share,
        sample=read_table(data) if data is not None else None,
    )
    result = write_import(imported, spec_path, options, force=force)
    console.print(
        tr(
            "{n} arbres importés de {f} ({k}) ; lien : {l} ; {u} variables lues par les "
            "arbres sur {t}.",
            "{n} trees imported from {f} ({k}); link: {l}; the trees read {u} of {t} variables.",
            n=imported.n_trees,
            f=model_file.name,
            k=imported.kind_note,
            l=imported.link,
            u=len(result.used),
            t=len(imported.feature_names),
        )
    )
    for original, column in result.renamed.items():
        console.print(
            tr(
                "  colonne « {o} » renommée « {c} » (nom accepté par Lanterne)",
                "  column '{o}' renamed '{c}' (a name Lanterne accepts)",
                o=original,
                c=column,
            )
        )
    for note in imported.notes:
        console.print(f"  [yellow]![/yellow] {note.render()}")
    check = check_import(imported, load_model(result.spec_path), result.renamed)
    if check is None:
        console.print(
            tr(
                "Vérification sautée : la bibliothèque {lib} n'est pas installée.",
                "Check skipped: the {lib} library is not installed.",
                lib=imported.library,
            )
        )
    else:
        style = "green" if check.ok else "red"
        console.print(
            f"[{style}]"
            + tr(
                "Vérification sur {n} entrées aléatoires : écart maximal de score {s:.1e} "
                "avec {lib} (tolérance {t:.0e}), de marge {m:.1e}.",
                "Check on {n} random inputs: largest score difference {s:.1e} from {lib} "
                "(tolerance {t:.0e}), margin {m:.1e}.",
                n=check.rows,
                s=check.max_score_difference,
                lib=imported.library,
                t=TOLERANCE,
                m=check.max_margin_difference,
            )
            + "[/]"
        )
    console.print(
        tr(
            "Écrit : {s} et {t}.\nÀ faire : complétez les textes « À COMPLÉTER » (sources, "
            "descriptions des variables), puis : lanterne models check {s}",
            "Written: {s} and {t}.\nNext: complete the 'TO COMPLETE' texts (sources, "
            "variable descriptions), then: lanterne models check {s}",
            s=str(result.spec_path),
            t=str(result.trees_path),
        )
    )
    if check is not None and not check.ok:
        raise UsageError(
            Msg(
                "les scores importés diffèrent de ceux de la bibliothèque d'origine",
                "the imported scores differ from the original library's",
            )
        )


ModelFile = Annotated[Path, typer.Argument(help=h("Fichier du modèle.", "Model file."))]


def _tree_importer(reader: str, what: str) -> Callable[..., None]:
    """The command importing a tree model read by ``lanterne.importers.<reader>``."""

    def command(
        model_file: ModelFile,
        output: OutputOption = None,
        model_id: IdOption = None,
        data: DataOption = None,
        status: StatusOption = "illustrative",
        agency: AgencyOption = None,
        country: CountryOption = "ZZ",
        top_share: TopShareOption = 0.05,
        force: ForceOption = False,
        lang: LangOption = None,
    ) -> None:
        import lanterne.importers

        check_folder((output or model_file).parent)
        imported = getattr(lanterne.importers, reader)(model_file)
        _finish(
            imported, model_file, output, model_id, data, status, agency, country, top_share, force
        )

    command.__name__ = f"import_{what}"
    command.__doc__ = f"Import a {what} model."
    return command


import_xgboost = import_app.command(
    "xgboost",
    help=h(
        "Importer un modèle XGBoost enregistré en JSON (booster.save_model('m.json')).",
        "Import an XGBoost model saved as JSON (booster.save_model('m.json')).",
    ),
)(_tree_importer("read_xgboost_json", "xgboost"))
import_lightgbm = import_app.command(
    "lightgbm",
    help=h(
        "Importer un modèle LightGBM enregistré en texte (booster.save_model('m.txt')).",
        "Import a LightGBM model saved as text (booster.save_model('m.txt')).",
    ),
)(_tree_importer("read_lightgbm_text", "lightgbm"))


@import_app.command(
    "sklearn",
    help=h(
        "Importer un GradientBoostingClassifier ou RandomForestClassifier de scikit-learn "
        "(fichier pickle ou joblib : exige --trust-pickle, car charger un pickle exécute "
        "du code).",
        "Import a scikit-learn GradientBoostingClassifier or RandomForestClassifier "
        "(pickle or joblib file: needs --trust-pickle, as loading a pickle runs code).",
    ),
)
def import_sklearn(
    model_file: ModelFile,
    trust_pickle: Annotated[
        bool,
        typer.Option(
            "--trust-pickle",
            help=h(
                "Accepter de charger ce pickle : il peut exécuter n'importe quel code. "
                "Seulement pour un fichier de provenance connue et sûre.",
                "Agree to load this pickle: it can run any code. Only for a file whose "
                "origin you know and trust.",
            ),
        ),
    ] = False,
    feature_names: Annotated[
        str | None,
        typer.Option(
            "--feature-names",
            help=h(
                "Noms des colonnes, séparés par des virgules (si le modèle ne les connaît pas).",
                "Column names, comma-separated (when the model does not know them).",
            ),
        ),
    ] = None,
    output: OutputOption = None,
    model_id: IdOption = None,
    data: DataOption = None,
    status: StatusOption = "illustrative",
    agency: AgencyOption = None,
    country: CountryOption = "ZZ",
    top_share: TopShareOption = 0.05,
    force: ForceOption = False,
    lang: LangOption = None,
) -> None:
    """Import a pickled scikit-learn ensemble (only with --trust-pickle)."""
    from lanterne.importers import read_sklearn_pickle
    from lanterne.importers.sklearn_models import PICKLE_WARNING

    check_folder((output or model_file).parent)
    if trust_pickle:
        err_console.print(f"[bold yellow]{PICKLE_WARNING.render()}[/]")
    names = [n.strip() for n in feature_names.split(",")] if feature_names else None
    imported = read_sklearn_pickle(model_file, trust_pickle=trust_pickle, feature_names=names)
    _finish(imported, model_file, output, model_id, data, status, agency, country, top_share, force)


@import_app.command(
    "ebm",
    help=h(
        "Importer une « Explainable Boosting Machine » (InterpretML) comme modèle additif : "
        "fichier pickle/joblib d'InterpretML 0.2 (lu sans rien exécuter, par un lecteur "
        "restreint : --trust-pickle n'est pas nécessaire) ou export JSON d'une version "
        "récente (ebm.to_json('m.json')).",
        "Import an Explainable Boosting Machine (InterpretML) as an additive model: a "
        "pickle/joblib file of InterpretML 0.2 (read without running anything, by a "
        "restricted reader: --trust-pickle is not needed) or the JSON export of a current "
        "version (ebm.to_json('m.json')).",
    ),
)
def import_ebm(
    model_file: ModelFile,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=h(
                "Spécification à écrire (.yaml). Par défaut : à côté du modèle.",
                "Spec to write (.yaml). Default: next to the model.",
            ),
        ),
    ] = None,
    model_id: IdOption = None,
    status: StatusOption = "illustrative",
    agency: AgencyOption = None,
    country: CountryOption = "ZZ",
    top_share: TopShareOption = 0.05,
    force: ForceOption = False,
    lang: LangOption = None,
) -> None:
    """Import an EBM (restricted pickle reader or JSON export) as an additive spec."""
    from lanterne.importers import ImportOptions
    from lanterne.importers.additive_writer import write_additive_import
    from lanterne.importers.amsterdam import KNOWN_FILES
    from lanterne.importers.ebm import read_ebm
    from lanterne.model import load_model
    from lanterne.spec.trees import file_sha256

    _check_status(status)
    imported = read_ebm(model_file)
    sha = file_sha256(model_file)
    known = KNOWN_FILES.get(sha)
    slug = _default_id(model_file)
    options = ImportOptions(
        model_id=known.model_id if known else (model_id or slug),
        status=status,
        agency=agency,
        country=country,
        top_share=top_share,
    )
    spec_path = write_additive_import(
        imported, output or model_file.with_suffix(".yaml"), options, sha, force=force
    )
    model = load_model(spec_path)
    console.print(
        tr(
            "{n} formes importées de {f} ({lib}) ; {p} étape(s) de pré-traitement ; "
            "constante {c:.6g}.",
            "{n} shapes imported from {f} ({lib}); {p} pre-processing step(s); intercept {c:.6g}.",
            n=len(imported.shapes),
            f=model_file.name,
            lib=imported.library,
            p=len(imported.preprocess),
            c=model.base,
        )
    )
    if known is not None:
        console.print(
            tr(
                "Fichier reconnu : modèle publié par la ville d'Amsterdam ({i}) ; source, "
                "statut « published » et textes des variables écrits.",
                "Known file: a model published by the City of Amsterdam ({i}); source, "
                "status 'published' and variable texts written.",
                i=known.model_id,
            )
        )
        console.print(tr("Écrit : {s}", "Written: {s}", s=str(spec_path)))
    else:
        console.print(
            tr(
                "Écrit : {s}.\nÀ faire : complétez les textes « À COMPLÉTER », puis : "
                "lanterne models check {s}",
                "Written: {s}.\nNext: complete the 'TO COMPLETE' texts, then: "
                "lanterne models check {s}",
                s=str(spec_path),
            )
        )
