"""One household, as a person describes it: a file, ``--set`` options or an archetype.

A household file is YAML or JSON, ``variable: value`` per line, plus an optional
``person:`` block used only by letters::

    # my-household.yaml
    family_type: single_parent
    n_children: 2
    income_monthly: 850,50          # a decimal comma is fine
    receives_rsa: oui
    person:
      name: Camille Martin
      address: "12 rue des Lilas, 59000 Lille"
      file_number: "1234567"        # numéro d'allocataire
      email: camille@example.org

A one-row CSV file (``person_name``, ``person_address``... for the person block) works
too. Values are read according to the model's declared types; ``--set VAR=VALUE`` options
override the file, which overrides the archetype the household may start from
(``--archetype single-mother-rsa/part-time-work``). Every problem is reported at once
with where it was written (file, line, column, or the ``--set`` option): an unknown
variable (with a suggestion), a value that does not fit its type or range, variables the
model needs but nobody gave. A variable that another model of the catalog declares is
ignored (one household file can serve several models) and listed as such. The assembled
row then goes through ``model.prepare`` so that scoring sees exactly what a table of
households would give it.

Example:
    >>> from lanterne.model import load_model
    >>> model = load_model("fr-cnaf-2014")
    >>> house = build_household(model, archetype="single-mother-rsa",
    ...                         sets=["income_monthly=450,5"])
    >>> house.values["income_monthly"], house.values["receives_rsa"]
    (450.5, True)
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from lanterne.catalog import catalog_dir, catalog_files, read_text
from lanterne.errors import DataError, LanterneError, Problem
from lanterne.i18n import Msg, Num, pick
from lanterne.io.tables import read_table
from lanterne.model import Model
from lanterne.model.data import _FALSE, _TRUE, prepare_table
from lanterne.population.archetypes import load_archetypes
from lanterne.provenance import Text
from lanterne.spec.load import load_spec
from lanterne.spec.schema import Variable
from lanterne.spec.yamlpos import YamlDocument, load_yaml_with_positions

DEFAULT_ARCHETYPES = "fr-households"


def archetype_set_for(model_id: str) -> str:
    """The catalog archetype set made for a model: the longest set id its id starts with
    (``nl-amsterdam`` for ``nl-amsterdam-slimme-check-2022-prepilot``), else the French set.

    >>> archetype_set_for("nl-rotterdam-2017"), archetype_set_for("fr-cnaf-2014")
    ('nl-rotterdam', 'fr-households')
    >>> archetype_set_for("pl-profiling-2014")
    'pl-unemployed'
    """
    sets = catalog_files("archetypes")
    found = [i for i in sets if model_id.startswith(i + "-")]
    if not found:  # a set of the same country (``pl-unemployed`` for ``pl-profiling-2014``)
        country = model_id.split("-", 1)[0] + "-"
        found = [i for i in sets if i.startswith(country)]
    return max(found, key=len) if found else DEFAULT_ARCHETYPES


#: Person fields and the other names a file may use for them (French first).
PERSON_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("nom",),
    "address": ("adresse",),
    "file_number": ("numero_allocataire", "numéro_allocataire", "allocataire"),
    "email": ("courriel", "mail"),
    "phone": ("telephone", "téléphone"),
    "city": ("ville",),
}
#: Columns of a CSV household that identify the row rather than describe the household.
ID_COLUMNS = ("household_id", "id")


@dataclass(frozen=True)
class Person:
    """The person's own details, used only to fill letters. Missing fields stay ``None``."""

    name: str | None = None
    address: str | None = None
    file_number: str | None = None
    email: str | None = None
    phone: str | None = None
    city: str | None = None

    def merged(self, other: Person | None) -> Person:
        """These details, overridden by the fields ``other`` gives."""
        if other is None:
            return self
        updates = {k: v for k, v in other.__dict__.items() if v not in (None, "")}
        return replace(self, **updates)

    def is_empty(self) -> bool:
        return all(v in (None, "") for v in self.__dict__.values())


@dataclass(frozen=True)
class Household:
    """A validated household: typed values, the one-row prepared table, who it is."""

    values: dict[str, Any]  # declared variables only, in Python types
    frame: pl.DataFrame  # one row, checked and typed by model.prepare
    person: Person = field(default_factory=Person)
    origin: tuple[str, ...] = ()  # where the values came from, for display
    archetype: str | None = None
    label: Text | None = None
    ignored: tuple[str, ...] = ()  # variables of other catalog models, not read here

    def describe(self, lang: str | None = None) -> str:
        """A short description: the archetype's label, or where the values came from."""
        parts = []
        if self.archetype:
            label = pick(self.label, lang) if self.label else ""
            parts.append(f"{self.archetype}" + (f" — {label}" if label else ""))
        parts += [o for o in self.origin if not o.startswith("archetype:")]
        return " + ".join(parts)


