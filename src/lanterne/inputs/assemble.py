"""Layers of entries (archetype, file, form, pairs) read into one set of typed values.

Each layer overrides the one before; every problem of every layer is reported at once.
Who reads the household (a model, the rights check) says which variables it declares,
which other names it quietly ignores and how to suggest a fix for an unknown one.

Example:
    >>> from lanterne.inputs.sources import entries_from_pairs
    >>> from lanterne.provenance import Text
    >>> from lanterne.spec.schema import Variable
    >>> kids = Variable(name="kids", type="int", description=Text(fr="Enfants", en="Children"))
    >>> reader = Reader({"kids": kids}, Msg("pour l'exemple", "for the example"))
    >>> read_layers(reader, [entries_from_pairs(["kids=2"])]).values
    {'kids': 2}
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lanterne.errors import DataError, Problem
from lanterne.i18n import Msg
from lanterne.inputs.sources import Entries, Entry
from lanterne.inputs.values import is_blank, parse_value
from lanterne.spec.schema import Variable


def _close_name(reader: Reader, name: str) -> Msg | str:
    close = difflib.get_close_matches(name, list(reader.variables), n=1, cutoff=0.5)
    if close:
        return Msg(" (vouliez-vous dire « {c} » ?)", " (did you mean '{c}'?)", c=close[0])
    return ""


@dataclass(frozen=True)
class Reader:
    """What a household is read against.

    ``owner`` ends the messages (``for model fr-cnaf-2014``); ``ignore`` says which
    unknown names are not errors (another model's variables, a table's other columns);
    ``suggest`` adds a hint to an unknown name (default: the closest declared name).
    """

    variables: Mapping[str, Variable]
    owner: Msg
    ignore: Callable[[Entry], bool] = lambda entry: False
    suggest: Callable[[Reader, str], Msg | str] = _close_name


@dataclass
class Values:
    """The typed values of the declared variables, the names ignored, the person block."""

    values: dict[str, Any] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    person: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class MissingValues(DataError):
    """Variables nobody gave a value for. The message names them; a front end says how to
    give them (the CLI: a file, ``--set`` or ``--archetype``; the web page: its fields)."""

    def __init__(self, names: Sequence[str], owner: Msg) -> None:
        self.names = tuple(names)
        self.owner = owner
        super().__init__(
            Problem(
                Msg(
                    "variables manquantes {o} : {v}",
                    "missing variables {o}: {v}",
                    o=owner,
                    v=", ".join(self.names),
                )
            )
        )


def _entry_problem(entry: Entry, why: Msg) -> Problem:
    if entry.kind == "form":  # the field is the location: no need to name it twice
        return entry.problem(why)
    return entry.problem(Msg("« {n} » : {w}", "'{n}': {w}", n=entry.name, w=why))


def read_entries(reader: Reader, entries: Iterable[Entry], out: Values) -> None:
    """Add the typed values of ``entries`` to ``out`` (a later value replaces an earlier)."""
    for entry in entries:
        var = reader.variables.get(entry.name)
        if var is None:
            if reader.ignore(entry):
                if entry.name not in out.ignored:
                    out.ignored.append(entry.name)
                continue
            out.problems.append(
                entry.problem(
                    Msg(
                        "variable inconnue « {n} » {o}{hint}",
                        "unknown variable '{n}' {o}{hint}",
                        n=entry.name,
                        o=reader.owner,
                        hint=reader.suggest(reader, entry.name),
                    )
                )
            )
            continue
        if is_blank(entry.value) and var.missing == "allowed":  # the model says what it means
            out.values[entry.name] = None
            continue
        value, why = parse_value(var, entry.value)
        if why is not None:
            out.problems.append(_entry_problem(entry, why))
            continue
        out.values[entry.name] = value


def read_layers(reader: Reader, layers: Iterable[Entries], require: Iterable[str] = ()) -> Values:
    """Every layer read in turn; raises :class:`DataError` with every problem, or
    :class:`MissingValues` when all is well but ``require`` names a variable nobody gave.
    """
    out = Values()
    for layer in layers:
        out.problems += layer.problems
        out.person.update(layer.person)
        read_entries(reader, layer.entries, out)
    if out.problems:
        raise DataError(out.problems)
    missing = [name for name in require if name not in out.values]
    if missing:
        raise MissingValues(missing, reader.owner)
    return out
