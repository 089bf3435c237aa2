"""The explanation as Markdown: the file ``explanation.txt`` the web page offers.

It lays out the :class:`~lanterne.present.explanation.ExplanationView` the terminal and the
web page show: same headings, same rows, same numbers.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain import build_household, explain_household
    >>> from lanterne.present.explanation import explanation_view
    >>> model = load_model("fr-cnaf-2014")
    >>> exp = explain_household(model, build_household(model, archetype="single-mother-rsa"))
    >>> text = explanation_markdown(explanation_view(exp), "en")
    >>> text.splitlines()[0]
    '# Explanation of the score — CNAF "datamining" risk score (2014–2018 version)'
    >>> "| Element | Value | Weight | Contribution | Status |" in text
    True
"""

from __future__ import annotations

from collections.abc import Iterable

from lanterne.i18n import Msg
from lanterne.present.explanation import ExplanationView, Row


def _line(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _row(row: Row, lang: str | None) -> str:
    return _line(
        [
            row.title.render(lang),
            row.value.render(lang),
            row.weight.render(lang),
            row.contribution.render(lang),
            row.status_text(lang),
        ]
    )


def explanation_markdown(view: ExplanationView, lang: str | None = None) -> str:
    """The explanation as plain text (Markdown), in ``lang``."""
    lines = [
        "# "
        + Msg(
            "Explication du score — {m}", "Explanation of the score — {m}", m=view.model_name
        ).render(lang),
        "",
        Msg("Foyer : {h}", "Household: {h}", h=view.household).render(lang),
        "",
    ]
    for warning in view.warnings:
        lines += [f"> {warning.render(lang)}", ""]
    lines += [f"**{view.headline.render(lang)}** — {view.margin_line.render(lang)}", ""]
    lines += [f"- {s.render(lang)}" for s in view.standing]
    table = view.table
    lines += ["", f"## {table.title.render(lang)}", ""]
    lines.append(_line(h.render(lang) for h in table.headers))
    lines.append("|---|---|---|---|---|")
    lines += [_row(table.base, lang)] + [_row(r, lang) for r in table.rows]
    total = table.total
    lines.append(
        _line(
            [
                f"**{total.title.render(lang)}**",
                "",
                "",
                f"**{total.contribution.render(lang)}**",
                table.check,
            ]
        )
    )
    lines += [""] + [f"- {s.render(lang)}" for s in view.sentences]
    if view.comparison is not None:
        comp = view.comparison
        lines += ["", f"## {comp.title.render(lang)}", "", comp.summary.render(lang), ""]
        lines.append(_line(h.render(lang) for h in comp.headers))
        lines.append("|---|---|---|---|")
        lines += [_line(cell.render(lang) for cell in row) for row in comp.rows]
        lines.append(_line(f"**{cell.render(lang)}**" for cell in comp.total))
    if view.sensitive:
        lines += ["", view.sensitive_line.render(lang)]
    return "\n".join(lines) + "\n"