@dataclass(frozen=True)
class _Entry:
    """One value given for a variable, with where it was written."""

    name: str
    value: Any
    file: str | None = None
    line: int | None = None
    column: int | None = None
    where: str | None = None  # "--set income=..." or "archetype single-mother-rsa"

    def problem(self, message: Msg) -> Problem:
        return Problem(message, file=self.file, line=self.line, column=self.column, path=self.where)


@dataclass
class _Raw:
    entries: list[_Entry] = field(default_factory=list)
    person: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


# --------------------------------------------------------------------------- values


#: Whole numbers beyond 2⁵³ are no longer exact as floats (and overflow 64-bit columns soon).
_MAX_EXACT_INT = 2**53


def _number_text(text: str) -> float | None:
    """``"1 200,50"`` → 1200.5; ``None`` when the text is not a number."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if re.fullmatch(r"-?\d+,\d+", cleaned):
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def expected(var: Variable) -> Msg:
    """What a variable accepts, in words."""
    unit = f" ({var.unit})" if var.unit else ""
    if var.type in ("int", "float"):
        kind = (
            Msg("un nombre entier", "a whole number")
            if var.type == "int"
            else Msg("un nombre", "a number")
        )
        if var.range is not None:
            return Msg(
                "{k} entre {lo} et {hi}{u}",
                "{k} between {lo} and {hi}{u}",
                k=kind,
                lo=Num(var.range[0], "sig", 6),
                hi=Num(var.range[1], "sig", 6),
                u=unit,
            )
        return Msg("{k}{u}", "{k}{u}", k=kind, u=unit)
    if var.type == "bool":
        return Msg("oui ou non (true/false, 1/0)", "yes or no (true/false, 1/0)")
    return Msg("l'une des valeurs : {c}", "one of: {c}", c=", ".join(var.categories or []))


def parse_value(var: Variable, raw: Any) -> tuple[Any, Msg | None]:
    """Read ``raw`` as a value of ``var``: ``(value, None)`` or ``(None, why not)``.

    >>> from lanterne.spec.schema import Variable
    >>> from lanterne.provenance import Text
    >>> v = Variable(name="n", type="int", range=(0, 10), description=Text(fr="n", en="n"))
    >>> parse_value(v, "3")
    (3, None)
    >>> parse_value(v, "12")[1].render("en")
    "'12' is outside the allowed range: a whole number between 0 and 10"
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, Msg("valeur manquante", "missing value")
    if var.type in ("int", "float"):
        if isinstance(raw, bool):
            return None, _not_a(var, raw)
        try:
            number = float(raw) if isinstance(raw, int | float) else _number_text(str(raw))
        except OverflowError:  # an integer beyond every float
            number = None
        if number is None or not math.isfinite(number):  # NaN, inf, 1e400
            return None, _not_a(var, raw)
        if var.type == "int":
            if number != int(number) or abs(number) > _MAX_EXACT_INT:
                return None, _not_a(var, raw)
            value: Any = int(number)
        else:
            value = number
        if var.range is not None and not var.range[0] <= number <= var.range[1]:
            return None, Msg(
                "{v} est hors de l'intervalle autorisé : {exp}",
                "{v} is outside the allowed range: {exp}",
                v=_show(raw),
                exp=expected(var),
            )
        return value, None
    if var.type == "bool":
        if isinstance(raw, bool):
            return raw, None
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw), None
        low = str(raw).strip().lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, _not_a(var, raw)
    # category
    text = raw.strip() if isinstance(raw, str) else None
    if text is not None and text in (var.categories or []):
        return text, None
    if text is None and not isinstance(raw, bool) and str(raw) in (var.categories or []):
        return str(raw), None  # YAML read 59 as a number: the category "59"
    hint: Msg | str = ""
    if text is None:
        hint = Msg(
            " ; écrivez la valeur entre guillemets (YAML lit 01, 25_34 ou yes comme des "
            "nombres ou des booléens)",
            "; put the value in quotes (YAML reads 01, 25_34 or yes as numbers or booleans)",
        )
    else:
        close = difflib.get_close_matches(text, var.categories or [], n=1)
        if close:
            hint = Msg(" (vouliez-vous dire « {c} » ?)", " (did you mean '{c}'?)", c=close[0])
    return None, Msg(
        "{v} n'est pas une valeur possible : {exp}{hint}",
        "{v} is not a possible value: {exp}{hint}",
        v=_show(raw),
        exp=expected(var),
        hint=hint,
    )


