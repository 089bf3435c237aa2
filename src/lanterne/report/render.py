"""Render a :class:`~lanterne.report.build.Report` to one self-contained HTML file, and to PDF.

The HTML inlines its style sheet and charts (SVG); it loads nothing from anywhere, which
:func:`~lanterne.report.selfcontained.external_resources` checks before writing. The PDF is
made from the same HTML by WeasyPrint, with a fetcher that refuses any URL, so that making
a PDF never touches the network either. Files are written atomically.

Example:
    >>> from lanterne.audit import audit_population
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.model import load_model
    >>> from lanterne.report.build import population_report
    >>> model = load_model("fr-cnaf-2014")
    >>> audit = audit_population(model, sample_path(), group_cols=["sex"], keep_rows=True)
    >>> html = render_html(population_report([model], [audit], data=None, lang="en"))
    >>> html.startswith("<!DOCTYPE html>") and 'lang="en"' in html
    True
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import jinja2
import markupsafe

from lanterne.errors import LanterneError, Problem
from lanterne.htmlsafe import pdf_url_fetcher
from lanterne.i18n import Msg, french_spacing
from lanterne.io.atomic import atomic_path, write_text_atomic
from lanterne.report.build import Report
from lanterne.report.selfcontained import external_resources
from lanterne.report.texts import headings

TEMPLATES = Path(__file__).parent / "templates"

#: The report's own Content-Security-Policy, in a ``<meta>`` tag: opened from a disk, an
#: e-mail or an archive, no script runs in it (not even one smuggled in by a column name),
#: and it loads nothing: styles are inline, images (none today) only ``data:``.
CSP = (
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)


def _french(value: object) -> object:
    """Every text a French report shows, spaced the French way (charts' SVG left as drawn)."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return french_spacing(value)
    return value


@cache
def _environment(lang: str = "en") -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=_french if lang == "fr" else None,
    )


def _toc(report: Report, t: dict[str, str]) -> list[tuple[str, str]]:
    titles = {s.id: s.title for s in report.sections}
    fixed = {k: t[k] for k in ("summary", "provenance", "appendix", "method", "reproducibility")}
    return [(i, titles.get(i) or fixed[i]) for i in report.section_ids]


def render_html(report: Report) -> str:
    """The report as one HTML document (a string)."""
    t = headings(report.lang)
    html = (
        _environment(report.lang)
        .get_template("report.html.j2")
        .render(
            report=report,
            t=t,
            toc=_toc(report, t),
            css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
            csp=CSP,
        )
    )
    found = external_resources(html)
    if found:  # a bug, never the user's fault: refuse rather than write a leaky report
        raise RuntimeError(f"the report would load external resources: {found[:3]}")
    return html


def write_html(report: Report, path: str | os.PathLike[str]) -> Path:
    """Render and write the HTML report atomically; returns the path written."""
    html = render_html(report)
    write_text_atomic(Path(path), html)
    return Path(path)


def write_pdf(report: Report | str, path: str | os.PathLike[str]) -> Path:
    """Write the report (or its already rendered HTML) as PDF, atomically.

    Section headings become the PDF's bookmarks (its outline).
    """
    from lanterne.extras import require

    require("pdf")
    try:
        import weasyprint
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise LanterneError(
            Problem(
                Msg(
                    "impossible de créer le PDF : WeasyPrint n'est pas disponible ({e})",
                    "cannot make the PDF: WeasyPrint is not available ({e})",
                    e=err,
                )
            )
        ) from None
    html = report if isinstance(report, str) else render_html(report)
    document = weasyprint.HTML(string=html, url_fetcher=pdf_url_fetcher())
    with atomic_path(Path(path)) as tmp:
        document.write_pdf(tmp)
    return Path(path)
