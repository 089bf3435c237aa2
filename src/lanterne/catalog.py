"""Find the files shipped in the catalog: model specs, populations, archetypes, legal texts.

The catalog lives in the repository's top-level ``catalog/`` folder; a built wheel carries
a copy inside the package. ``LANTERNE_CATALOG`` points to another folder if set.

Example:
    >>> from lanterne.catalog import model_ids
    >>> "fr-cnaf-2014" in model_ids()
    True
"""

from __future__ import annotations

import os
from pathlib import Path

from lanterne.errors import LanterneError, Problem, SpecError
from lanterne.i18n import Msg

KINDS = ("models", "populations", "archetypes", "legal", "samples", "agencies", "variables")


def catalog_dir() -> Path:
    """The catalog folder in use."""
    override = os.environ.get("LANTERNE_CATALOG")
    if override:
        return Path(override)
    packaged = Path(__file__).resolve().parent / "_catalog"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "catalog"


def catalog_files(kind: str) -> dict[str, Path]:
    """``{id: path}`` for every YAML file of one kind (``models``, ``archetypes``...)."""
    folder = catalog_dir() / kind
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def model_ids() -> list[str]:
    """Ids of the shipped model specs."""
    return list(catalog_files("models"))


def catalog_path(kind: str, ref: str | os.PathLike[str]) -> Path:
    """Resolve ``ref`` as an existing file, else as the id of a catalog entry of ``kind``.

    Raises a :class:`LanterneError` naming the available ids when neither exists.
    """
    path = Path(ref)
    if path.is_file():
        return path
    files = catalog_files(kind)
    if str(ref) in files:
        return files[str(ref)]
    raise LanterneError(
        Problem(
            Msg(
                "« {ref} » n'est ni un fichier ni un identifiant du catalogue ({kind}) ; "
                "disponibles : {ids}",
                "'{ref}' is neither a file nor a catalog id ({kind}); available: {ids}",
                ref=str(ref),
                kind=kind,
                ids=", ".join(files) or "-",
            )
        )
    )


def model_path(ref: str | os.PathLike[str]) -> Path:
    """Path of a model spec given a file path or a catalog id."""
    return catalog_path("models", ref)


def sample_path(name: str = "fr-households-sample.csv") -> Path:
    """Path of a small sample data file shipped in ``catalog/samples``."""
    return catalog_dir() / "samples" / name


def read_text(path: Path, error: type[LanterneError] = SpecError) -> str:
    """A UTF-8 file's text; an ``error`` naming the file if it cannot be read.

    >>> read_text(Path("no-such-file.yaml"))
    Traceback (most recent call last):
    ...
    lanterne.errors.SpecError: ...
    """
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(
            Problem(Msg("lecture impossible : {e}", "cannot read: {e}", e=exc), file=str(path))
        ) from None
