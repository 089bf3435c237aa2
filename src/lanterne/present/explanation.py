"""The explanation of one household's score, as one object every front end lays out.

:func:`explanation_view` decides the content of an
:class:`~lanterne.explain.Explanation` once: the headline, where the household stands,
the table of contributions with the column headers and the starting row that fit the
model's kind (weights for a logistic model or a scorecard, split counts for a tree
ensemble, bins for an additive model), the sentences, the comparison with a reference
household and the provenance of every number. Texts are :class:`~lanterne.i18n.Msg`
(both languages), numbers are already written the way each language writes them. The
terminal (``lanterne explain``), the web page, the Markdown and JSON downloads and the
letters' annex render this object and nothing else, so they cannot disagree.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain import build_household, explain_household
    >>> model = load_model("fr-cnaf-2014")
    >>> exp = explain_household(model, build_household(model, archetype="single-mother-rsa"))
    >>> view = explanation_view(exp)
    >>> [h.render("en") for h in view.table.headers]
    ['Element', 'Value', 'Weight', 'Contribution', 'Status']
    >>> view.table.base.title.render("fr"), view.table.total.contribution.render("en")
    ('Constante', '−1.850')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from lanterne.explain.explanation import Contribution, Explanation
from lanterne.explain.sentences import (
    base_sentence,
    contribution_sentence,
    describe_value,
    signed,
    zero_sentence,
)
from lanterne.i18n import Msg, Num, get_lang, normalise_lang, pick
from lanterne.present.explanation_plain import plain_lines
from lanterne.provenance import source_citation, status_explanation, status_label

#: Decimals of the contributions, the starting value and the total in every table.
DIGITS = 3


class Words(Msg):
    """A text written by ``text(lang)``, computed the first time each language is shown
    (a page shows one language: the other one is never written), then kept.

    Two texts are equal when they read the same in both languages.

    >>> Words(lambda lang: signed(1234.5, lang, 1)).render("en")
    '+1,234.5'
    >>> Words(lambda lang: lang) == Msg("fr", "en"), Words(lambda lang: lang) == Msg("fr", "fr")
    (True, False)
    """

    def __init__(self, text: Callable[[str], str]) -> None:
        super().__init__("", "")
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_said", {})

    def render(self, lang: str | None = None) -> str:
        code = normalise_lang(lang) if lang else get_lang()
        said = self._said  # type: ignore[attr-defined]
        if code not in said:
            said[code] = self._text(code)  # type: ignore[attr-defined]
        return said[code]

    def _both(self) -> tuple[str, str]:
        return self.render("fr"), self.render("en")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Msg):
            return self._both() == (other.render("fr"), other.render("en"))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._both())

    def __repr__(self) -> str:
        return f"Words{self._both()!r}"


def both(text: Callable[[str], str]) -> Msg:
    """A text in both languages, written by ``text(lang)`` when it is shown."""
    return Words(text)


def signed_msg(value: float, digits: int = DIGITS) -> Msg:
    """A signed number (true minus sign) in both languages.

    >>> signed_msg(-0.5).render("fr")
    '−0,500'
    """
    return both(lambda lang: signed(value, lang, digits))


def text_msg(text: object) -> Msg:
    """A bilingual text of a spec (a missing language falls back on the other).

    >>> text_msg({"fr": "Revenu", "en": ""}).render("en")
    'Revenu'
    """
    return both(lambda lang: pick(text, lang))


EMPTY = Msg("", "")


@dataclass(frozen=True)
class Row:
    """One line of the table of contributions (the starting value, a term, or the total)."""

    title: Msg
    value: Msg  # the household's value, as a reader expects it
    weight: Msg  # the term's weight, split count or bin
    contribution: Msg  # signed, :data:`DIGITS` decimals
    number: float  # the contribution itself
    status: str | None  # provenance status of the number (None on the total row)
    source: Msg | None = None  # citation of the number's source
    term: str | None = None  # the model's term (None on the starting and total rows)
    sentence: Msg | None = None  # what the term does to the score, in words

    @property
    def sign(self) -> Literal["up", "down", ""]:
        """``up`` when the row raises the score, ``down`` when it lowers it."""
        return "up" if self.number > 0 else ("down" if self.number < 0 else "")

    def status_text(self, lang: str | None = None) -> str:
        """The status in words (empty on the total row)."""
        return status_label(self.status, lang) if self.status else ""


@dataclass(frozen=True)
class ContributionTable:
    """What makes up the score: the starting row, one row per term, the total."""

    title: Msg
    headers: tuple[Msg, ...]  # element, value, weight (per model kind), contribution, status
    base: Row
    rows: tuple[Row, ...]
    total: Row
    additive: bool  # base + contributions == margin

    @property
    def check(self) -> str:
        """✓ when the rows add up exactly to the total, ≈ when they do not."""
        return "✓" if self.additive else "≈"


@dataclass(frozen=True)
class Comparison:
    """The comparison with a reference household, term by term."""

    title: Msg
    headers: tuple[Msg, ...]  # element, you, reference, difference
    rows: tuple[tuple[Msg, ...], ...]  # terms whose contribution differs, largest first
    total: tuple[Msg, ...]
    summary: Msg  # the reference's score and the difference of margins


@dataclass(frozen=True)
class ExplanationView:
    """Everything shown about one household's score, in both languages."""

    model_id: str
    model_name: Msg
    household: Msg
    ignored: tuple[str, ...]  # variables given for other models
    warnings: tuple[Msg, ...]
    score: float
    score_text: Msg  # "0,0694 (6,94 %)"
    score_percent: Msg  # "6,9 %"
    margin_name: Msg  # log-odds or points
    margin_text: Msg  # signed, 4 decimals
    percentile: float | None
    threshold: float | None
    selected: bool | None
    standing: tuple[Msg, ...]  # rank in the population, targeting rule and verdict
    plain: tuple[Msg, ...]  # the same in plain words: what the score predicts, how far
    table: ContributionTable
    sentences: tuple[Msg, ...]
    comparison: Comparison | None
    sensitive: tuple[Msg, ...]  # sensitive variables, never read by the model
    status: str  # the model's overall status
    status_explanation: Msg
    status_note: Msg | None
    sources: tuple[Msg, ...]  # every source of the numbers, once, sorted

    @property
    def headline(self) -> Msg:
        """``Score : 0,0694 (6,94 %)`` (each front end sets it in bold its own way)."""
        return Msg("Score : {s}", "Score: {s}", s=self.score_text)

    @property
    def margin_line(self) -> Msg:
        """``log-cote : −2,5957``."""
        return Msg("{m} : {v}", "{m}: {v}", m=self.margin_name, v=self.margin_text)

    @property
    def sensitive_line(self) -> Msg:
        """The sentence naming the sensitive variables, never read by the model."""
        return Msg(
            "Variables sensibles, jamais utilisées par ce modèle : {v}.",
            "Sensitive variables, never used by this model: {v}.",
            v=both(lambda lang: ", ".join(m.render(lang) for m in self.sensitive)),
        )

    def top(self, n: int = 3) -> tuple[Row, ...]:
        """The ``n`` terms that weigh most (non-zero contributions only)."""
        return tuple(r for r in self.table.rows if r.number)[:n]


