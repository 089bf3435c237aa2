"""Audit reports: one self-contained HTML file (and a PDF) a journalist, a judge or an
association can read.

* :func:`population_report` / :func:`selection_report` build a :class:`Report` from audits;
* :func:`render_html`, :func:`write_html`, :func:`write_pdf` render it.

See ``docs/report.md``.
"""

from lanterne.report.build import Report, population_report, selection_report
from lanterne.report.render import render_html, write_html, write_pdf

__all__ = [
    "Report",
    "population_report",
    "render_html",
    "selection_report",
    "write_html",
    "write_pdf",
]
