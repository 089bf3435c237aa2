"""Variables declared once, in a catalog file, and included by name from model specs.

Several specs of one agency read the same household attributes. Rather than copying their
declarations (and letting the copies drift apart), a *variables file* declares them once
and a spec names the file under ``include`` and each variable it takes from it under
``variables``, by name, where it wants it in its own order::

    include: [fr-households]        # catalog/variables/fr-households.yaml
    variables:
      - sex                         # declared in fr-households
      - name: n_children            # declared here
        type: int
        ...

A variables file (``catalog/variables/<id>.yaml``)::

    lanterne_variables: 1
    id: fr-households
    name: {fr: ..., en: ...}
    description: {fr: ..., en: ...}
    variables: [...]                # declarations, exactly as in a spec

Safe by construction: an include is a catalog id (``fr-households``) or a relative path to a
``.yaml`` file in the spec's own folder or below it (no absolute path, no ``..``, no link
leading out); a file cannot include itself through others (cycle), includes nest at most
:data:`MAX_DEPTH` deep, and nothing is ever run. Nothing is overridden silently: a variable
declared in the spec and in an included file, declared by two included files, or listed
twice is an error. Problems in an included declaration are located in the included file.

Example:
    >>> from lanterne.spec.yamlpos import load_yaml_with_positions
    >>> text = "include: [fr-households]\\nvariables:\\n  - sex\\n"
    >>> doc = resolve_includes(load_yaml_with_positions(text, "m.yaml"))
    >>> doc.data["variables"][0]["categories"]
    ['female', 'male']
    >>> doc.problem(("variables", 0, "type"), Msg("", "")).file.endswith("fr-households.yaml")
    True
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from lanterne.catalog import catalog_dir, catalog_files, catalog_path, read_text
from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg
from lanterne.provenance import SLUG, Strict, Text
from lanterne.spec.problems import dedupe, pydantic_problems
from lanterne.spec.schema import Variable
from lanterne.spec.yamlpos import (
    PathKey,
    Position,
    YamlDocument,
    load_yaml_with_positions,
)

#: Catalog folder of the variables files.
KIND = "variables"
#: Includes nest at most this deep (a spec including a file including a file...).
MAX_DEPTH = 8


class VariablesFile(Strict):
    """A catalog file of variable declarations shared by several specs."""

    lanterne_variables: Literal[1]
    id: Annotated[str, Field(pattern=SLUG)]
    name: Text
    description: Text
    variables: Annotated[list[Variable], Field(min_length=1)]


@dataclass
class IncludedDocument(YamlDocument):
    """A document whose ``variables`` were completed from included files.

    ``origins`` maps ``("variables", i)`` of an included declaration to the document it is
    written in and its path there, so that a problem found in it is located in that file.
    """

    origins: dict[PathKey, tuple[YamlDocument, PathKey]] = field(default_factory=dict)

    def problem(self, path: PathKey, message: Msg, *, key: bool = False) -> Problem:
        origin = self.origins.get(tuple(path[:2]))
        if origin is None:
            return super().problem(path, message, key=key)
        doc, at = origin
        return doc.problem((*at, *path[2:]), message, key=key)


@dataclass(frozen=True)
class _Entry:
    """One declaration of the final list: the document it is written in and where."""

    doc: YamlDocument
    path: PathKey
    value: dict[str, Any]

    @property
    def name(self) -> str | None:
        name = self.value.get("name")
        return name if isinstance(name, str) else None


def resolve_includes(doc: YamlDocument) -> YamlDocument:
    """``doc`` with its included variables written in place (itself if it includes none).

    Raises :class:`SpecError` listing every problem of the includes, located.
    """
    if not isinstance(doc.data, dict) or not _includes(doc.data):
        return doc
    resolver = _Resolver()
    entries = resolver.entries(doc, (_real(doc.file),))
    if resolver.problems:
        raise SpecError(_sorted(resolver.problems))
    return _splice(doc, entries, resolver.documents)


def load_variables(ref: str | Path) -> list[Variable]:
    """The declarations of a variables file (a catalog id or a path), includes resolved.

    >>> [v.name for v in load_variables("fr-households")][:3]
    ['sex', 'age_band', 'nationality']
    """
    path = catalog_path(KIND, ref)
    doc = resolve_includes(load_yaml_with_positions(read_text(path), str(path)))
    problems = list(doc.duplicates)
    result: VariablesFile | None = None
    try:
        result = VariablesFile.model_validate(doc.data)
    except ValidationError as exc:
        problems += pydantic_problems(doc, exc)
    else:
        names = [v.name for v in result.variables]
        problems += [
            doc.problem(
                ("variables", i, "name"),
                Msg("variable « {n} » déclarée deux fois", "variable '{n}' declared twice", n=n),
            )
            for i, n in enumerate(names)
            if n in names[:i]
        ]
    if problems or result is None:
        raise SpecError(_sorted(dedupe(problems)))
    return result.variables


def _includes(data: dict[str, Any]) -> bool:
    """Whether a document includes files or lists a variable by its name alone."""
    variables = data.get("variables")
    names = isinstance(variables, list) and any(isinstance(v, str) for v in variables)
    return "include" in data or names


def _real(file: str) -> Path | None:
    """The resolved path of a document's file, None for text that is not a file."""
    path = Path(file)
    return path.resolve() if path.is_file() else None


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file or "", p.line or 0, p.column or 0))