# --------------------------------------------------------------------------- building


def explanation_view(exp: Explanation) -> ExplanationView:
    """The content of ``exp``, decided once for every front end (see the module's example)."""
    spec = exp.model.spec
    status = spec.overall_status()
    sources = {source_citation(c.source, "fr"): c.source for c in exp.contributions if c.source}
    if exp.base_source is not None:
        sources[source_citation(exp.base_source, "fr")] = exp.base_source
    table = contribution_table(exp)
    return ExplanationView(
        model_id=spec.id,
        model_name=text_msg(spec.name),
        household=both(lambda lang: exp.household.describe(lang) or "—"),
        ignored=tuple(exp.household.ignored),
        warnings=tuple(exp.warnings),
        score=exp.score,
        score_text=Msg(
            "{n} ({p})", "{n} ({p})", n=Num(exp.score, digits=4), p=Num(exp.score, "percent", 2)
        ),
        score_percent=Msg("{p}", "{p}", p=Num(exp.score, "percent", 1)),
        margin_name=exp.margin_name,
        margin_text=signed_msg(exp.margin, 4),
        percentile=exp.standing.percentile,
        threshold=exp.standing.threshold,
        selected=exp.standing.selected,
        standing=standing_lines(exp),
        plain=plain_lines(exp),
        table=table,
        sentences=sentences(table),
        comparison=comparison(exp),
        sensitive=tuple(_variable_label(exp, n) for n in exp.sensitive_variables),
        status=status,
        status_explanation=both(lambda lang: status_explanation(status, lang)),
        status_note=text_msg(spec.status_note) if spec.status_note else None,
        sources=tuple(
            both(lambda lang, s=s: source_citation(s, lang))  # type: ignore[misc]
            for _, s in sorted(sources.items())
        ),
    )


