"""Write an imported tree ensemble as a Lanterne spec and its trees file.

The spec is complete and valid, but the texts only the user can write are placeholders
marked ``À COMPLÉTER / TO COMPLETE``: what each variable measures, who used the model,
the document it comes from. ``lanterne models show`` lists the placeholders left.

Two files are written, each atomically: ``NAME.trees.json`` (the trees, with its SHA-256
recorded in the spec) and then ``NAME.yaml`` (the spec). The spec is checked before it
is written; if it does not load, nothing is left behind.

Example:
    >>> safe_names(["âge", "score", "2nd", "a b", "a_b"])
    ['age', 'score_input', 'x_2nd', 'a_b', 'a_b_2']
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lanterne.errors import LanterneError, Problem, SpecError, UsageError
from lanterne.i18n import Msg
from lanterne.importers.common import ImportedModel
from lanterne.io.atomic import write_text_atomic
from lanterne.provenance import SLUG
from lanterne.spec.load import check_spec_text
from lanterne.spec.schema import IDENTIFIER, RESERVED_NAMES
from lanterne.spec.trees import file_sha256, trees_file_text

#: The mark of every text the user must complete after an import.
PLACEHOLDER_FR = "À COMPLÉTER"
PLACEHOLDER_EN = "TO COMPLETE"


def is_placeholder(text: str) -> bool:
    """True for a text an import left for the user to write.

    >>> is_placeholder("À COMPLÉTER : que mesure x ?")
    True
    """
    return PLACEHOLDER_FR in text or PLACEHOLDER_EN in text


@dataclass
class ImportOptions:
    """What the user may say about the model on the command line."""

    model_id: str
    status: str = "illustrative"
    agency: str | None = None
    country: str = "ZZ"  # ISO 3166 "user-assigned" code: unknown country
    top_share: float | None = 0.05
    threshold: float | None = None
    sample: pl.DataFrame | None = None  # a data sample to infer variable types from


@dataclass
class ImportResult:
    spec_path: Path
    trees_path: Path
    renamed: dict[str, str] = field(default_factory=dict)  # original → column name
    types: dict[str, str] = field(default_factory=dict)  # column name → type
    used: list[str] = field(default_factory=list)  # column names the trees read


def safe_names(names: Sequence[str]) -> list[str]:
    """Column names a spec accepts: ASCII letters, digits and ``_``, starting with a letter."""
    out: list[str] = []
    taken: set[str] = set()
    for original in names:
        ascii_name = unicodedata.normalize("NFKD", original).encode("ascii", "ignore").decode()
        name = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_name).strip("_") or "x"
        if not re.match(IDENTIFIER, name):
            name = f"x_{name}"
        if name in RESERVED_NAMES:
            name = f"{name}_input"
        base, k = name, 2
        while name in taken:
            name = f"{base}_{k}"
            k += 1
        taken.add(name)
        out.append(name)
    return out


def infer_type(column: pl.Series) -> str:
    """``bool``, ``int`` or ``float`` for a sample column of numbers (or booleans).

    >>> [infer_type(pl.Series(v)) for v in ([0, 1, 1], [0, 3], [0.5])]
    ['bool', 'int', 'float']
    """
    values = column.drop_nulls()
    if column.dtype == pl.Boolean:
        return "bool"
    if column.dtype == pl.String:
        values = values.str.replace(",", ".").cast(pl.Float64, strict=False).drop_nulls()
    if not values.dtype.is_numeric() or values.len() == 0:
        return "float"
    numbers = values.cast(pl.Float64)
    if bool(numbers.is_in([0.0, 1.0]).all()):
        return "bool"
    if bool((numbers == numbers.round(0)).all()):
        return "int"
    return "float"


def yaml_quote(text: str) -> str:
    """A YAML scalar: JSON strings are valid double-quoted YAML.

    >>> print(yaml_quote("âge : 3"))
    "âge : 3"
    """
    return json.dumps(text, ensure_ascii=False)


def yaml_text(fr: str, en: str) -> str:
    """A bilingual YAML text on one line.

    >>> yaml_text("oui", "yes")
    '{fr: "oui", en: "yes"}'
    """
    return "{fr: " + yaml_quote(fr) + ", en: " + yaml_quote(en) + "}"


_q = yaml_quote
_text = yaml_text


def placeholder_header(
    options: ImportOptions,
    source_file: str,
    *,
    written_by: tuple[str, str],
    description: tuple[str, str],
    status_note: tuple[str, str],
    source_note: tuple[str, str],
) -> list[str]:
    """The first lines of an imported spec, up to its ``imported-model`` source.

    Each pair is the (French, English) text the importer knows; the texts only the user
    can write are left as placeholders.

    >>> head = placeholder_header(
    ...     ImportOptions(model_id="m"), "m.json", written_by=("« x »", "'x'"),
    ...     description=("d", "d"), status_note=("s", "s"), source_note=("n", "n"))
    >>> head[0], head[5], head[-1]
    ('# Spécification écrite par « x ».', 'id: m', '    note: {fr: "n", en: "n"}')
    """
    today = datetime.date.today()
    return [
        f"# Spécification écrite par {written_by[0]}.",
        f"# Specification written by {written_by[1]}.",
        f"# Complétez les textes « {PLACEHOLDER_FR} » / complete the '{PLACEHOLDER_EN}' texts,",
        "# puis vérifiez / then check: lanterne models check THIS_FILE.yaml",
        "lanterne_spec: 1",
        f"id: {options.model_id}",
        "name: "
        + _text(
            f"{PLACEHOLDER_FR} : nom du système (modèle importé de {source_file})",
            f"{PLACEHOLDER_EN}: name of the system (model imported from {source_file})",
        ),
        "agency: " + _q(options.agency or f"{PLACEHOLDER_FR} / {PLACEHOLDER_EN}"),
        f"country: {options.country}",
        f"years: [{today.year}, null]",
        "description: " + _text(*description),
        f"status: {options.status}",
        "status_note: " + _text(*status_note),
        "sources:",
        "  - id: imported-model",
        "    title: " + _q(f"{PLACEHOLDER_FR} / {PLACEHOLDER_EN} — {source_file}"),
        "    document: " + _q(source_file),
        "    note: " + _text(*source_note),
    ]


def placeholder_targeting(options: ImportOptions) -> list[str]:
    """The ``targeting`` block of an imported spec: the user's rule, its text to write."""
    rule = (
        f"  threshold: {options.threshold!r}"
        if options.threshold is not None
        else f"  top_share: {options.top_share!r}"
    )
    return [
        "targeting:",
        rule,
        "  description: "
        + _text(
            f"{PLACEHOLDER_FR} : qui l'administration sélectionne réellement.",
            f"{PLACEHOLDER_EN}: whom the agency actually selects.",
        ),
        "  status: illustrative",
    ]


