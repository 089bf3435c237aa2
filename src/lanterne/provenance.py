"""Where a number comes from, and how sure we are of it: the one home of provenance.

Every number taken from the outside world carries a :class:`Source` (where readers can
find it) and a status. A model's numbers are ``published`` (from the agency's own code or
documents), ``reconstructed`` (inferred from published analyses) or ``illustrative``
(invented to show the mechanics): :data:`STATUSES`. The calibration figures of a synthetic
population have two more words, because a statistic is often known only through someone
quoting it (``secondary``) or not found at all and chosen by Lanterne until a figure is
found (``assumption``); they never hold an invented-for-show number, so they have no
``illustrative``: :data:`TARGET_STATUSES`. :func:`status_label` names every status of
both sets; reports, pages and the CLI print it next to the number.

Example:
    >>> status_label("illustrative", "fr")
    'illustratif'
    >>> status_label("assumption", "en")
    'assumption'
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lanterne.i18n import Msg, Num

#: The status of a model's number (coefficient, point, tree, threshold...).
Status = Literal["published", "reconstructed", "illustrative"]
#: From the strongest to the weakest: one illustrative number taints a whole model.
STATUSES: tuple[Status, ...] = ("published", "reconstructed", "illustrative")

#: The status of a population's calibration figure (see the module's docstring).
TargetStatus = Literal["published", "secondary", "reconstructed", "assumption"]
TARGET_STATUSES: tuple[TargetStatus, ...] = (
    "published",
    "secondary",
    "reconstructed",
    "assumption",
)

#: Every status a catalog file may hold, in the order tables list them.
ALL_STATUSES: tuple[str, ...] = tuple(dict.fromkeys((*STATUSES, *TARGET_STATUSES)))

#: Identifiers of catalog entries (sources, models, archetypes...).
SLUG = r"^[a-z0-9][a-z0-9-]*$"


class Strict(BaseModel):
    """The base of every model read from a catalog file: unknown keys are errors (a typo
    must never be silently ignored) and values cannot be changed after loading."""

    # allow_inf_nan: "nan" or "1e400" would pass as a number and end as NaN scores
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Text(Strict):
    """A text in French and English.

    >>> Text(fr="bonjour", en="hello").get("en")
    'hello'
    """

    fr: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def get(self, lang: str, default: str | None = None) -> str:
        return self.fr if lang == "fr" else self.en

    def values(self) -> list[str]:
        return [self.fr, self.en]


class Source(Strict):
    """Where numbers and facts come from: a document, a page, a legal text."""

    # the validator below, said to editors through the JSON Schema
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["url"]},
                {"required": ["legal_reference"]},
                {"required": ["document"]},
            ]
        }
    )

    id: Annotated[str, Field(pattern=SLUG)]
    title: Annotated[str, Field(min_length=1)]
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    legal_reference: str | None = None
    document: str | None = None  # a document of the Lanterne repository, e.g. docs/spec.md
    note: Text | None = None

    @model_validator(mode="after")
    def _locatable(self) -> Source:
        if not (self.url or self.legal_reference or self.document):
            raise ValueError(
                "a source needs a url, a legal_reference or a document so that readers can find it"
            )
        return self


STATUS_LABELS: dict[str, Msg] = {
    "published": Msg("publié", "published"),
    "reconstructed": Msg("reconstitué", "reconstructed"),
    "illustrative": Msg("illustratif", "illustrative"),
    "secondary": Msg("cité par un tiers", "secondary"),
    "assumption": Msg("hypothèse", "assumption"),
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
    "secondary": Msg(
        "cité par un tiers (presse, association, autre administration), pas lu dans le "
        "document de celui qui l'a produit",
        "quoted by a third party (press, association, another administration), not read in "
        "the publisher's own document",
    ),
    "assumption": Msg(
        "choisi par Lanterne faute de chiffre publié, à remplacer dès qu'il en existe un",
        "chosen by Lanterne for want of a published figure, to be replaced when one exists",
    ),
}

#: Rich styles for the terminal; reports use their own colours.
STATUS_STYLES: dict[str, str] = {
    "published": "green",
    "reconstructed": "yellow",
    "illustrative": "magenta",
    "secondary": "yellow",
    "assumption": "magenta",
}


def status_label(status: str, lang: str | None = None) -> str:
    """Any status of :data:`ALL_STATUSES` in words, in ``lang``.

    >>> status_label("secondary", "fr")
    'cité par un tiers'
    """
    return STATUS_LABELS[status].render(lang)


#: The French plural of each label (English labels do not change): "11 publiés".
_PLURAL_FR: dict[str, str] = {
    "published": "publiés",
    "reconstructed": "reconstitués",
    "illustrative": "illustratifs",
    "secondary": "cités par un tiers",
    "assumption": "hypothèses",
}


def status_count(count: int, status: str, lang: str | None = None) -> str:
    """``count`` numbers of one status, the label agreeing with the number.

    >>> status_count(11, "published", "fr"), status_count(1, "published", "fr")
    ('11 publiés', '1 publié')
    >>> status_count(2_474, "assumption", "en")
    '2,474 assumption'
    """
    label = status_label(status, "fr") if count < 2 else _PLURAL_FR[status]
    return Msg(
        "{n} {fr}", "{n} {en}", n=Num(count), fr=label, en=status_label(status, "en")
    ).render(lang)


def status_explanation(status: str, lang: str | None = None) -> str:
    """One sentence saying what the status means."""
    return STATUS_EXPLANATIONS[status].render(lang)


def source_citation(source: Source | None, lang: str | None = None) -> str:
    """A one-line citation: publisher, title, date, and where to find it.

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
    "ALL_STATUSES",
    "SLUG",
    "STATUSES",
    "STATUS_EXPLANATIONS",
    "STATUS_LABELS",
    "STATUS_STYLES",
    "TARGET_STATUSES",
    "Source",
    "Status",
    "Strict",
    "TargetStatus",
    "Text",
    "source_citation",
    "status_count",
    "status_explanation",
    "status_label",
]
