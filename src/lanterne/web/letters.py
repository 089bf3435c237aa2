"""The letters of "Mon score": who to write to, about which decision, and the downloads.

The letter form is part of the household form (posted, never in an address): the person's
details, the addressee (their Caf from the catalog list, or typed), the decision, its date
and the reasons. ``POST /score/download`` answers with the file: the explanation, the
letter alone (PDF, DOCX, ODT, HTML, TXT, MD) or the notes for the person.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from lanterne.contest.agencies import load_agencies
from lanterne.contest.letters import LETTER_KINDS, Letter, render_letter
from lanterne.i18n import Msg
from lanterne.io.std import json_text
from lanterne.model import Model
from lanterne.present.explanation import explanation_view
from lanterne.present.explanation_json import explanation_json
from lanterne.present.explanation_md import explanation_markdown
from lanterne.web.common import PageError, app_state
from lanterne.web.render import page_lang

router = APIRouter()

#: The letter's fields of the form (besides the person's details), kept when it is posted.
LETTER_FIELDS = ("letter_kind", "caf", "agency", "agency_address", "decision", "decision_date",
                 "reasons", "dpo")  # fmt: skip
PERSON_KEYS = ("name", "address", "file_number", "email", "phone", "city")
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "html": "text/html; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


@lru_cache(maxsize=1)
def caf_choices() -> list[tuple[str, str]]:
    """The Caf the letter form offers, by département (code, "59 — Caf du Nord")."""
    return [(a.code, f"{a.code[:3].upper()} — {a.name}") for a in load_agencies().agencies]


@lru_cache(maxsize=256)
def caf_options(lang: str, selected: str = "") -> Markup:
    """The ``<option>`` list of the Caf picker, rendered once per choice and language (101
    options: rendering them in the template on every result page costs milliseconds)."""
    first = Msg("— choisir (ou saisir ci-dessous) —", "— choose (or type below) —").render(lang)
    options = [f'<option value="">{escape(first)}</option>']
    for code, label in caf_choices():
        chosen = " selected" if code == selected else ""
        options.append(f'<option value="{escape(code)}"{chosen}>{escape(label)}</option>')
    return Markup("".join(options))


def letter_form(
    lang: str, country: str, person: dict[str, str | None], fields: dict[str, str], agency: str
) -> Markup:
    """The letter part of the score form. Untouched (nothing typed), it is the same for
    every household: rendered once per language and country; with what a person typed, it
    is rendered for that request only (nothing personal is kept, even in memory)."""
    typed = any(person.values()) or agency or any(v for k, v in fields.items() if k != "dpo")
    if typed or fields.get("dpo", "1") != "1":
        return _letter_form(lang, country, person, fields, agency)
    return _blank_letter_form(lang, country)


@lru_cache(maxsize=8)
def _blank_letter_form(lang: str, country: str) -> Markup:
    return _letter_form(lang, country, {}, {}, "")


def _letter_form(
    lang: str, country: str, person: dict[str, Any], fields: dict[str, str], agency: str
) -> Markup:
    from lanterne.contest.letters import LETTER_KINDS as KINDS
    from lanterne.i18n import tr
    from lanterne.web.render import environment
    from lanterne.web.score import LETTER_FORMATS

    html = (
        environment()
        .get_template("_letter.html")
        .render(
            lang=lang,
            t=lambda fr, en, /, **params: tr(fr, en, lang, **params),
            country=country,
            person={
                k: person.get(k)
                for k in ("name", "address", "file_number", "email", "phone", "city")
            },
            lf=fields,
            agency=agency,
            letter_kinds=KINDS,
            letter_formats=LETTER_FORMATS,
            caf_options=caf_options,
        )
    )
    return Markup(html)


def letter_form_values(form: Any) -> dict[str, str]:
    """The letter fields of a posted form, as typed (shown again on the page).

    >>> letter_form_values({"caf": "59", "dpo": "1", "x": "y"})["caf"]
    '59'
    """
    values = {k: str(form.get(k, "") or "").strip() for k in LETTER_FIELDS}
    if not form.get("letter_kind"):  # the letter part not posted yet: the copy is ticked
        values["dpo"] = "1"
    return values


def model_in_force(models: dict[str, Model], model: Model, day: dt.date) -> Model:
    """The served model of the same agency in use on ``day`` (else ``model``): a letter
    about a 2027 decision names the model of 2026 on, not the 2014–2018 one."""
    if model.spec.years[0] <= day.year <= (model.spec.years[1] or 9999):
        return model
    for other in models.values():
        first, last = other.spec.years
        if other.spec.agency == model.spec.agency and first <= day.year <= (last or 9999):
            return other
    return model


def _bad(fr: str, en: str, **params: object) -> PageError:
    return PageError(400, Msg(fr, en, **params))


@router.post("/score/download")
async def download(request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_download, request, form)


def _download(request: Request, form: FormData) -> Response:
    from lanterne.web.score import DOWNLOADS, _household, explain

    lang = page_lang(request)
    model, house, error = _household(request, form)
    if house is None:
        raise error
    what = str(form.get("download", ""))
    if what not in DOWNLOADS:
        raise _bad(
            "téléchargement inconnu « {w} » : attendu {v}",
            "unknown download '{w}': expected {v}",
            w=what,
            v=", ".join(DOWNLOADS),
        )
    stem, ext = what.rsplit(".", 1)
    if stem == "explanation":
        exp = explain(request, model, house)
        view = explanation_view(exp)
        if ext == "json":
            body = json_text(explanation_json(exp, lang, view)).encode()
            return _attachment(body, "application/json", f"lanterne-{model.id}-explanation.json")
        text = explanation_markdown(view, lang)
        return _attachment(text.encode(), MEDIA["txt"], f"lanterne-{model.id}-explanation.txt")
    fields = letter_form_values(form)
    kind = stem.removeprefix("letter-") if stem.startswith("letter-") else fields["letter_kind"]
    if kind not in LETTER_KINDS:
        kind = "explanation"
    letter = _letter(request, form, model, house, kind, fields, lang)
    if stem == "notes":
        return _attachment(
            letter.notes().encoded(ext), MEDIA[ext], f"lanterne-{kind}-notes-{lang}.{ext}"
        )
    return _attachment(letter.encoded(ext), MEDIA[ext], f"lanterne-{kind}-{lang}.{ext}")


def _letter(
    request: Request,
    form: FormData,
    model: Model,
    house: Any,
    kind: str,
    fields: dict[str, str],
    lang: str,
) -> Letter:
    from lanterne.web.score import explain

    decided = None
    if fields["decision_date"]:
        try:
            decided = dt.date.fromisoformat(fields["decision_date"])
        except ValueError:
            raise _bad(
                "date de la décision : une date AAAA-MM-JJ est attendue, reçu « {d} »",
                "date of the decision: a date YYYY-MM-DD is expected, got '{d}'",
                d=fields["decision_date"][:40],
            ) from None
    named = model_in_force(app_state(request).models, model, decided) if decided else model
    caf = load_agencies().get(fields["caf"]) if fields["caf"] else None
    agency = fields["agency"] or (caf.legal_name if caf else None)
    address = fields["agency_address"] or ("\n".join(caf.address) if caf and caf.address else None)
    return render_letter(
        kind,
        model=named,
        person=house.person,
        lang=lang,
        agency=agency,
        agency_address=address,
        decision=fields["decision"] or None,
        decision_date=decided,
        reasons=fields["reasons"] or None,
        dpo_copy=fields["dpo"] == "1",
        explanation=explain(request, model, house) if kind == "explanation" else None,
    )


def _attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
