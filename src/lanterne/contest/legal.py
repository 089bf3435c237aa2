"""The legal texts that letters cite, read from ``catalog/legal/*.yaml``.

Each file holds one text (a code, a regulation, a law, a court's case law) and one entry
per article or judgment, with its official identifier (Légifrance ``LEGIARTI``, EUR-Lex
``CELEX``, ``ECLI``), its URL, the date of the version cited, a short summary in French and
English written for Lanterne, what a person can ask under it, and how the identifier was
verified (``verified``, ``secondary`` or ``to_check``). A file may also list free help
(ombudsman, commissions, associations) under ``contacts``.

Letters never write a reference by hand: they call :meth:`Article.cite`, so that what a
letter says and what the catalog records cannot drift apart.

Example:
    >>> law = load_legal_catalog()
    >>> law.article("rgpd-15").cite("en", "1.h")
    'Article 15(1)(h) GDPR'
    >>> law.article("rgpd-15").cite("fr", "1.h")
    'article 15, paragraphe 1, point h), du RGPD'
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from lanterne.catalog import catalog_dir
from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg, normalise_lang
from lanterne.provenance import SLUG, Strict, Text
from lanterne.spec.problems import dedupe, pydantic_problems
from lanterne.spec.yamlpos import YamlDocument, load_yaml_with_positions

Verification = Literal["verified", "secondary", "to_check"]
TextKind = Literal["code", "regulation", "law", "case_law", "help"]

VERIFICATION_LABELS: dict[str, Msg] = {
    "verified": Msg("vérifié", "verified"),
    "secondary": Msg("vérifié dans une source secondaire", "checked in a secondary source"),
    "to_check": Msg("à vérifier", "to check"),
}


class Check(Strict):
    """How an identifier and a summary were checked, and when."""

    status: Verification
    checked: str | None = None  # date of the check, "YYYY-MM-DD"
    note: Text


class Article(Strict):
    """One article of a text, or one judgment."""

    id: Annotated[str, Field(pattern=SLUG)]
    number: Text  # "L. 311-3-1" / "L311-3-1", "15", "C-634/21"
    cite: Text | None = None  # the full citation when the text's pattern does not fit
    identifier: str | None = None  # LEGIARTI…, CELEX:…, ECLI:…; None when not confirmed
    other_identifiers: list[str] = Field(default_factory=list)
    url: str | None = None
    version: str | None = None  # date of the version cited (in force since)
    created_by: str | None = None
    summary: Text
    can_ask: Text
    verification: Check

    def cite_text(self, text: LegalText, lang: str, point: str | None = None) -> str:
        lang = normalise_lang(lang)
        if self.cite is not None:
            if point:
                raise ValueError(f"{self.id}: points are only cited on pattern citations")
            return self.cite.get(lang)
        pattern = text.cite_pattern.get(lang)
        return pattern.format(number=self.number.get(lang), point=format_point(point, lang))


class Contact(Strict):
    """Free help: a public body or an association a person can turn to."""

    id: Annotated[str, Field(pattern=SLUG)]
    name: Text
    role: Text
    address: list[str] = Field(default_factory=list)
    phone: str | None = None
    url: str | None = None
    verification: Check


class LegalText(Strict):
    """A code, a regulation, a law or a court, with the articles Lanterne cites."""

    lanterne_legal: Literal[1]
    id: Annotated[str, Field(pattern=SLUG)]
    kind: TextKind
    title: Text
    short: Text
    identifier: str | None = None
    url: str | None = None
    cite_pattern: Text = Field(
        default_factory=lambda: Text(fr="article {number}{point}", en="Article {number}{point}")
    )
    articles: list[Article] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> LegalText:
        ids = [a.id for a in self.articles] + [c.id for c in self.contacts]
        if len(set(ids)) != len(ids):
            raise ValueError("article and contact ids must be unique within a file")
        return self


def format_point(point: str | None, lang: str) -> str:
    """``"1.h"`` → ``", paragraphe 1, point h),"`` (fr) or ``"(1)(h)"`` (en).

    >>> format_point("3", "fr"), format_point("3", "en")
    (', paragraphe 3,', '(3)')
    """
    if not point:
        return ""
    parts = point.split(".")
    if normalise_lang(lang) == "en":
        return "".join(f"({p})" for p in parts)
    words = [f"paragraphe {parts[0]}"] + [f"point {p})" for p in parts[1:]]
    return ", " + ", ".join(words) + ","


class Citation:
    """An article together with its text: what a template needs to cite it."""

    def __init__(self, article: Article, text: LegalText) -> None:
        self.article = article
        self.text = text

    @property
    def id(self) -> str:
        return self.article.id

    def cite(self, lang: str, point: str | None = None) -> str:
        return self.article.cite_text(self.text, lang, point)

    def identifiers(self) -> list[str]:
        out = [self.article.identifier] if self.article.identifier else []
        return out + list(self.article.other_identifiers)

    def url(self, lang: str | None = None) -> str | None:
        """The article's URL (EUR-Lex pages in the letter's language)."""
        url = self.article.url or self.text.url
        if url and lang and "eur-lex.europa.eu/legal-content/" in url:
            code = "EN" if normalise_lang(lang) == "en" else "FR"
            url = re.sub(r"legal-content/[A-Z]{2}/", f"legal-content/{code}/", url)
        return url


class LegalCatalog:
    """Every legal text of the catalog, looked up by article or contact id."""

    def __init__(self, texts: list[LegalText]) -> None:
        self.texts = {t.id: t for t in texts}
        self._articles: dict[str, Citation] = {}
        self._contacts: dict[str, Contact] = {}
        for text in texts:
            for article in text.articles:
                self._articles[article.id] = Citation(article, text)
            for contact in text.contacts:
                self._contacts[contact.id] = contact

    def article(self, article_id: str) -> Citation:
        try:
            return self._articles[article_id]
        except KeyError:
            raise SpecError(
                Problem(
                    Msg(
                        "article « {a} » absent du catalogue juridique",
                        "article '{a}' is not in the legal catalog",
                        a=article_id,
                    )
                )
            ) from None

    def contact(self, contact_id: str) -> Contact:
        try:
            return self._contacts[contact_id]
        except KeyError:
            raise SpecError(
                Problem(
                    Msg(
                        "contact « {a} » absent du catalogue juridique",
                        "contact '{a}' is not in the legal catalog",
                        a=contact_id,
                    )
                )
            ) from None

    @property
    def articles(self) -> list[Citation]:
        return list(self._articles.values())

    @property
    def contacts(self) -> list[Contact]:
        return list(self._contacts.values())


def load_legal_text(text: str, file: str = "<text>") -> LegalText:
    """Validate one legal catalog file given as YAML text; every problem is located."""
    doc = load_yaml_with_positions(text, file)
    problems = list(doc.duplicates)
    result: LegalText | None = None
    try:
        result = LegalText.model_validate(doc.data)
    except ValidationError as exc:
        problems += pydantic_problems(doc, exc)
    if result is not None:
        for i, article in enumerate(result.articles):
            problems += _check_identifier(doc, i, article)
    if problems or result is None:
        raise SpecError(dedupe(problems))
    return result


_IDENTIFIER_PATTERNS = (
    re.compile(r"^LEGIARTI\d{12}$"),
    re.compile(r"^CELEX:\d{5}[A-Z]{1,2}\d{4}(, .+)?$"),
    re.compile(r"^ECLI:EU:C:\d{4}:\d+$"),
    re.compile(r"^JORFTEXT\d{12}$"),
)


def _check_identifier(doc: YamlDocument, index: int, article: Article) -> list[Problem]:
    problems = []
    for key, value in [("identifier", article.identifier)] + [
        ("other_identifiers", v) for v in article.other_identifiers
    ]:
        if value is not None and not any(p.match(value) for p in _IDENTIFIER_PATTERNS):
            problems.append(
                doc.problem(
                    ("articles", index, key),
                    Msg(
                        "identifiant « {v} » non reconnu (LEGIARTI…, CELEX:…, ECLI:…, JORFTEXT…)",
                        "identifier '{v}' not recognised (LEGIARTI…, CELEX:…, ECLI:…, JORFTEXT…)",
                        v=value,
                    ),
                )
            )
    if article.identifier is None and article.verification.status == "verified":
        problems.append(
            doc.problem(
                ("articles", index, "verification", "status"),
                Msg(
                    "un article sans identifiant ne peut pas être « verified »",
                    "an article without an identifier cannot be 'verified'",
                ),
            )
        )
    return problems


def legal_files(folder: str | os.PathLike[str] | None = None) -> list[Path]:
    base = Path(folder) if folder is not None else catalog_dir() / "legal"
    return sorted(base.glob("*.yaml")) if base.is_dir() else []


@lru_cache(maxsize=4)
def _load(folder: str) -> LegalCatalog:
    texts: list[LegalText] = []
    problems: list[Problem] = []
    for path in legal_files(folder):
        try:
            texts.append(load_legal_text(path.read_text(encoding="utf-8"), str(path)))
        except SpecError as exc:
            problems += exc.problems
    if problems:
        raise SpecError(problems)
    ids: dict[str, str] = {}
    for text in texts:
        items: list[Article | Contact] = [*text.articles, *text.contacts]
        for item in items:
            if item.id in ids:
                problems.append(
                    Problem(
                        Msg(
                            "identifiant « {i} » déclaré dans deux fichiers ({a}, {b})",
                            "id '{i}' declared in two files ({a}, {b})",
                            i=item.id,
                            a=ids[item.id],
                            b=text.id,
                        )
                    )
                )
            ids[item.id] = text.id
    if problems:
        raise SpecError(problems)
    return LegalCatalog(texts)


def load_legal_catalog(folder: str | os.PathLike[str] | None = None) -> LegalCatalog:
    """Every legal text of ``catalog/legal`` (or of ``folder``), validated, cached."""
    base = Path(folder) if folder is not None else catalog_dir() / "legal"
    return _load(str(base.resolve()))
