"""The audit page: upload a CSV or Parquet file, get the population or random-baseline report.

The upload is streamed into a temporary directory (the size limit is enforced while it
streams, see :mod:`lanterne.web.security`), audited, and the directory is deleted before
the response leaves, on every way out (:mod:`lanterne.web.uploads`): nothing is kept.
The report is shown, or sent as an HTML or PDF file to save.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from lanterne.audit import audit_population, audit_selection
from lanterne.audit.chunks import open_source
from lanterne.audit.defaults import default_group_cols
from lanterne.defaults import DEFAULT_MIN_CELL
from lanterne.errors import LanterneError
from lanterne.i18n import Msg, format_number, tr
from lanterne.report import Report, population_report, render_html, selection_report
from lanterne.report.build import nonrecours_report
from lanterne.rights.simulate import default_month
from lanterne.web.common import PageError, app_state, get_model
from lanterne.web.render import page, page_lang
from lanterne.web.uploads import safe_upload_name, upload_folder

router = APIRouter()

SUFFIXES = (".csv", ".parquet")
ACTIONS = ("view", "html", "pdf")
KINDS = ("population", "selection", "nonrecours")
#: Non-take-up audit: households per OpenFisca simulation, and the most this page computes
#: (OpenFisca-France runs at a few thousand households per second in one process; larger
#: files go through ``lanterne audit nonrecours``, which uses several processes).
NONRECOURS_CHUNK = 10_000
NONRECOURS_MAX_ROWS = 100_000
#: Bootstrap resamples of a random-baseline audit made on this page.
BOOTSTRAP = 200


@router.get("/audit", response_class=HTMLResponse)
async def audit_form(request: Request) -> HTMLResponse:
    return _form(request, page_lang(request))


def _form(
    request: Request, lang: str, *, problems: list[Msg] | None = None, status_code: int = 200
) -> HTMLResponse:
    state = app_state(request)
    columns = sorted({v.name for m in state.models.values() for v in m.spec.variables})
    mb = state.max_upload_bytes / (1024 * 1024)
    return page(
        request,
        "audit.html",
        lang,
        status_code=status_code,
        models=list(state.models),
        columns=columns,
        default_groups=default_groups(request),
        limit=format_number(mb, lang, 0 if mb >= 1 else 2),
        nonrecours_max=format_number(NONRECOURS_MAX_ROWS, lang, 0),
        nonrecours_month=default_month(),
        problems=problems or [],
    )


def _bad(status: int, fr: str, en: str, **params: object) -> PageError:
    return PageError(status, Msg(fr, en, **params))


def _columns(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"[,;\s]+", text) if c.strip()]


def _shown(name: str, limit: int = 120) -> str:
    """A file name as the browser sent it, cut short for a message."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


@router.post("/audit")
async def run_audit(request: Request) -> Response:
    lang = page_lang(request)
    form = await request.form(max_files=1, max_fields=50)
    try:  # in a thread: a long audit does not hold the other pages
        return await run_in_threadpool(_audit, request, form, lang)
    finally:
        await form.close()


def _audit(request: Request, form: FormData, lang: str) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise _bad(
            400,
            "aucun fichier reçu : choisissez un fichier CSV ou Parquet.",
            "no file received: choose a CSV or Parquet file.",
        )
    name = safe_upload_name(upload.filename)
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise _bad(
            415,
            "« {f} » n'est ni un fichier CSV (.csv) ni un fichier Parquet (.parquet).",
            "'{f}' is neither a CSV (.csv) nor a Parquet (.parquet) file.",
            f=_shown(upload.filename),
        )
    kind = str(form.get("kind", "population"))
    action = str(form.get("action", "view"))
    if kind not in KINDS or action not in ACTIONS:
        raise _bad(400, "formulaire incomplet.", "incomplete form.")
    groups = _columns(str(form.get("groups", "")))
    with upload_folder() as folder:
        tmp = str(folder)
        path = folder / name
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1024 * 1024)
        if path.stat().st_size == 0:
            raise _bad(400, "le fichier « {f} » est vide.", "the file '{f}' is empty.", f=name)
        groups = _groups(request, form, path, groups)
        try:
            if kind == "population":
                report = _population(request, form, path, groups, lang)
            elif kind == "nonrecours":
                report = _nonrecours(request, form, path, groups, lang)
            else:
                report = _selection(request, form, path, groups, lang)
        except LanterneError as exc:  # name the user's file, not the temporary directory
            where = f"{tmp}{os.sep}"
            raise PageError(
                400,
                [
                    Msg(p.render("fr").replace(where, ""), p.render("en").replace(where, ""))
                    for p in exc.problems
                ],
            ) from None
        html = render_html(report)
        if action == "pdf":
            from lanterne.report import write_pdf

            out_pdf = Path(tmp) / "report.pdf"
            write_pdf(html, out_pdf)
            body = out_pdf.read_bytes()
            return _attachment(body, "application/pdf", f"lanterne-report-{lang}.pdf")
    if action == "html":
        return _attachment(
            html.encode(), "text/html; charset=utf-8", f"lanterne-report-{lang}.html"
        )
    return HTMLResponse(_with_back_link(html, lang))


def default_groups(request: Request) -> str:
    """The form's pre-filled group columns: the default list of the served models (left as
    is, the columns the file lacks are skipped)."""
    return ", ".join(default_group_cols(list(app_state(request).models.values())))


