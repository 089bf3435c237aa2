"""Letters: the right legal references in both languages, placeholders, formats, free help.

The expected citations and identifiers are typed here by hand from the official texts
(Légifrance, EUR-Lex, curia), not read from the catalog, so that a catalog error fails.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from lanterne.contest.legal import load_legal_catalog, load_legal_text
from lanterne.contest.letters import (
    LETTER_KINDS,
    REQUIRED_REFERENCES,
    letter_format,
    render_letter,
    write_letter,
)
from lanterne.errors import LanterneError, SpecError
from lanterne.explain.explanation import explain_household
from lanterne.explain.household import build_household
from lanterne.inputs.sources import Person
from lanterne.model import load_model

#: What each letter must say, by kind and language: (citation in the body, identifier listed).
EXPECTED: dict[tuple[str, str], list[tuple[str, str | None]]] = {
    ("explanation", "fr"): [
        ("article L. 311-3-1 du CRPA", "LEGIARTI000033205535"),
        ("article R. 311-3-1-2 du CRPA", "LEGIARTI000034195881"),
        ("article L. 300-2 du CRPA", None),
        ("article 15, paragraphe 1, point h), du RGPD", "CELEX:32016R0679"),
        ("article 22, paragraphe 1, du RGPD", None),
        ("article 12, paragraphe 3, du RGPD", None),
        ("article R. 311-13 du CRPA", None),
        ("article R. 343-1 du CRPA", None),
        ("article L. 342-1 du CRPA", None),
        ("article 47 de la loi n° 78-17 du 6 janvier 1978", "LEGIARTI000037823131"),
        ("C-634/21", "ECLI:EU:C:2023:957"),
        ("C-203/22", "ECLI:EU:C:2025:117"),
    ],
    ("explanation", "en"): [
        ("CRPA Article L311-3-1", "LEGIARTI000033205535"),
        ("CRPA Article R311-3-1-2", "LEGIARTI000034195881"),
        ("CRPA Article L300-2", None),
        ("Article 15(1)(h) GDPR", "CELEX:32016R0679"),
        ("Article 22(1) GDPR", None),
        ("Article 12(3) GDPR", None),
        ("CRPA Article R311-13", None),
        ("CRPA Article R343-1", None),
        ("CRPA Article L342-1", None),
        ("Article 47 of the French Data Protection Act", "LEGIARTI000037823131"),
        ("C-634/21", "ECLI:EU:C:2023:957"),
        ("C-203/22", "ECLI:EU:C:2025:117"),
    ],
    ("access", "fr"): [
        ("article 15 du RGPD", "CELEX:32016R0679"),
        ("article 15, paragraphe 1, point h), du RGPD", None),
        ("article 15, paragraphe 3, du RGPD", None),
        ("article 12, paragraphe 3, du RGPD", None),
        ("article 22 du RGPD", None),
        ("article 77 du RGPD", None),
        ("C-203/22", "ECLI:EU:C:2025:117"),
    ],
    ("access", "en"): [
        ("Article 15 GDPR", "CELEX:32016R0679"),
        ("Article 15(1)(h) GDPR", None),
        ("Article 15(3) GDPR", None),
        ("Article 12(3) GDPR", None),
        ("Article 22 GDPR", None),
        ("Article 77 GDPR", None),
        ("C-203/22", "ECLI:EU:C:2025:117"),
    ],
    ("objection", "fr"): [
        ("article 21, paragraphe 1, du RGPD", "CELEX:32016R0679"),
        ("article 6, paragraphe 1, point e), du RGPD", None),
        ("article 18, paragraphe 1, point d), du RGPD", None),
        ("article 22 du RGPD", None),
        ("article 77 du RGPD", None),
    ],
    ("objection", "en"): [
        ("Article 21(1) GDPR", "CELEX:32016R0679"),
        ("Article 6(1)(e) GDPR", None),
        ("Article 18(1)(d) GDPR", None),
        ("Article 22 GDPR", None),
        ("Article 77 GDPR", None),
    ],
}
DAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def cnaf():
    return load_model("fr-cnaf-2014")


def _cited_section(markdown: str, lang: str) -> str:
    title = "## Textes cités" if lang == "fr" else "## Legal texts cited"
    assert title in markdown
    return markdown.split(title, 1)[1]


@pytest.mark.parametrize("kind", LETTER_KINDS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_required_reference_is_cited_with_its_identifier(cnaf, kind, lang) -> None:
    letter = render_letter(kind, model=cnaf, lang=lang, day=DAY)
    title = "## Textes cités" if lang == "fr" else "## Legal texts cited"
    body = letter.markdown
    assert title not in body  # the list is in the notes for the person, not the letter
    cited = _cited_section(letter.notes_markdown, lang)
    for citation, identifier in EXPECTED[(kind, lang)]:
        assert citation in body, citation
        if identifier is not None:
            assert identifier in cited, identifier
    # every reference the kind requires is listed at the end, with its official link
    listed = {c.id for c in letter.references}
    assert {a for a, _ in REQUIRED_REFERENCES[kind]} <= listed
    assert all(
        c.url(lang)
        and re.match(r"https://(www\.legifrance\.gouv\.fr|eur-lex\.europa\.eu)/", c.url(lang))
        for c in letter.references
    )
    # EUR-Lex links open in the letter's language
    eurlex = re.findall(r"https://eur-lex\.europa\.eu/legal-content/([A-Z]{2})/", cited)
    assert eurlex and set(eurlex) == {lang.upper()}


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_notes_say_not_legal_advice_and_free_help_and_the_letter_does_not(cnaf, kind) -> None:
    fr = render_letter(kind, model=cnaf, lang="fr", day=DAY)
    en = render_letter(kind, model=cnaf, lang="en", day=DAY)
    for letter in (fr, en):  # the letter goes to the agency: no note meant for the person
        assert "conseil juridique" not in letter.markdown
        assert "legal advice" not in letter.markdown
        assert "Défenseur des droits" not in letter.markdown
    tail_fr, tail_en = fr.notes().markdown, en.notes().markdown
    assert tail_fr.startswith("# Notes pour vous — à ne pas envoyer")
    assert "n'est pas un conseil juridique" in tail_fr
    assert "is not legal advice" in tail_en
    for tail in (tail_fr, tail_en):
        assert "Défenseur des droits" in tail
        assert "09 69 39 00 00" in tail or "+33 9 69 39 00 00" in tail
        assert "La Quadrature du Net" in tail  # associations
    assert "23 novembre 2026" in fr.markdown and "23 November 2026" in en.markdown


def test_placeholders_where_details_are_missing(cnaf) -> None:
    bare = render_letter("explanation", model=cnaf, lang="fr", day=DAY).markdown
    for placeholder in ("[Prénom Nom]", "[Adresse]", "[votre numéro d'allocataire]", "[Ville]"):
        assert placeholder in bare
    assert "[Si une décision vous concerne" in bare
    en = render_letter("objection", model=cnaf, lang="en", day=DAY).markdown
    for placeholder in ("[First name Last name]", "[Address]", "[your benefits file number]"):
        assert placeholder in en
    assert "[Explain in a few lines why this processing harms you" in en


def test_details_given_fill_the_letter_and_are_escaped(cnaf) -> None:
    person = Person(
        name="Marie *Dupont*",
        address="12 rue des Lilas; 59000 Lille",
        file_number="1234567",
        email="marie@example.org",
        city="Lille",
    )
    letter = render_letter(
        "objection",
        model=cnaf,
        person=person,
        lang="fr",
        agency="CAF du Nord",
        agency_address="82 rue Brûle-Maison; 59000 Lille",
        decision="contrôle sur place du 3 octobre 2026",
        reasons="Trois contrôles en deux ans <b>sans</b> indu",
        day=DAY,
    )
    md = letter.markdown
    assert "Marie \\*Dupont\\*" in md  # the asterisks are the name's, not emphasis
    assert "12 rue des Lilas" in md and "59000 Lille" in md
    assert "Numéro d'allocataire : 1234567" in md
    assert "CAF du Nord" in md and "82 rue Brûle-Maison" in md
    assert "À Lille, le 23 novembre 2026" in md
    assert "contrôle sur place du 3 octobre 2026" in md
    for placeholder in ("[Prénom Nom]", "[Adresse]", "[votre numéro d'allocataire]", "[Ville]"):
        assert placeholder not in md
    html = letter.html()
    assert "<b>sans</b>" not in html and "&lt;b&gt;sans&lt;/b&gt;" in html
    assert "Marie *Dupont*" in letter.text()


def test_explanation_annex_shows_the_reconstructed_score_with_its_status(cnaf) -> None:
    house = build_household(cnaf, archetype="single-mother-rsa")
    exp = explain_household(cnaf, house, reference="none")
    md = render_letter("explanation", model=cnaf, lang="fr", explanation=exp, day=DAY).markdown
    assert "pas le calcul de votre organisme" in md
    assert "illustratif" in md
    spaced = md.replace("\u202f", " ").replace("\xa0", " ")
    assert "0,1359 (13,59 %)" in spaced  # the score as explain gives it
    assert "| RSA | oui | +0,600 | +0,600 | illustratif |" in md
    en = render_letter("explanation", model=cnaf, lang="en", explanation=exp, day=DAY).markdown
    assert "| RSA (minimum income) | yes | +0.600 | +0.600 | illustrative |" in en


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("suffix", [".md", ".txt", ".html", ".pdf", ".docx", ".odt"])
def test_every_format_is_written_atomically(cnaf, tmp_path, suffix) -> None:
    person = Person(name="Marie Dupont")
    letter = render_letter("access", model=cnaf, person=person, lang="fr", day=DAY)
    path = write_letter(letter, tmp_path / f"lettre{suffix}")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"lettre{suffix}"]
    if suffix == ".pdf":
        text = _pdf_text(path.read_bytes())
        flat = re.sub(r"\s+", " ", text).replace("’", "'")
        assert "Marie Dupont" in flat
        assert "article 15 du RGPD" in flat
        assert "conseil juridique" not in flat and "Textes cités" not in flat
        notes = _pdf_text(letter.notes().pdf())
        assert "ECLI:EU:C:2025:117" in re.sub(r"\s+", "", notes)  # may wrap after a colon
        assert "n'est pas un conseil juridique" in re.sub(r"\s+", " ", notes).replace("’", "'")
        return
    if suffix == ".docx":  # read back with python-docx: every paragraph of the letter
        import docx

        paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
        flat = "\n".join(paragraphs)
        assert "Marie Dupont" in flat and "article 15 du RGPD" in flat
        assert any(p.startswith("Madame, Monsieur") for p in paragraphs)
        assert "conseil juridique" not in flat
        return
    if suffix == ".odt":  # read back with odfpy
        from odf import teletype
        from odf import text as odf_text
        from odf.opendocument import load

        paragraphs = [
            teletype.extractText(p) for p in load(str(path)).getElementsByType(odf_text.P)
        ]
        flat = "\n".join(paragraphs)
        assert "Marie Dupont" in flat and "article 15 du RGPD" in flat
        assert "conseil juridique" not in flat
        return
    content = path.read_text(encoding="utf-8")
    assert "Marie Dupont" in content and "article 15 du RGPD" in content
    if suffix == ".txt":
        assert "**" not in content and "\\[" not in content
    if suffix == ".html":
        assert content.startswith("<!DOCTYPE html>") and '<html lang="fr">' in content
        head = content.split("<body>")[0]
        assert not re.search(r"https?:|//", head)  # no outside resource in the head
        assert '<meta http-equiv="Content-Security-Policy"' in head


def test_bad_kind_and_bad_format_are_refused(cnaf, tmp_path) -> None:
    with pytest.raises(LanterneError, match="unknown kind of letter 'complaint'"):
        render_letter("complaint", model=cnaf, lang="en")
    with pytest.raises(LanterneError) as info:
        letter_format(tmp_path / "lettre.rtf")
    assert ".rtf" in info.value.problems[0].message.render("en")


def test_catalog_identifiers_are_checked_and_unverified_ones_are_labelled() -> None:
    catalog = load_legal_catalog()
    for citation in catalog.articles:
        status = citation.article.verification.status
        if status == "verified":
            assert citation.identifiers(), citation.id
    bad = """\