class _Resolver:
    """Reads the included files (each once) and collects every problem found."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.documents: list[YamlDocument] = []  # included documents, for their duplicates
        self.cache: dict[Path, YamlDocument | None] = {}

    def add(self, doc: YamlDocument, path: PathKey, message: Msg) -> None:
        self.problems.append(doc.problem(path, message))

    def entries(self, doc: YamlDocument, stack: tuple[Path | None, ...]) -> list[_Entry]:
        """The declarations ``doc`` ends with, in its order, includes written in place."""
        available = self.included(doc, stack)
        raw = doc.data.get("variables")
        items = list(enumerate(raw)) if isinstance(raw, list) else []
        local = {  # a name that is no text (a list...) is the schema's to report
            item["name"]: i
            for i, item in items
            if isinstance(item, dict) and isinstance(item.get("name"), str)
        }
        for name, i in local.items():
            if name in available:
                self.add(
                    doc,
                    ("variables", i, "name"),
                    Msg(
                        "variable « {n} » déclarée ici et dans le fichier inclus {f} : "
                        "gardez une seule déclaration (ou listez seulement son nom)",
                        "variable '{n}' is declared here and in the included file {f}: "
                        "keep one declaration (or list only its name)",
                        n=name,
                        f=Path(available[name].doc.file).name,
                    ),
                )
        out: list[_Entry] = []
        taken: set[str] = set()
        for i, item in items:
            if isinstance(item, dict):
                out.append(_Entry(doc, ("variables", i), item))
            elif isinstance(item, str) and item in available and item not in taken:
                taken.add(item)
                out.append(available[item])
            elif isinstance(item, str):
                self.add(doc, ("variables", i), self.unknown(item, taken, available, doc))
            else:
                out.append(_Entry(doc, ("variables", i), item))  # the schema reports it
        return out

    def unknown(
        self, name: str, taken: set[str], available: dict[str, _Entry], doc: YamlDocument
    ) -> Msg:
        if name in taken:
            return Msg("variable « {n} » listée deux fois", "variable '{n}' listed twice", n=name)
        if "include" not in doc.data:
            return Msg(
                "« {n} » : une variable se déclare (name, type...) ou se reprend par son nom "
                "d'un fichier nommé dans « include »",
                "'{n}': a variable is declared (name, type...) or taken by its name from a "
                "file named under 'include'",
                n=name,
            )
        close = difflib.get_close_matches(name, list(available), n=1)
        hint: Msg | str = ""
        if close:
            hint = Msg(" (vouliez-vous dire « {c} » ?)", " (did you mean '{c}'?)", c=close[0])
        return Msg(
            "variable « {n} » déclarée dans aucun fichier inclus{h}",
            "variable '{n}' is not declared in any included file{h}",
            n=name,
            h=hint,
        )

    def included(self, doc: YamlDocument, stack: tuple[Path | None, ...]) -> dict[str, _Entry]:
        """``{name: declaration}`` of every file ``doc`` includes."""
        refs = doc.data.get("include")
        if refs is None:
            return {}
        if not isinstance(refs, list) or not all(isinstance(r, str) and r for r in refs):
            self.add(
                doc,
                ("include",),
                Msg(
                    "« include » est une liste d'identifiants du catalogue ou de chemins "
                    "relatifs, par exemple [fr-households]",
                    "'include' is a list of catalog ids or relative paths, e.g. [fr-households]",
                ),
            )
            return {}
        available: dict[str, _Entry] = {}
        for i, ref in enumerate(refs):
            sub = self.document(doc, ("include", i), ref, stack)
            if sub is None:
                continue
            for entry in self.entries(sub, (*stack, _real(sub.file))):
                name = entry.name
                if name is None:
                    continue
                seen = available.get(name)
                if seen is not None and seen.doc is entry.doc and seen.path == entry.path:
                    continue  # the same declaration, reached through two files
                if seen is not None:
                    self.add(
                        doc,
                        ("include", i),
                        Msg(
                            "variable « {n} » déclarée dans deux fichiers inclus ({a}, {b})",
                            "variable '{n}' is declared by two included files ({a}, {b})",
                            n=name,
                            a=Path(seen.doc.file).name,
                            b=Path(entry.doc.file).name,
                        ),
                    )
                else:
                    available[name] = entry
        return available

    def document(
        self, doc: YamlDocument, at: PathKey, ref: str, stack: tuple[Path | None, ...]
    ) -> YamlDocument | None:
        """The included document ``ref`` names, or None after reporting why not."""
        path = self.locate(doc, at, ref, stack[-1])
        if path is None:
            return None
        if path in stack:
            self.add(
                doc,
                at,
                Msg(
                    "inclusion circulaire : {f} s'inclut lui-même (par {c})",
                    "circular include: {f} includes itself (through {c})",
                    f=path.name,
                    c=" → ".join(p.name for p in (*stack, path) if p is not None),
                ),
            )
            return None
        if len(stack) > MAX_DEPTH:
            self.add(
                doc,
                at,
                Msg(
                    "inclusions imbriquées sur plus de {n} niveaux",
                    "includes nested more than {n} levels deep",
                    n=MAX_DEPTH,
                ),
            )
            return None
        if path not in self.cache:
            self.cache[path] = self.read(doc, at, path)
        return self.cache[path]

    def locate(self, doc: YamlDocument, at: PathKey, ref: str, here: Path | None) -> Path | None:
        """The file an include names: a catalog id, or a relative path next to ``here``."""
        if re.fullmatch(SLUG, ref):
            found = catalog_files(KIND).get(ref)
            if found is None:
                self.add(
                    doc,
                    at,
                    Msg(
                        "« {r} » n'est pas un fichier de variables du catalogue ({d}) ; "
                        "disponibles : {ids}",
                        "'{r}' is not a variables file of the catalog ({d}); available: {ids}",
                        r=ref,
                        d=str(catalog_dir() / KIND),
                        ids=", ".join(catalog_files(KIND)) or "-",
                    ),
                )
                return None
            return found.resolve()
        bad = _unsafe(ref)
        if bad is not None:
            self.add(doc, at, bad)
            return None
        if here is None:
            self.add(
                doc,
                at,
                Msg(
                    "un chemin relatif (« {r} ») ne s'inclut que depuis un fichier : "
                    "nommez un fichier du catalogue par son identifiant",
                    "a relative path ('{r}') can only be included from a file: name a "
                    "catalog file by its id",
                    r=ref,
                ),
            )
            return None
        path = (here.parent / ref).resolve()
        if not path.is_relative_to(here.parent):
            self.add(
                doc,
                at,
                Msg(
                    "« {r} » mène hors du dossier de {f} (lien) : refusé",
                    "'{r}' leads out of the folder of {f} (a link): refused",
                    r=ref,
                    f=here.name,
                ),
            )
            return None
        if not path.is_file():
            self.add(
                doc,
                at,
                Msg(
                    "fichier inclus introuvable : {p}",
                    "included file not found: {p}",
                    p=str(path),
                ),
            )
            return None
        return path

    def read(self, doc: YamlDocument, at: PathKey, path: Path) -> YamlDocument | None:
        try:
            sub = load_yaml_with_positions(path.read_text(encoding="utf-8"), str(path))
        except SpecError as exc:
            self.problems += exc.problems
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.add(doc, at, Msg("lecture impossible : {e}", "cannot read: {e}", e=exc))
            return None
        if not isinstance(sub.data, dict) or sub.data.get("lanterne_variables") != 1:
            self.add(
                sub,
                (),
                Msg(
                    "ce fichier n'est pas un fichier de variables (lanterne_variables: 1)",
                    "this file is not a variables file (lanterne_variables: 1)",
                ),
            )
            return None
        self.documents.append(sub)
        return sub


def _unsafe(ref: str) -> Msg | None:
    """Why a relative include path is refused, or None if it may be read."""
    parts = re.split(r"[\\/]", ref)
    if PurePosixPath(ref).is_absolute() or PureWindowsPath(ref).is_absolute() or ref[:1] in "/\\":
        why = Msg(
            "chemin absolu refusé (« {r} ») : un identifiant du catalogue ou un chemin "
            "relatif au fichier",
            "absolute path refused ('{r}'): a catalog id or a path relative to the file",
            r=ref,
        )
    elif ".." in parts or PureWindowsPath(ref).drive:
        why = Msg(
            "« {r} » remonte hors du dossier du fichier (..) : refusé",
            "'{r}' climbs out of the file's folder (..): refused",
            r=ref,
        )
    elif not ref.endswith((".yaml", ".yml")):
        why = Msg(
            "« {r} » : un fichier de variables finit par .yaml",
            "'{r}': a variables file ends with .yaml",
            r=ref,
        )
    else:
        return None
    return why


def _splice(
    doc: YamlDocument, entries: list[_Entry], included: list[YamlDocument]
) -> IncludedDocument:
    """A document like ``doc`` whose ``variables`` are ``entries`` (positions follow)."""
    data = {k: v for k, v in doc.data.items() if k != "include"}
    data["variables"] = [e.value for e in entries]
    out = IncludedDocument(data=data, file=doc.file)
    out.duplicates = [*doc.duplicates, *(p for d in included for p in d.duplicates)]
    for table, into in ((doc.positions, out.positions), (doc.key_positions, out.key_positions)):
        into.update({p: pos for p, pos in table.items() if not _in_item(p)})
    for i, entry in enumerate(entries):
        new = ("variables", i)
        _copy(entry.doc.positions, entry.path, new, out.positions)
        _copy(entry.doc.key_positions, entry.path, new, out.key_positions)
        if entry.doc is not doc:
            out.origins[new] = (entry.doc, entry.path)
    return out


def _in_item(path: PathKey) -> bool:
    return len(path) >= 2 and path[0] == "variables" and isinstance(path[1], int)


def _copy(
    table: dict[PathKey, Position], old: PathKey, new: PathKey, into: dict[PathKey, Position]
) -> None:
    n = len(old)
    into.update({(*new, *p[n:]): pos for p, pos in table.items() if p[:n] == old})