def check_spec_output(spec_path: Path) -> None:
    """Refuse an output file that is not a YAML spec."""
    if spec_path.suffix.lower() not in (".yaml", ".yml"):
        raise UsageError(
            Msg(
                "le fichier de sortie est une spécification YAML (.yaml) : {p}",
                "the output file is a YAML spec (.yaml): {p}",
                p=str(spec_path),
            )
        )


def check_model_id(model_id: str) -> None:
    """Refuse a model id that is not a slug."""
    if not re.match(SLUG, model_id):
        raise UsageError(
            Msg(
                "identifiant « {i} » invalide : lettres minuscules, chiffres et tirets",
                "invalid id '{i}': lowercase letters, digits and dashes",
                i=model_id,
            )
        )


def exists_error(path: Path) -> UsageError:
    """The error for an output file already there without ``--force``."""
    return UsageError(
        Problem(
            Msg(
                "le fichier existe déjà ; il n'est remplacé que si on le demande",
                "the file already exists; it is replaced only when asked to",
            ),
            file=str(path),
            params=("force",),
        )
    )


def spec_text(
    model: ImportedModel,
    options: ImportOptions,
    trees_file: str,
    sha256: str,
    columns: list[str],
    types: dict[str, str],
) -> str:
    """The YAML text of the spec (the trees themselves are in ``trees_file``)."""
    today = datetime.date.today()
    used = set(model.used_features())
    lib = model.library + (f" {model.library_version}" if model.library_version else "")
    lines = placeholder_header(
        options,
        model.source_file,
        written_by=(
            f"« lanterne import » à partir d'un modèle {model.library}",
            f"'lanterne import' from a {model.library} model",
        ),
        description=(
            f"{PLACEHOLDER_FR} : qui note qui, pourquoi, avec quelles conséquences. "
            f"Ensemble d'arbres importé ({model.kind_note}).",
            f"{PLACEHOLDER_EN}: who scores whom, why, with what consequences. Imported "
            f"tree ensemble ({model.kind_note}).",
        ),
        status_note=(
            f"{PLACEHOLDER_FR} : d'où vient ce modèle et ce qu'on peut en conclure "
            "(statut illustratif tant que ce n'est pas établi).",
            f"{PLACEHOLDER_EN}: where this model comes from and what can be concluded from "
            "it (illustrative status until that is established).",
        ),
        source_note=(
            f"Fichier {lib} importé le {today.isoformat()}. {PLACEHOLDER_FR} : qui l'a "
            "publié ou transmis, quand, et où le trouver (url ou référence).",
            f"{lib} file imported on {today.isoformat()}. {PLACEHOLDER_EN}: who published "
            "or handed it over, when, and where to find it (url or reference).",
        ),
    )
    lines += [
        "variables:",
    ]
    for original, column in zip(model.feature_names, columns, strict=True):
        kind = types[column]
        lines.append(f"  - name: {column}")
        lines.append(f"    type: {kind}")
        renamed = "" if column == original else f" (colonne d'origine « {original} »)"
        renamed_en = "" if column == original else f" (original column '{original}')"
        unused = "" if original in used else " Aucun arbre ne la lit."
        unused_en = "" if original in used else " No tree reads it."
        lines.append(
            "    description: "
            + _text(
                f"{PLACEHOLDER_FR} : que mesure « {column} » ?{renamed}{unused}",
                f"{PLACEHOLDER_EN}: what does '{column}' measure?{renamed_en}{unused_en}",
            )
        )
    lines += [
        "model:",
        "  kind: trees",
        "  source: imported-model",
        f"  link: {model.link}",
        f'  split_rule: "{model.split_rule}"',
        f"  precision: {model.precision}",
        f"  base_score: {{value: {model.base_score!r}}}",
        "  ensemble:",
        f"    file: {_q(trees_file)}",
        f"    sha256: {sha256}",
        "    note: "
        + _text(
            f"{model.n_trees} arbres importés de {model.source_file} ({lib}).",
            f"{model.n_trees} trees imported from {model.source_file} ({lib}).",
        ),
    ]
    lines += placeholder_targeting(options)
    return "\n".join(lines) + "\n"