def _show(raw: Any) -> Msg | str:
    return Msg("« {v} »", "'{v}'", v=raw) if isinstance(raw, str) else repr(raw)


def _not_a(var: Variable, raw: Any) -> Msg:
    return Msg(
        "{v} ne convient pas : {exp}", "{v} does not fit: {exp}", v=_show(raw), exp=expected(var)
    )


# --------------------------------------------------------------------------- reading


def read_household_file(path: str | os.PathLike[str]) -> _Raw:
    """The entries of a YAML, JSON or one-row CSV household file, with their positions."""
    path = Path(path)
    if not path.is_file():
        raise DataError(Problem(Msg("fichier introuvable", "file not found"), file=str(path)))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(path)
    if suffix not in (".yaml", ".yml", ".json"):
        raise DataError(
            Problem(
                Msg(
                    "format de foyer non reconnu « {s} » : attendu .yaml, .json ou .csv",
                    "unrecognised household format '{s}': expected .yaml, .json or .csv",
                    s=suffix or path.name,
                ),
                file=str(path),
            )
        )
    text = read_text(path, DataError)
    if suffix == ".json":
        try:
            json.loads(text)  # JSON's own errors are clearer for JSON files
        except json.JSONDecodeError as exc:
            raise DataError(
                Problem(
                    Msg("JSON invalide : {e}", "invalid JSON: {e}", e=exc.msg),
                    file=str(path),
                    line=exc.lineno,
                    column=exc.colno,
                )
            ) from None
    try:
        doc = load_yaml_with_positions(text, str(path))
    except LanterneError as exc:
        raise DataError(exc.problems) from None
    return _from_document(doc)


def _from_document(doc: YamlDocument) -> _Raw:
    raw = _Raw(problems=list(doc.duplicates))
    if not isinstance(doc.data, dict):
        raw.problems.append(
            doc.problem(
                (),
                Msg(
                    "un foyer s'écrit « variable: valeur », une par ligne",
                    "a household is written 'variable: value', one per line",
                ),
            )
        )
        return raw
    for key, value in doc.data.items():
        pos = doc.position((key,))
        if key == "person":
            raw.person = _person_block(doc, value, raw.problems)
            continue
        if isinstance(value, dict | list):
            raw.problems.append(
                doc.problem(
                    (key,),
                    Msg(
                        "« {k} » : une valeur simple est attendue (nombre, texte, oui/non)",
                        "'{k}': a plain value was expected (number, text, yes/no)",
                        k=key,
                    ),
                )
            )
            continue
        raw.entries.append(
            _Entry(
                key,
                value,
                file=doc.file,
                line=pos.line if pos else None,
                column=pos.column if pos else None,
            )
        )
    return raw


def _person_field(key: str) -> str | None:
    for name, aliases in PERSON_FIELDS.items():
        if key == name or key in aliases:
            return name
    return None


def _person_block(doc: YamlDocument, value: Any, problems: list[Problem]) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(
            doc.problem(
                ("person",),
                Msg(
                    "« person » contient des champs : name, address, file_number, email, "
                    "phone, city",
                    "'person' holds fields: name, address, file_number, email, phone, city",
                ),
            )
        )
        return {}
    out: dict[str, str] = {}
    for key, item in value.items():
        name = _person_field(str(key))
        if name is None:
            close = difflib.get_close_matches(str(key), list(PERSON_FIELDS), n=1)
            hint = (
                Msg(" (vouliez-vous dire « {c} » ?)", " (did you mean '{c}'?)", c=close[0])
                if close
                else ""
            )
            problems.append(
                doc.problem(
                    ("person", key),
                    Msg(
                        "champ inconnu « {k} » dans « person »{hint} ; champs possibles : {f}",
                        "unknown field '{k}' in 'person'{hint}; possible fields: {f}",
                        k=key,
                        hint=hint,
                        f=", ".join(PERSON_FIELDS),
                    ),
                    key=True,
                )
            )
        elif item is not None:
            out[name] = str(item).strip()
    return out


