"""How Lanterne names and explains the provenance status of a number.

Every number taken from the outside world is ``published`` (from the agency's own code or
documents), ``reconstructed`` (inferred from published analyses) or ``illustrative``
(invented to show the mechanics). Reports, pages and the CLI print the status next to the
number with these words.

Example:
    >>> status_label("illustrative", "fr")
    'illustratif'
"""

from __future__ import annotations

from lanterne.i18n import Msg
from lanterne.spec.schema import STATUSES, Source, Status

STATUS_LABELS: dict[str, Msg] = {
    "published": Msg("publié", "published"),
    "reconstructed": Msg("reconstitué", "reconstructed"),
    "illustrative": Msg("illustratif", "illustrative"),
}

STATUS_EXPLANATIONS: dict[str, Msg] = {
    "published": Msg(
        "tiré du code ou des documents de l'administration elle-même",
        "taken from the agency's own code or documents",
    ),
    "reconstructed": Msg(
        "déduit d'analyses publiées (associations, journalistes, chercheurs)",
        "inferred from published analyses (associations, journalists, researchers)",
    ),
    "illustrative": Msg(
        "inventé pour montrer le mécanisme : ce n'est pas le chiffre de l'administration",
        "invented to show the mechanics: this is not the agency's figure",
    ),
}

#: Rich styles for the terminal; reports use their own colours.
STATUS_STYLES: dict[str, str] = {
    "published": "green",
    "reconstructed": "yellow",
    "illustrative": "magenta",
}


def status_label(status: Status | str, lang: str | None = None) -> str:
    """The status in words, in ``lang``."""
    return STATUS_LABELS[status].render(lang)


def status_explanation(status: Status | str, lang: str | None = None) -> str:
    """One sentence saying what the status means."""
    return STATUS_EXPLANATIONS[status].render(lang)


def source_citation(source: Source | None, lang: str | None = None) -> str:
    """A one-line citation: publisher, title, date, and where to find it.

    >>> from lanterne.spec.schema import Source
    >>> source_citation(Source(id="x", title="Titre", publisher="Éditeur", url="https://e.fr"))
    'Éditeur, « Titre », https://e.fr'
    """
    if source is None:
        return ""
    parts = []
    if source.publisher:
        parts.append(source.publisher)
    parts.append(f"« {source.title} »" if (lang or "fr") == "fr" else f"“{source.title}”")
    if source.date:
        parts.append(source.date)
    where = source.url or source.legal_reference or source.document
    if source.legal_reference and source.url:
        parts.append(source.legal_reference)
    if where:
        parts.append(where)
    return ", ".join(parts)


__all__ = [
    "STATUSES",
    "STATUS_EXPLANATIONS",
    "STATUS_LABELS",
    "STATUS_STYLES",
    "source_citation",
    "status_explanation",
    "status_label",
]
