"""Letters a scored person may send: an explanation request, an access request, an objection.

Each letter is a Jinja2 template in ``contest/templates`` (one per kind and language) that
writes Markdown. Legal references are never typed into a template: the template calls
``cite("rgpd-15", "1.h")``, which reads the legal catalog (``catalog/legal``), and every
text cited is listed at the end with its official identifier, URL and version. Missing
personal details become placeholders in brackets. Every letter ends with a note that it is
not legal advice and with free help.

The same Markdown gives the ``.md`` file, a plain-text ``.txt``, an ``.html`` page and a
``.pdf`` (WeasyPrint), all written atomically.

Example:
    >>> from lanterne.model import load_model
    >>> letter = render_letter("objection", model=load_model("fr-cnaf-2014"), lang="en")
    >>> "Article 21(1) GDPR" in letter.markdown and "not legal advice" in letter.notes_markdown
    True
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined

from lanterne.contest.formats import (
    FORMATS,
    LETTER_CSP,
    letter_format,
    markdown_to_html,
    markdown_to_text,
    notes_path,
    write_letter,
)
from lanterne.contest.legal import (
    Citation,
    LegalCatalog,
    load_legal_catalog,
)
from lanterne.errors import LanterneError, Problem
from lanterne.explain.explanation import Explanation
from lanterne.i18n import Msg, format_date, format_iso_date, normalise_lang, pick
from lanterne.inputs.sources import Person
from lanterne.model import Model
from lanterne.present.explanation import explanation_view
from lanterne.provenance import status_label

LetterKind = Literal["explanation", "access", "objection"]
LETTER_KINDS: tuple[LetterKind, ...] = ("explanation", "access", "objection")

#: The references each kind of letter must cite: (catalog id, point or None).
REQUIRED_REFERENCES: dict[str, tuple[tuple[str, str | None], ...]] = {
    "explanation": (
        ("crpa-l311-3-1", None),
        ("crpa-r311-3-1-2", None),
        ("crpa-l300-2", None),
        ("rgpd-15", "1.h"),
        ("rgpd-22", None),
        ("rgpd-22", "1"),
        ("rgpd-12", "3"),
        ("crpa-r311-13", None),
        ("crpa-r343-1", None),
        ("crpa-l342-1", None),
        ("lil-47", None),
        ("cjue-c-634-21", None),
        ("cjue-c-203-22", None),
    ),
    "access": (
        ("rgpd-15", None),
        ("rgpd-15", "1.g"),
        ("rgpd-15", "1.h"),
        ("rgpd-15", "3"),
        ("rgpd-12", "3"),
        ("rgpd-22", None),
        ("rgpd-77", None),
        ("cjue-c-203-22", None),
    ),
    # a model used outside France: EU law only (the national bases are not in the catalog)
    "explanation-eu": (
        ("rgpd-15", "1.h"),
        ("rgpd-22", None),
        ("rgpd-22", "1"),
        ("rgpd-12", "3"),
        ("rgpd-77", None),
        ("cjue-c-634-21", None),
        ("cjue-c-203-22", None),
    ),
    "objection": (
        ("rgpd-21", "1"),
        ("rgpd-6", "1.e"),
        ("rgpd-18", "1.d"),
        ("rgpd-22", None),
        ("rgpd-12", "3"),
        ("rgpd-77", None),
    ),
}

#: Countries whose models get letters citing EU law only, named in both languages.
COUNTRY_NAMES: dict[str, dict[str, str]] = {
    "NL": {"fr": "aux Pays-Bas", "fr_of": "des Pays-Bas", "en": "the Netherlands"},
    "PL": {"fr": "en Pologne", "fr_of": "de Pologne", "en": "Poland"},
}


def letter_template(kind: str, country: str) -> str:
    """The template of a letter: French law and EU law for France, EU law only elsewhere.

    >>> letter_template("explanation", "FR"), letter_template("explanation", "NL")
    ('explanation', 'explanation-eu')
    """
    return f"{kind}-eu" if kind == "explanation" and country != "FR" else kind


#: How the list of cited texts qualifies a reference that is not fully verified.
REFERENCE_NOTES: dict[str, Msg] = {
    "verified": Msg("", ""),
    "secondary": Msg(
        "identifiant relevé dans une source secondaire", "identifier found in a secondary source"
    ),
    "to_check": Msg(
        "cité par son numéro, identifiant officiel non confirmé",
        "cited by its number, official identifier not confirmed",
    ),
}


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    r"""Escape Markdown's special characters in a text a person typed.

    >>> md_escape("Dupont *senior* [test]")
    'Dupont \\*senior\\* \\[test\\]'
    """
    return _MD_SPECIAL.sub(r"\\\1", text)


def _capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class Letter:
    """A rendered letter: its Markdown, and the legal texts it cites."""

    kind: LetterKind
    lang: str
    title: str
    markdown: str
    references: list[Citation] = field(default_factory=list)
    #: what the person should know before sending (texts cited, free help): never sent
    notes_markdown: str = ""

    def docx(self) -> bytes:
        """The letter as a DOCX file (python-docx), to edit before sending."""
        from lanterne.contest.office import to_docx

        return to_docx(self.markdown, title=self.title)

    def odt(self) -> bytes:
        """The letter as an ODT file (odfpy), to edit before sending."""
        from lanterne.contest.office import to_odt

        return to_odt(self.markdown, title=self.title)

    def encoded(self, fmt: str) -> bytes:
        """The letter in ``fmt`` (``md``, ``txt``, ``html``, ``pdf``, ``docx``, ``odt``)."""
        if fmt == "md":
            return self.markdown.encode()
        if fmt == "txt":
            return self.text().encode()
        if fmt == "html":
            return self.html().encode()
        return {"pdf": self.pdf, "docx": self.docx, "odt": self.odt}[fmt]()

    def notes(self) -> Letter:
        """The notes for the person, as a document of their own (same formats)."""
        title = Msg("Notes pour vous — à ne pas envoyer", "Notes for you — not to be sent").render(
            self.lang
        )
        return Letter(self.kind, self.lang, title, f"# {title}\n\n{self.notes_markdown}")

    def text(self) -> str:
        """The letter as plain text (Markdown marks removed)."""
        return markdown_to_text(self.markdown)

    def html(self) -> str:
        """A complete, self-contained HTML page (no external resource)."""
        return markdown_to_html(self.markdown, title=self.title, lang=self.lang)

    def pdf(self) -> bytes:
        """The letter as PDF (A4), through WeasyPrint."""
        from lanterne.extras import require

        require("pdf")
        try:
            from weasyprint import HTML
        except (ImportError, OSError) as exc:  # WeasyPrint needs the Pango system library
            raise LanterneError(
                Problem(
                    Msg(
                        "impossible de produire un PDF : WeasyPrint ne se charge pas ({e}). "
                        "Installez Pango (paquet libpango-1.0-0 sous Debian ou Ubuntu) ou "
                        "écrivez le courrier en .html, .md ou .txt.",
                        "cannot write a PDF: WeasyPrint does not load ({e}). Install Pango "
                        "(package libpango-1.0-0 on Debian or Ubuntu) or write the letter as "
                        ".html, .md or .txt.",
                        e=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                    )
                )
            ) from None
        from lanterne.htmlsafe import pdf_url_fetcher

        return HTML(string=self.html(), url_fetcher=pdf_url_fetcher()).write_pdf()


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("lanterne.contest", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["capitalize_first"] = _capitalize_first
    env.filters["date_fr"] = lambda d: format_iso_date(d, "fr")
    env.filters["date_en"] = lambda d: format_iso_date(d, "en")
    return env


_ENV: Environment | None = None


def _placeholder(fr: str, en: str, lang: str) -> str:
    return "[" + (fr if lang == "fr" else en) + "]"


def _lines(text: str | None) -> list[str]:
    if not text:
        return []
    parts = re.split(r"\n|\s*;\s*", text)
    return [md_escape(p.strip()) for p in parts if p.strip()]


def render_letter(
    kind: str,
    *,
    model: Model,
    person: Person | None = None,
    lang: str = "fr",
    agency: str | None = None,
    agency_address: str | None = None,
    decision: str | None = None,
    reasons: str | None = None,
    explanation: Explanation | None = None,
    day: dt.date | None = None,
    catalog: LegalCatalog | None = None,
    decision_date: dt.date | None = None,
    dpo_copy: bool = True,
) -> Letter:
    """Render one letter in ``lang``.

    ``agency`` overrides the recipient named by the model's spec; ``explanation`` (for the
    person's household) adds an annex with the score as Lanterne reconstructs it, labelled
    with the status of its weights. ``decision_date``: the letter names the model in force
    then, or says it asks about the version used at that date. ``dpo_copy``: a copy goes
    to the agency's data-protection officer (GDPR art. 38(4)). The notes for the person
    (texts cited, what to know before sending) are :meth:`Letter.notes`, not the letter.
    """
    global _ENV
    _check_kind(kind)
    lang = normalise_lang(lang)
    person = person or Person()
    catalog = catalog or load_legal_catalog()
    day = day or dt.date.today()
    used: dict[str, Citation] = {}

    def cite(article_id: str, point: str | None = None) -> str:
        citation = catalog.article(article_id)
        used.setdefault(article_id, citation)
        return citation.cite(lang, point)

    country = model.spec.country
    template = letter_template(kind, country)
    context: dict[str, Any] = {
        "lang": lang,
        "kind": kind,
        "eu_only": country != "FR",
        "country_name": COUNTRY_NAMES.get(
            country,
            {
                "fr": f"dans ce pays ({country})",
                "fr_of": f"du pays ({country})",
                "en": f"the country ({country})",
            },
        ),
        "cite": cite,
        "references": lambda: list(used.values()),
        "contact": catalog.contact,
        "verification_label": lambda s: REFERENCE_NOTES[s].render(lang),
        **_parties(person, model, agency, agency_address, day, lang),
        "model_name": model_words(model, decision_date or day, lang),
        "dpo_copy": Msg(
            "Copie : délégué à la protection des données de l'organisme ({c}).",
            "Copy: the agency's data protection officer ({c}).",
            c=cite("rgpd-38", "4"),
        ).render(lang)
        if dpo_copy
        else "",
        "decision_sentence": _decision_sentence(decision, decision_date, lang),
        "reasons": md_escape(reasons) if reasons else _placeholder(*REASONS_PLACEHOLDER, lang),
        "annex": _annex(explanation, lang) if explanation is not None else None,
        "subject": _subject(template, lang, cite),
    }
    if _ENV is None:
        _ENV = _environment()
    markdown = _ENV.get_template(f"{template}.{lang}.md.j2").render(context)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown)
    # rendered after the letter: it lists every text the letter cited
    notes = _ENV.get_template(f"_footer.{lang}.md.j2").render(context)
    notes = re.sub(r"\n{3,}", "\n\n", notes).strip().removeprefix("---").strip() + "\n"
    return Letter(kind, lang, context["subject"], markdown, list(used.values()), notes)  # type: ignore[arg-type]


REASONS_PLACEHOLDER = (
    "Expliquez en quelques lignes pourquoi ce traitement vous porte tort dans votre "
    "situation : par exemple des contrôles répétés, ou une situation de santé, de "
    "handicap ou de précarité qui les rend particulièrement éprouvants.",
    "Explain in a few lines why this processing harms you in your situation: for "
    "instance repeated inspections, or a health, disability or financial situation "
    "that makes them especially hard.",
)


def _check_kind(kind: str) -> None:
    if kind not in LETTER_KINDS:
        raise LanterneError(
            Problem(
                Msg(
                    "type de courrier inconnu « {k} » : attendu {ks}",
                    "unknown kind of letter '{k}': expected {ks}",
                    k=kind,
                    ks=", ".join(LETTER_KINDS),
                )
            )
        )


def _parties(
    person: Person,
    model: Model,
    agency: str | None,
    agency_address: str | None,
    day: dt.date,
    lang: str,
) -> dict[str, Any]:
    """Who writes to whom, from where and when: missing details become placeholders."""

    def ph(fr: str, en: str) -> str:
        return _placeholder(fr, en, lang)

    name = md_escape(person.name) if person.name else ph("Prénom Nom", "First name Last name")
    sender = [name, *(_lines(person.address) or [ph("Adresse", "Address")])]
    sender += [md_escape(x) for x in (person.email, person.phone) if x]
    france = model.spec.country == "FR"
    number = (
        md_escape(person.file_number)
        if person.file_number
        else ph("votre numéro d'allocataire", "your benefits file number")
        if france
        else ph("votre numéro de dossier", "your file number")
    )
    office = (
        ph(
            "adresse de votre caisse : voir votre dernier courrier ou votre espace personnel",
            "address of your office: see your last letter or your online account",
        )
        if france
        else ph(
            "adresse de l'organisme : voir votre dernier courrier",
            "address of the agency: see your last letter",
        )
    )
    city = md_escape(person.city) if person.city else ph("Ville", "Town")
    when = format_date(day, lang)
    return {
        "sender": sender,
        "recipient": [
            md_escape(agency or model.spec.agency),
            *(_lines(agency_address) or [office]),
        ],
        "dateline": f"À {city}, le {when}" if lang == "fr" else f"{city}, {when}",
        "sending": Msg(
            "Lettre recommandée avec accusé de réception",
            "Recorded delivery with acknowledgement of receipt",
        ).render(lang),
        "file_number_line": (
            Msg("Numéro d'allocataire : {n}", "Benefits file number: {n}", n=number)
            if france
            else Msg("Numéro de dossier : {n}", "File number: {n}", n=number)
        ).render(lang),
        "name": name,
        "email": md_escape(person.email) if person.email else None,
    }


def _decision_sentence(decision: str | None, decision_date: dt.date | None, lang: str) -> str:
    """The decision the person is the subject of, or a placeholder asking for it."""
    if decision and decision_date:
        return Msg(
            "Je fais l'objet de la décision suivante, datée du {w} : {d}.",
            "I am the subject of the following decision, dated {w}: {d}.",
            d=md_escape(decision.rstrip(".")),
            w=format_date(decision_date, lang),
        ).render(lang)
    if decision:
        return Msg(
            "Je fais l'objet de la décision suivante : {d}.",
            "I am the subject of the following decision: {d}.",
            d=md_escape(decision.rstrip(".")),
        ).render(lang)
    return _placeholder(
        "Si une décision vous concerne, décrivez-la ici : contrôle, suspension, indu…, "
        "avec sa date et sa référence.",
        "If a decision concerns you, describe it here: inspection, suspension, "
        "overpayment claim…, with its date and reference.",
        lang,
    )


def model_words(model: Model, day: dt.date, lang: str) -> str:
    """How the letter names the model: its name when it was in use on ``day`` (the decision
    date, else the letter's), else the version in use that day, with the one Lanterne knows.

    >>> from lanterne.model import load_model
    >>> model_words(load_model("fr-cnaf-2014"), dt.date(2016, 3, 1), "en")[:30]
    'CNAF "datamining" risk score ('
    """
    name = md_escape(pick(model.spec.name, lang))
    first, last = model.spec.years
    if first <= day.year <= (last or 9999):
        return name
    return Msg(
        "dans la version en usage le {d} ; Lanterne connaît celle de {a}–{b} : {m}",
        "in the version in use on {d}; Lanterne knows the {a}–{b} one: {m}",
        d=format_date(day, lang),
        a=first,
        b=last if last is not None else "",
        m=name,
    ).render(lang)


def _subject(kind: str, lang: str, cite: Any) -> str:
    if kind == "explanation-eu":
        return Msg(
            "Objet : demande d'explication du score algorithmique attribué à ma demande ({a})",
            "Subject: request for an explanation of the algorithmic score given to my "
            "application ({a})",
            a=cite("rgpd-15", "1.h"),
        ).render(lang)
    if kind == "explanation":
        return Msg(
            "Objet : demande de communication des règles du traitement algorithmique appliqué "
            "à mon dossier ({a} ; {b})",
            "Subject: request for the rules of the algorithmic processing applied to my file "
            "({a}; {b})",
            a=cite("crpa-l311-3-1"),
            b=cite("rgpd-15", "1.h"),
        ).render(lang)
    if kind == "access":
        return Msg(
            "Objet : demande d'accès à mes données et au score de risque de mon dossier ({a})",
            "Subject: request for access to my data and to my file's risk score ({a})",
            a=cite("rgpd-15"),
        ).render(lang)
    return Msg(
        "Objet : opposition au calcul d'un score de risque sur mon dossier ({a})",
        "Subject: objection to the computation of a risk score on my file ({a})",
        a=cite("rgpd-21"),
    ).render(lang)


def _annex(explanation: Explanation, lang: str) -> dict[str, Any]:
    """The explanation's view as the annex lays it out (the table of ``lanterne explain``)."""
    view = explanation_view(explanation)
    table = view.table
    rows = [
        {
            "label": md_escape(row.title.render(lang)),
            "value": md_escape(row.value.render(lang)),
            "weight": md_escape(row.weight.render(lang)),
            "contribution": row.contribution.render(lang),
            "status": row.status_text(lang),
        }
        for row in (table.base, *table.rows)
    ]
    sources = sorted({s.render(lang) for s in view.sources})
    ranked = view.percentile is not None
    standing = " ".join(s.render(lang) for s in view.standing) if ranked else ""
    return {
        "model_name": md_escape(view.model_name.render(lang)),
        "model_id": view.model_id,
        "status": status_label(view.status, lang),
        "status_explanation": view.status_explanation.render(lang),
        "status_note": md_escape(view.status_note.render(lang)) if view.status_note else "",
        "score": view.score_text.render(lang),
        "margin_name": view.margin_name.render(lang),
        "headers": [md_escape(h.render(lang)) for h in table.headers],
        "margin": table.total.contribution.render(lang),
        "check": table.check,
        "standing": md_escape(standing),
        "rows": rows,
        "sources": md_escape(" ; ".join(sources) if lang == "fr" else "; ".join(sources)),
    }


__all__ = [
    "FORMATS",
    "LETTER_CSP",
    "LETTER_KINDS",
    "Letter",
    "letter_format",
    "markdown_to_html",
    "markdown_to_text",
    "notes_path",
    "render_letter",
    "write_letter",
]