def weight_heading(exp: Explanation) -> Msg:
    """The heading of the weight column: "Splits" for tree ensembles, "Bin" for additive
    models, "Weight" otherwise."""
    if exp.tree_model:
        return Msg("Divisions", "Splits")
    if exp.shape_model:
        return Msg("Classe", "Bin")
    return Msg("Poids", "Weight")


def base_label(exp: Explanation) -> Msg:
    """What the starting value is called: the intercept, or a tree ensemble's average."""
    if exp.tree_model:
        return Msg("Valeur moyenne (départ)", "Average value (start)")
    return Msg("Constante", "Intercept")


def weight_text(exp: Explanation, c: Contribution) -> Msg:
    """A term's weight as shown: its bin, its split count (a whole number), or its weight."""
    if c.bin is not None:
        return both(c.bin.label)
    if exp.tree_model:
        return Msg("{n}", "{n}", n=Num(c.weight, digits=0))
    return signed_msg(c.weight)


def sentence(exp: Explanation, c: Contribution) -> Msg:
    """The plain sentence for one contribution."""
    return both(
        lambda lang: contribution_sentence(
            c.title(lang),
            c.shown_value(lang),
            c.contribution,
            link=exp.model.link,
            score=exp.score,
            score_without=c.score_without,
            lang=lang,
        )
    )


def contribution_table(exp: Explanation) -> ContributionTable:
    """The table of contributions, with the headers and starting row of the model's kind."""
    rows = tuple(
        Row(
            title=both(c.title),
            value=both(lambda lang, c=c: describe_value(c.value, lang)),  # type: ignore[misc]
            weight=weight_text(exp, c),
            contribution=signed_msg(c.contribution),
            number=c.contribution,
            status=c.status,
            source=_citation(c.source),
            term=c.name,
            sentence=sentence(exp, c),
        )
        for c in exp.contributions
    )
    base = Row(
        title=base_label(exp),
        value=EMPTY,
        weight=EMPTY,
        contribution=signed_msg(exp.base),
        number=exp.base,
        status=exp.base_status,
        source=_citation(exp.base_source),
        sentence=both(
            lambda lang: base_sentence(
                exp.base, link=exp.model.link, base_score=exp.base_score, lang=lang
            )
        ),
    )
    total = Row(
        title=Msg("Total", "Total"),
        value=EMPTY,
        weight=EMPTY,
        contribution=signed_msg(exp.margin),
        number=exp.margin,
        status=None,
    )
    return ContributionTable(
        title=Msg("Ce qui compose le score", "What makes up the score"),
        headers=(
            Msg("Élément", "Element"),
            Msg("Valeur", "Value"),
            weight_heading(exp),
            Msg("Contribution", "Contribution"),
            Msg("Statut", "Status"),
        ),
        base=base,
        rows=rows,
        total=total,
        additive=exp.additive,
    )