def write_import(
    model: ImportedModel, spec_path: str | Path, options: ImportOptions, *, force: bool = False
) -> ImportResult:
    """Write ``spec_path`` and its trees file next to it; check the spec loads first."""
    spec_path = Path(spec_path)
    check_spec_output(spec_path)
    check_model_id(options.model_id)
    trees_path = spec_path.with_name(spec_path.stem + ".trees.json")
    existing = [p for p in (spec_path, trees_path) if p.exists()]
    if existing and not force:
        raise exists_error(existing[0])
    columns = safe_names(model.feature_names)
    rename = dict(zip(model.feature_names, columns, strict=True))
    types: dict[str, str] = {}
    for original, column in rename.items():
        if options.sample is not None and original in options.sample.columns:
            types[column] = infer_type(options.sample[original])
        elif options.sample is not None and column in options.sample.columns:
            types[column] = infer_type(options.sample[column])
        else:
            types[column] = model.feature_types.get(original, "float")
    trees = [
        {**tree, "feature": [rename[n] if n is not None else None for n in tree["feature"]]}
        for tree in model.trees
    ]
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    previous = trees_path.read_bytes() if trees_path.exists() else None
    write_text_atomic(trees_path, trees_file_text(trees))
    text = spec_text(model, options, trees_path.name, file_sha256(trees_path), columns, types)
    try:
        check_spec_text(text, str(spec_path))
    except LanterneError as exc:
        if previous is None:
            trees_path.unlink(missing_ok=True)
        else:
            trees_path.write_bytes(previous)
        raise SpecError(exc.problems) from None
    write_text_atomic(spec_path, text)
    return ImportResult(
        spec_path=spec_path,
        trees_path=trees_path,
        renamed={o: c for o, c in rename.items() if o != c},
        types=types,
        used=[rename[n] for n in model.used_features()],
    )