def _groups(request: Request, form: FormData, path: Path, asked: list[str]) -> list[str]:
    """The columns asked for; the default list (as in ``lanterne report``) if none, or if
    the pre-filled default was left as is (then only the columns the file has)."""
    if asked and asked != _columns(default_groups(request)):
        return asked
    try:
        columns = open_source(path).columns
    except LanterneError:
        return asked  # the audit itself reports what is wrong with the file
    ids = [str(v) for v in form.getlist("models")]
    models = [get_model(request, i) for i in ids if i in app_state(request).models]
    found = default_group_cols(models, columns)
    if not found:
        raise _bad(
            400,
            "indiquez au moins une colonne de groupe (par exemple sex).",
            "give at least one group column (for example sex).",
        )
    return found


def _with_back_link(html: str, lang: str) -> str:
    """The report as shown in the app: a link back to the audit form above it."""
    body = html.find("<body")
    end = html.find(">", body) + 1 if body >= 0 else 0
    text = tr("← Nouvel audit", "← New audit", lang)
    link = f'<p><a href="/audit?lang={lang}">{text}</a></p>'
    return html[:end] + link + html[end:]


def _population(
    request: Request, form: FormData, path: Path, groups: list[str], lang: str
) -> Report:
    ids = [str(v) for v in form.getlist("models")]
    if not ids:
        raise _bad(400, "choisissez au moins un modèle.", "choose at least one model.")
    models = [get_model(request, i) for i in ids]
    audits = [audit_population(m, path, group_cols=groups, keep_rows=True) for m in models]
    return population_report(
        models,
        audits,
        data=path,
        lang=lang,
        command=reproduce_command(ids, path.name, groups, lang),
    )


def reproduce_command(models: list[str], data: str, groups: list[str], lang: str) -> str:
    """The ``lanterne report`` line that makes the same report from the same file.

    >>> reproduce_command(["fr-cnaf-2014"], "my file.csv", ["sex"], "en")
    "lanterne report fr-cnaf-2014 'my file.csv' -g sex --min-cell 10 -o report.html --lang en"
    """
    args = ["lanterne", "report", models[0], data]
    for other in models[1:]:
        args += ["--compare", other]
    for group in groups:
        args += ["-g", group]
    args += ["--min-cell", str(DEFAULT_MIN_CELL), "-o", "report.html", "--lang", lang]
    return shlex.join(args)


def _nonrecours(
    request: Request, form: FormData, path: Path, groups: list[str], lang: str
) -> Report:
    from lanterne.io.tables import read_table
    from lanterne.rights.audit import audit_nonrecours

    model = get_model(request, str(form.get("nonrecours_model", "")).strip() or None)
    month = str(form.get("month", "")).strip() or default_month()
    frame = read_table(path)
    if frame.height > NONRECOURS_MAX_ROWS:
        raise _bad(
            413,
            "« {f} » compte {n} foyers : cette page calcule le non-recours d'au plus {m} "
            "foyers (OpenFisca-France est lent). Pour un fichier plus grand : lanterne "
            "audit nonrecours {f} --report rapport.html.",
            "'{f}' has {n} households: this page computes non-take-up for at most {m} "
            "households (OpenFisca-France is slow). For a larger file: lanterne audit "
            "nonrecours {f} --report report.html.",
            f=path.name,
            n=frame.height,
            m=NONRECOURS_MAX_ROWS,
        )
    audit = audit_nonrecours(
        frame,
        month,
        group_cols=groups,
        model=model.id,
        chunk_rows=NONRECOURS_CHUNK,
        progress=False,
        workers=1,
        file=str(path),
    )
    return nonrecours_report(
        audit,
        data=path,
        lang=lang,
        models=[model],
        command=shlex.join(
            [
                "lanterne",
                "audit",
                "nonrecours",
                path.name,
                "--month",
                month,
                "--model",
                model.id,
                *_flags("-g", groups),
                "--report",
                "report.html",
                "--lang",
                lang,
            ]
        ),
    )


def _selection(
    request: Request, form: FormData, path: Path, groups: list[str], lang: str
) -> Report:
    def need(key: str) -> str:
        value = str(form.get(key, "")).strip()
        if not value:
            raise _bad(
                400,
                "champ obligatoire pour un audit par échantillon aléatoire : {k}.",
                "required field for a random-baseline audit: {k}.",
                k=key,
            )
        return value

    selection, random, outcome = need("selection_col"), need("random_value"), need("outcome_col")
    negatives = _columns(need("negative_values"))
    audit = audit_selection(
        path,
        selection_col=selection,
        random_value=random,
        outcome_col=outcome,
        negative_values=negatives,
        group_cols=groups,
        bootstrap=BOOTSTRAP,
    )
    command = shlex.join(
        [
            "lanterne",
            "audit",
            "selection",
            path.name,
            "--selection-col",
            selection,
            "--random-value",
            random,
            "--outcome-col",
            outcome,
            *_flags("--negative-value", negatives),
            *_flags("-g", groups),
            "--bootstrap",
            str(BOOTSTRAP),
            "--report",
            "report.html",
            "--lang",
            lang,
        ]
    )
    return selection_report(audit, data=path, lang=lang, command=command)


def _flags(flag: str, values: list[str]) -> list[str]:
    """``flag`` before each value: ``["-g", "sex", "-g", "qpv"]``."""
    return [part for value in values for part in (flag, value)]


def _attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