def sentences(table: ContributionTable) -> tuple[Msg, ...]:
    """The starting point, one sentence per element that counts, then those that do not."""
    out = [table.base.sentence] + [r.sentence for r in table.rows if r.number != 0]
    zeros = [r.title for r in table.rows if r.number == 0]
    if zeros:
        out.append(both(lambda lang: zero_sentence([t.render(lang) for t in zeros], lang)))
    return tuple(m for m in out if m is not None)


def _population_name(name: str | None) -> Msg:
    """`` (the file 'x.csv')`` after "the comparison population"; nothing for the synthetic
    population generated in memory (its name is an internal word, not a file)."""
    if not name or name in ("synthetic", "synthétique"):
        return EMPTY
    return Msg(" (fichier « {f} »)", " (file '{f}')", f=name)


def standing_lines(exp: Explanation) -> tuple[Msg, ...]:
    """Where the household stands in the population, and what the targeting rule decides."""
    st = exp.standing
    out = []
    if st.percentile is not None:
        out.append(
            Msg(
                "Votre score est supérieur ou égal à celui de {p} des {n} foyers de la "
                "population de comparaison{pop}.",
                "Your score is higher than or equal to that of {p} of the {n} households "
                "of the comparison population{pop}.",
                p=Num(st.percentile, "percent", 1),
                n=Num(st.n or 0, digits=0),
                pop=_population_name(st.population),
            )
        )
    if st.threshold is None:
        out.append(
            Msg(
                "Règle de ciblage : {r}. Sans population, le rang et la sélection ne "
                "peuvent pas être calculés pour cette règle : donnez une population de "
                "comparaison ou un seuil.",
                "Targeting rule: {r}. Without a population, the rank and the selection "
                "cannot be computed for this rule: give a comparison population or a "
                "threshold.",
                r=st.rule.describe(),
            )
        )
        return tuple(out)
    where = (
        Msg(" sur cette population", " in this population")
        if st.rule.top_share is not None
        else EMPTY
    )
    verdict = (
        Msg(
            "ce foyer serait sélectionné pour un contrôle",
            "this household would be selected for inspection",
        )
        if st.selected
        else Msg("ce foyer ne serait pas sélectionné", "this household would not be selected")
    )
    out.append(
        Msg(
            "Règle de ciblage : {r} ; seuil{w} : {t} ({tp}) → {v}.",
            "Targeting rule: {r}; threshold{w}: {t} ({tp}) → {v}.",
            r=st.rule.describe(),
            w=where,
            t=Num(st.threshold, digits=4),
            tp=Num(st.threshold, "percent", 2),
            v=verdict,
        )
    )
    return tuple(out)


def comparison(exp: Explanation) -> Comparison | None:
    """The comparison with the reference household, when there is one."""
    ref = exp.reference
    if ref is None:
        return None
    rows = tuple(
        (
            both(c.title),
            signed_msg(c.contribution),
            signed_msg(c.reference or 0.0),
            signed_msg(c.difference),
        )
        for c in exp.sorted_differences()
        if c.difference
    )
    return Comparison(
        title=Msg("Comparaison avec {r}", "Comparison with {r}", r=ref.label),
        headers=(
            Msg("Élément", "Element"),
            Msg("Vous", "You"),
            Msg("Référence", "Reference"),
            Msg("Écart", "Difference"),
        ),
        rows=rows,
        total=(
            Msg("Total", "Total"),
            signed_msg(exp.margin),
            signed_msg(ref.margin),
            signed_msg(exp.margin - ref.margin),
        ),
        summary=Msg(
            "Score de référence : {s} ({m} {v}) ; écart de {m} : {d}.",
            "Reference score: {s} ({m} {v}); difference in {m}: {d}.",
            s=Num(ref.score, "percent", 2),
            m=exp.margin_name,
            v=signed_msg(ref.margin),
            d=signed_msg(exp.margin - ref.margin),
        ),
    )


def _variable_label(exp: Explanation, name: str) -> Msg:
    var = exp.model.spec.variable(name)
    return text_msg(var.label) if var is not None and var.label else Msg(name, name)


def _citation(source: object) -> Msg | None:
    if source is None:
        return None
    return both(lambda lang: source_citation(source, lang))  # type: ignore[arg-type]