lanterne_legal: 1
id: test
kind: code
title: {fr: Test, en: Test}
short: {fr: T, en: T}
cite_pattern: {fr: "article {number}{point} du T", en: "T Article {number}{point}"}
url: https://www.legifrance.gouv.fr/
articles:
  - id: t-1
    number: {fr: "1", en: "1"}
    identifier: LEGIART1234
    summary: {fr: s, en: s}
    can_ask: {fr: c, en: c}
    verification: {status: verified, note: {fr: n, en: n}}
"""
    with pytest.raises(SpecError) as info:
        load_legal_text(bad, "test.yaml")
    rendered = [p.message.render("en") for p in info.value.problems]
    assert any("identifier 'LEGIART1234' not recognised" in r for r in rendered), rendered
    # a "to check" reference is said to be so in the letter's list of texts
    letter = render_letter("explanation", model=load_model("fr-cnaf-2014"), lang="fr")
    assert "cité par son numéro, identifiant officiel non confirmé" in letter.notes_markdown
    assert "identifiant officiel non confirmé" not in letter.markdown


def test_a_missing_pdf_engine_is_a_clear_error(cnaf, tmp_path, monkeypatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    letter = render_letter("access", model=cnaf, lang="en", day=DAY)
    with pytest.raises(LanterneError) as info:
        write_letter(letter, tmp_path / "l.pdf")
    text = info.value.problems[0].message.render("en")
    assert "cannot write a PDF" in text and "libpango" in text and ".html" in text
    assert list(tmp_path.iterdir()) == []  # nothing half-written
