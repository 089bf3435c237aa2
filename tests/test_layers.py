"""The packages of ``src/lanterne`` form layers: a package imports only from layers below
its own, so the package graph has no cycle.

Read with ``ast`` (nothing is imported). Module-level imports must follow the layers
without exception; an import inside a function (loaded when called) may go up only where
:data:`LAZY_EXCEPTIONS` says why, and every exception listed must still be needed.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "lanterne"

#: From the bottom up. ``lanterne`` is the root package: its public API (``docs/api.md``)
#: names the model, the audits and the explanations, imported on first use.
LAYERS: list[tuple[str, ...]] = [
    ("_version", "_lazy", "i18n", "defaults"),
    ("errors", "provenance"),
    ("extras", "catalog", "htmlsafe"),
    ("io",),
    ("spec",),
    ("model",),
    ("scoring",),
    ("population", "audit", "importers"),
    ("inputs",),
    ("explain", "rights"),
    ("present",),
    ("lanterne",),
    ("compare", "scale", "contest"),
    ("report",),
    ("web",),
    ("cli",),
    ("__main__",),
]

#: Imports inside a function that go up a layer, and why.
LAZY_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("audit", "scale"): "the population audit hands a partitioned dataset to Dask on request",
    ("rights", "scale"): "non-take-up estimates run on a Dask cluster on request",
    ("explain", "present"): (
        "Explanation.to_dict()/to_json() hand the Python API the JSON of the explanation's "
        "view (present/explanation_json), the same as the download"
    ),
    ("population", "rights"): (
        "the generator reads OpenFisca-France and household-role constants through rights, "
        "which reads the population's categories: a cycle left to remove"
    ),
}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "lanterne"


def _run_on_import(tree: ast.Module) -> set[int]:
    """The ids of the nodes run when the module is imported: not function bodies, not
    ``if TYPE_CHECKING:`` blocks."""
    seen: set[int] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack += node.orelse
            continue
        seen.add(id(node))
        stack += ast.iter_child_nodes(node)
    return seen


@cache
def _imports() -> tuple[tuple[str, str, str, bool], ...]:
    """(importing module, its package, imported package, at module level) for every
    import of a Lanterne module from another package."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = _run_on_import(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if name == "lanterne" or name.startswith("lanterne."):
                    here, there = _package(module), _package(name)
                    if here != there:
                        found.append((module, here, there, id(node) in top))
    return tuple(found)


def _layer_of() -> dict[str, int]:
    return {package: i for i, layer in enumerate(LAYERS) for package in layer}


def test_every_package_has_a_layer() -> None:
    layer = _layer_of()
    packages = {_package(m) for m, *_ in _imports()} | {p for _, _, p, _ in _imports()}
    assert packages, "no import found: the walk is broken"
    assert sorted(packages - set(layer)) == [], "give each new package a place in LAYERS"


def test_module_level_imports_only_go_down() -> None:
    layer = _layer_of()
    upward = [
        f"{module} imports {there}"
        for module, here, there, top in _imports()
        if top and layer[there] >= layer[here]
    ]
    assert upward == []


def test_imports_in_functions_go_down_or_say_why() -> None:
    layer = _layer_of()
    upward: dict[tuple[str, str], list[str]] = {}
    for module, here, there, top in _imports():
        if not top and layer[there] >= layer[here]:
            upward.setdefault((here, there), []).append(module)
    unexplained = {k: v for k, v in upward.items() if k not in LAZY_EXCEPTIONS}
    assert unexplained == {}
    assert sorted(set(LAZY_EXCEPTIONS) - set(upward)) == [], "remove exceptions now unused"


def test_the_walk_tells_module_level_from_function_imports() -> None:
    """The walk itself, on imports known by hand (else the tests above could not fail)."""
    imports = _imports()
    assert ("lanterne.audit.population", "audit", "scale", False) in imports  # in a function
    assert ("lanterne.spec.schema", "spec", "provenance", True) in imports  # module level
    # under `if TYPE_CHECKING:` (nothing loaded at run time): counted as in a function
    assert ("lanterne.audit.defaults", "audit", "model", False) in imports


def test_tests_mirror_the_packages() -> None:
    """Tests live on one axis: ``tests/<package>/`` for ``src/lanterne/<package>/``,
    ``tests/docs/`` for the pages of ``docs/``, and the tests of top-level modules (and the
    few that cross every layer) in ``tests/`` itself."""
    tests = Path(__file__).resolve().parent
    folders = {d.name for d in tests.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))}
    packages = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    assert folders - {"data"} <= packages | {"docs"}, "a test folder that is no package"
    names = [p.name for p in tests.rglob("test_*.py")]
    assert len(names) == len(set(names)), "two test files with one name (pytest's rootdir import)"
