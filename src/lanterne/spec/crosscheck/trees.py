"""Cross-checks of a tree ensemble: provenance, the trees (inline or in a file named by
the spec, with its checksum) and the names they split on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lanterne.errors import Problem
from lanterne.i18n import Msg
from lanterne.spec.crosscheck.checker import Checker, suggest
from lanterne.spec.trees import pack_trees, read_trees_file, trees_file_path
from lanterne.spec.yamlpos import PathKey


def check_trees_model(c: Checker, model: Mapping[str, Any], has_default_source: bool) -> None:
    """A tree ensemble: provenance, the trees themselves, and the names they split on."""
    base = model.get("base_score")
    if isinstance(base, dict):
        c.number_source(("model", "base_score"), base, has_default_source)
    ensemble = model.get("ensemble")
    if not isinstance(ensemble, dict):
        return
    path: PathKey = ("model", "ensemble")
    c.number_source(path, ensemble, has_default_source)
    order = list(c.env)
    if isinstance(ensemble.get("trees"), list) and "file" not in ensemble:
        doc = c.doc

        def locate(t: int, key: str | None, node: int | None, message: Msg) -> Problem:
            where: PathKey = (*path, "trees", t)
            if key is not None:
                where = (*where, key)
            if node is not None:
                where = (*where, node)
            return doc.problem(where, message)

        packed, problems = pack_trees(ensemble["trees"], order=order, locate=locate)
        c.problems += problems
        if packed is not None:
            reported: set[str] = set()
            for t, raw in enumerate(ensemble["trees"]):
                names = raw.get("feature") if isinstance(raw, dict) else None
                for j, name in enumerate(names or []):
                    if not isinstance(name, str) or name in reported:
                        continue
                    message = _bad_split_name(c, name)
                    if message is not None:
                        reported.add(name)
                        c.add((*path, "trees", t, "feature", j), message)
            if reported:
                return
    elif isinstance(ensemble.get("file"), str) and "trees" not in ensemble:
        file, message = trees_file_path(ensemble["file"], c.doc.file)
        if file is None:
            c.add((*path, "file"), message or Msg("", ""))
            return
        sha = ensemble.get("sha256")
        raw, problems = read_trees_file(file, sha if isinstance(sha, str) else None)
        if problems:
            c.problems += [
                Problem(
                    Msg(
                        "{m} (fichier des arbres nommé en {at})",
                        "{m} (trees file named at {at})",
                        m=p.message,
                        at=c.doc.problem((*path, "file"), Msg("", "")).location(),
                    ),
                    p.file,
                    p.line,
                    p.column,
                )
                for p in problems
            ]
            return
        packed, problems = pack_trees(raw, order=order)
        c.problems += [Problem(p.message, str(file)) for p in problems]
        if packed is not None:
            bad = [m for m in (_bad_split_name(c, n) for n in packed.names) if m is not None]
            for message in bad:
                c.add((*path, "file"), message)
            if bad:
                return
    else:
        return  # Pydantic reports a missing or doubled place
    if packed is not None:
        c.ensemble = packed


def _bad_split_name(c: Checker, name: str) -> Msg | None:
    """Why a tree may not split on ``name``, or None if it may."""
    if name in c.sensitive:
        return Msg(
            "les arbres lisent « {n} », une variable sensible : un modèle ne doit pas "
            "l'utiliser (elle ne sert qu'aux audits)",
            "the trees read '{n}', a sensitive variable: a model must not use it "
            "(it only serves audits)",
            n=name,
        )
    if name not in c.env:
        return Msg(
            "les arbres lisent « {n} », qui n'est ni une variable ni une caractéristique "
            "déclarée{hint}",
            "the trees read '{n}', which is not a declared variable or feature{hint}",
            n=name,
            hint=suggest(name, c.env),
        )
    if c.env[name].type == "category":
        return Msg(
            "les arbres lisent « {n} », une catégorie : un arbre compare des nombres ; "
            "déclarez des indicateurs, par exemple une caractéristique {n} == '...'",
            "the trees read '{n}', a category: a tree compares numbers; declare "
            "indicators, e.g. a feature {n} == '...'",
            n=name,
        )
    return None