def _read_csv(path: Path) -> _Raw:
    frame = read_table(path)
    raw = _Raw()
    if frame.height != 1:
        raw.problems.append(
            Problem(
                Msg(
                    "un foyer en CSV tient sur une seule ligne de données (trouvé {n})",
                    "a household CSV holds a single data row (found {n})",
                    n=frame.height,
                ),
                file=str(path),
            )
        )
        return raw
    row = frame.row(0, named=True)
    for column, (name, value) in enumerate(row.items(), start=1):
        if name in ID_COLUMNS:
            continue
        if name.startswith(("person_", "person.")):
            field_name = _person_field(name[len("person_") :])
            if field_name is None:
                raw.problems.append(
                    Problem(
                        Msg(
                            "colonne « {k} » : champ de personne inconnu ; champs possibles : {f}",
                            "column '{k}': unknown person field; possible fields: {f}",
                            k=name,
                            f=", ".join(PERSON_FIELDS),
                        ),
                        file=str(path),
                        line=1,
                        column=column,
                    )
                )
            elif value:
                raw.person[field_name] = str(value).strip()
            continue
        raw.entries.append(_Entry(name, value, file=str(path), line=2, column=column))
    return raw


def parse_sets(sets: Iterable[str]) -> _Raw:
    """Entries from ``--set VAR=VALUE`` options."""
    raw = _Raw()
    for item in sets:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raw.problems.append(
                Problem(
                    Msg(
                        "--set attend VARIABLE=VALEUR, reçu « {s} »",
                        "--set expects VARIABLE=VALUE, got '{s}'",
                        s=item,
                    )
                )
            )
            continue
        raw.entries.append(_Entry(name, value.strip(), where=f"--set {item}"))
    return raw


def parse_values(values: Mapping[str, Any], where: str = "form") -> _Raw:
    """Entries from a mapping of variable names to values (a web form's fields).

    Empty values are skipped, so that a form field left blank keeps the value given by the
    archetype or the file underneath.

    >>> [e.name for e in parse_values({"income_monthly": "850", "qpv": ""}).entries]
    ['income_monthly']
    """
    raw = _Raw()
    for name, value in values.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        text = value.strip() if isinstance(value, str) else value
        raw.entries.append(_Entry(str(name).strip(), text, where=f"{where} {name}"))
    return raw


def _archetype_entries(model: Model, ref: str, archetype_set: str) -> tuple[_Raw, Text | None]:
    archetypes = load_archetypes(archetype_set)
    values = archetypes.household(ref)
    base_id = ref.split("/")[0]
    base = archetypes.archetype(base_id)
    label: Text | None = base.label if base else None
    if base is not None and "/" in ref:
        variation = next((v for v in base.variations if v.id == ref.split("/", 1)[1]), None)
        if variation is not None:
            label = Text(
                fr=f"{base.label.fr} {variation.label.fr}",
                en=f"{base.label.en} {variation.label.en}",
            )
    declared = {v.name for v in model.spec.variables}
    raw = _Raw()
    for name, value in values.items():
        if name in declared:  # an archetype set serves several models: keep this model's
            raw.entries.append(_Entry(name, value, where=f"archetype {ref}"))
    return raw, label


# --------------------------------------------------------------------------- assembling


def _suggest_variable(model: Model, name: str) -> Msg | str:
    declared = [v.name for v in model.spec.variables]
    feature = model.spec.feature(name)
    if feature is not None:
        reads = model.variables_of({name})
        return Msg(
            " ; « {n} » est calculée par le modèle à partir de : {v}",
            "; '{n}' is computed by the model from: {v}",
            n=name,
            v=", ".join(reads),
        )
    close = difflib.get_close_matches(name, declared, n=1, cutoff=0.5)
    if close:
        return Msg(" (vouliez-vous dire « {c} » ?)", " (did you mean '{c}'?)", c=close[0])
    return ""


@lru_cache(maxsize=1)
def catalog_vocabulary() -> frozenset[str]:
    """Names declared by a catalog model, used by an archetype set or a sample's columns.

    A household file may serve several models: a name another model declares is ignored,
    while a name no model knows is an error (a typo, most of the time).
    """
    names: set[str] = set()
    for path in catalog_files("models").values():
        try:
            names |= {v.name for v in load_spec(path).variables}
        except LanterneError:  # a broken catalog file is reported where it is used
            continue
    for path in catalog_files("archetypes").values():
        try:
            archetypes = load_archetypes(path)
        except LanterneError:
            continue
        names |= set(archetypes.defaults)
        for arch in archetypes.archetypes:
            names |= set(arch.values)
    samples = catalog_dir() / "samples"
    for path in sorted(samples.glob("*.csv")) if samples.is_dir() else []:
        with path.open(encoding="utf-8-sig") as handle:  # the header names the columns
            names |= {c.strip() for c in re.split(r"[,;\t]", handle.readline()) if c.strip()}
    return frozenset(names - set(ID_COLUMNS))


