"""Where a household's values come from, each value with where it was written.

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

A row of a CSV or Parquet table works too (``person_name``, ``person_address``... for the
person block). ``name=value`` pairs (the CLI's ``--set``), a web form's fields and an
archetype's values give entries of the same kind.

Example:
    >>> [(e.name, e.value, e.where) for e in entries_from_pairs(["n_children = 2"]).entries]
    [('n_children', '2', 'n_children = 2')]
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from lanterne.catalog import read_text
from lanterne.errors import DataError, LanterneError, Problem
from lanterne.i18n import Msg
from lanterne.io.tables import read_table
from lanterne.spec.yamlpos import YamlDocument, load_yaml_with_positions

#: Person fields and the other names a file may use for them (French first).
PERSON_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("nom",),
    "address": ("adresse",),
    "file_number": ("numero_allocataire", "numéro_allocataire", "allocataire"),
    "email": ("courriel", "mail"),
    "phone": ("telephone", "téléphone"),
    "city": ("ville",),
}
#: Columns of a household table that identify the row rather than describe the household.
ID_COLUMNS = ("household_id", "id")
#: Suffixes of the household files read as tables (one row is the household).
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet")

#: How a value was given: the front ends name each kind their own way (``--set``, a field).
Kind = Literal["file", "pair", "form", "archetype"]


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
class Entry:
    """One value given for a variable, with where it was written.

    ``where`` is the pair as typed (``income_monthly=abc``), the form field's name or the
    archetype: a front end that knows how the user wrote it says so in its own words.
    """

    name: str
    value: Any
    kind: Kind = "file"
    file: str | None = None
    line: int | None = None
    column: int | None = None
    where: str | None = None

    def problem(self, message: Msg) -> Problem:
        # a pair's problem is about the ``sets`` given: a front end names its own option
        params = ("sets",) if self.kind == "pair" else ()
        return Problem(
            message,
            file=self.file,
            line=self.line,
            column=self.column,
            path=self.where,
            params=params,
        )


@dataclass
class Entries:
    """The entries of one source, its person block and what is wrong with it."""

    entries: list[Entry] = field(default_factory=list)
    person: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


# --------------------------------------------------------------------------- files


def read_household_file(path: str | os.PathLike[str], row: int | None = None) -> Entries:
    """The entries of a YAML or JSON household file, or of one row of a table.

    A table (CSV, Parquet) must hold one data row unless ``row`` (from 1) chooses one.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(Problem(Msg("fichier introuvable", "file not found"), file=str(path)))
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return _read_table_row(path, row)
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


def _from_document(doc: YamlDocument) -> Entries:
    raw = Entries(problems=list(doc.duplicates))
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
            Entry(
                key,
                value,
                file=doc.file,
                line=pos.line if pos else None,
                column=pos.column if pos else None,
            )
        )
    return raw


def person_field(key: str) -> str | None:
    """The person field a file's key names (``adresse`` → ``address``), else ``None``."""
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
        name = person_field(str(key))
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


def _read_table_row(path: Path, row: int | None) -> Entries:
    frame = read_table(path)
    raw = Entries()
    if row is None and frame.height != 1:
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
    if row is not None and not 1 <= row <= frame.height:
        raw.problems.append(
            Problem(
                Msg(
                    "ligne {r} hors du fichier ({n} lignes)",
                    "row {r} outside the file ({n} rows)",
                    r=row,
                    n=frame.height,
                ),
                file=str(path),
            )
        )
        return raw
    index = 0 if row is None else row - 1
    values = frame.row(index, named=True)
    for column, (name, value) in enumerate(values.items(), start=1):
        if name in ID_COLUMNS:
            continue
        if name.startswith(("person_", "person.")):
            field_name = person_field(name[len("person_") :])
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
        raw.entries.append(Entry(name, value, file=str(path), line=index + 2, column=column))
    return raw


# --------------------------------------------------------------------------- other sources


def entries_from_pairs(pairs: Iterable[str]) -> Entries:
    """Entries from ``name=value`` texts (the CLI's ``--set`` options).

    A problem's ``path`` is the pair as written and its ``params`` is ``("sets",)``, so that
    a front end can name its own option (the CLI: ``--set qpv: ...``).

    >>> entries_from_pairs(["qpv"]).problems[0].render("en")
    "qpv: expected VARIABLE=VALUE, got 'qpv'"
    """
    raw = Entries()
    for item in pairs:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raw.problems.append(
                Problem(
                    Msg(
                        "attendu VARIABLE=VALEUR, reçu « {s} »",
                        "expected VARIABLE=VALUE, got '{s}'",
                        s=item,
                    ),
                    path=item,
                    params=("sets",),
                )
            )
            continue
        raw.entries.append(Entry(name, value.strip(), kind="pair", where=item))
    return raw


def entries_from_form(values: Mapping[str, Any]) -> Entries:
    """Entries from a mapping of variable names to values (a web form's fields).

    Empty values are skipped, so that a form field left blank keeps the value given by the
    archetype or the file underneath. A problem's ``path`` is the field's name.

    >>> [e.name for e in entries_from_form({"income_monthly": "850", "qpv": ""}).entries]
    ['income_monthly']
    """
    raw = Entries()
    for name, value in values.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        text = value.strip() if isinstance(value, str) else value
        key = str(name).strip()
        raw.entries.append(Entry(key, text, kind="form", where=key))
    return raw


def entries_from_archetype(values: Mapping[str, Any], ref: str) -> Entries:
    """Entries from an archetype's values (already read from the catalog)."""
    where = f"archetype {ref}"
    return Entries([Entry(n, v, kind="archetype", where=where) for n, v in values.items()])