def _check_entries(
    model: Model, entries: list[_Entry], problems: list[Problem], ignored: list[str]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for entry in entries:
        var = model.spec.variable(entry.name)
        if var is None and entry.name in catalog_vocabulary():
            if entry.name not in ignored:
                ignored.append(entry.name)
            continue
        if var is None:
            problems.append(
                entry.problem(
                    Msg(
                        "variable inconnue « {n} » pour le modèle {m}{hint}",
                        "unknown variable '{n}' for model {m}{hint}",
                        n=entry.name,
                        m=model.id,
                        hint=_suggest_variable(model, entry.name),
                    )
                )
            )
            continue
        blank = entry.value is None or (isinstance(entry.value, str) and not entry.value.strip())
        if blank and var.missing == "allowed":  # the model says what a missing value means
            values[entry.name] = None
            continue
        value, why = parse_value(var, entry.value)
        if why is not None:
            problems.append(entry.problem(Msg("« {n} » : {w}", "'{n}': {w}", n=entry.name, w=why)))
            continue
        values[entry.name] = value
    return values


_DTYPES = {"bool": pl.Boolean, "int": pl.Int64, "float": pl.Float64}


def household_frame(model: Model, values: Mapping[str, Any]) -> pl.DataFrame:
    """A one-row table of ``values`` (declared variables), checked by ``model.prepare``."""
    present = [v for v in model.spec.variables if v.name in values]
    schema = {v.name: _DTYPES.get(v.type, pl.String) for v in present}
    # one row built at once (a Series per column costs several times more)
    frame = pl.from_dicts([{v.name: values[v.name] for v in present}], schema=schema)
    if all(name in values for name in model.used_variables):
        return model.prepare(frame)
    return prepare_table(model.spec, frame, required=())  # a partial household (letters)


def build_household(
    model: Model,
    *,
    file: str | os.PathLike[str] | None = None,
    sets: Iterable[str] = (),
    archetype: str | None = None,
    archetype_set: str | None = None,
    person: Person | None = None,
    require: Iterable[str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Household:
    """Assemble and validate one household for ``model``.

    Values come from the archetype (if any), then the file, then ``values`` (a mapping,
    such as a web form's fields; blank ones are skipped), then ``sets`` — each overriding
    the previous. ``require`` lists the variables that must be known (default: every
    variable the model reads). Raises :class:`DataError` with every problem found.

    >>> from lanterne.model import load_model
    >>> model = load_model("fr-cnaf-2014")
    >>> house = build_household(
    ...     model, archetype="single-mother-rsa", values={"income_monthly": "850,50"}
    ... )
    >>> house.values["income_monthly"]
    850.5
    """
    problems: list[Problem] = []
    layers: list[_Raw] = []
    origin: list[str] = []
    label: Text | None = None
    if archetype:
        chosen_set = archetype_set or archetype_set_for(model.id)
        layer, label = _archetype_entries(model, archetype, chosen_set)
        layers.append(layer)
        origin.append(f"archetype:{archetype}")
    file_person: dict[str, str] = {}
    if file is not None:
        layer = read_household_file(file)
        layers.append(layer)
        file_person = layer.person
        origin.append(str(file))
    if values:
        layers.append(parse_values(values))
        origin.append("form")
    set_list = list(sets)
    if set_list:
        layers.append(parse_sets(set_list))
        origin.append("--set")
    known: dict[str, Any] = {}
    ignored: list[str] = []
    for layer in layers:
        problems += layer.problems
        known.update(_check_entries(model, layer.entries, problems, ignored))
    needed = tuple(model.used_variables if require is None else require)
    missing = [name for name in needed if name not in known]
    if missing and not problems:
        problems.append(
            Problem(
                Msg(
                    "variables manquantes pour le modèle {m} : {v} — donnez-les dans le "
                    "fichier du foyer, avec --set VARIABLE=VALEUR, ou partez d'un profil-type "
                    "(--archetype)",
                    "missing variables for model {m}: {v} — give them in the household file, "
                    "with --set VARIABLE=VALUE, or start from an archetype (--archetype)",
                    m=model.id,
                    v=", ".join(missing),
                )
            )
        )
    if problems:
        raise DataError(problems)
    frame = household_frame(model, known) if known else pl.DataFrame()
    who = Person(**file_person).merged(person)
    return Household(
        values=known,
        frame=frame,
        person=who,
        origin=tuple(origin),
        archetype=archetype,
        label=label,
        ignored=tuple(ignored),
    )
