"""The rights answer of one household: per benefit, entitled or not, the amount, the rules,
where to claim it (the official Service-Public page), the published non-take-up rate with
its source and status; the assumptions and the OpenFisca-France version.

Built once, in one language, from the monthly amounts OpenFisca-France computed; ``lanterne
rights`` (its table and its JSON), the "Mes droits" page and its downloads lay out the same
object, so they show the same benefits, amounts and links.

Example:
    >>> from lanterne.rights.catalog import load_rights_catalog
    >>> amounts = {f"{k}_amount": 0.0 for k in BENEFITS if k != "css"}
    >>> amounts |= {"rsa_amount": 646.52, "css_free_amount": 1.0, "css_paid_amount": 0.0}
    >>> answer = rights_answer(load_rights_catalog(), amounts, "2025-06", "fr")
    >>> answer.month_label, answer.total_text, answer.benefits[0].amount_text
    ('juin 2025', '646,52', '646,52')
    >>> answer.benefits[-1].amount_text, answer.benefits[-1].entitled
    ('gratuite', True)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from lanterne.i18n import Msg, format_month, format_number, format_percent, pick
from lanterne.provenance import status_label
from lanterne.rights.catalog import Benefit, FamilyBenefit, RightsCatalog
from lanterne.rights.inputs import ASSUMPTIONS

#: Benefits shown, in this order (the catalog's keys): the four the population audits
#: draw take-up for, then the family benefits and the health cover (``family_benefits``).
BENEFITS = ("rsa", "ppa", "housing", "aah", "asf", "af", "cf", "css")

FAMILY_ASSUMPTION = Msg(
    "Allocation de soutien familial : l'autre parent ne verse pas de pension alimentaire "
    "(s'il en verse une, l'ASF la complète seulement jusqu'à son montant) ; les enfants "
    "sont à charge et vivent au foyer.",
    "Family support allowance: the other parent pays no child support (if they pay some, "
    "the ASF only tops it up to its amount); the children are dependants living in the "
    "household.",
)
#: Said with every answer: what the figures are and who decides.
ESTIMATE = Msg(
    "Calcul : OpenFisca-France (règles en vigueur au mois choisi). Estimation, pas une "
    "décision : seule la CAF, la MSA ou la MDPH décide.",
    "Computed with OpenFisca-France (rules in force in the chosen month). An estimate, not "
    "a decision: only the CAF, MSA or MDPH decides.",
)


@dataclass(frozen=True)
class BenefitAnswer:
    """One benefit of the answer, its texts in the answer's language."""

    key: str
    name: str
    entitled: bool
    amount: float | None  # € a month; None for the CSS (a health cover, not money)
    amount_text: str
    rules: str
    claim: str
    apply_url: str | None
    apply_source: str | None
    nonrecours_rate: float | None
    nonrecours: str | None  # the rate as written in the language
    nonrecours_status: str
    nonrecours_status_label: str
    nonrecours_source: str
    nonrecours_url: str | None


@dataclass(frozen=True)
class RightsAnswer:
    """Everything a rights answer shows, in one language."""

    lang: str
    month: str  # YYYY-MM
    month_label: str  # "juin 2025"
    benefits: tuple[BenefitAnswer, ...]
    total: float  # € a month, the CSS left out
    total_text: str
    assumptions: tuple[str, ...]
    openfisca: str

    @property
    def any(self) -> bool:
        """At least one benefit is probably due."""
        return any(b.entitled for b in self.benefits)

    def to_dict(self) -> dict[str, Any]:
        """The answer for a JSON file (``lanterne rights --json``, the page's download)."""
        benefits = {}
        for b in self.benefits:
            item = asdict(b)
            item["amount_monthly"] = item.pop("amount")
            item["where_to_claim"] = item.pop("claim")
            benefits[b.key] = item
        return {
            "lang": self.lang,
            "month": self.month,
            "benefits": benefits,
            "total_monthly": self.total,
            "assumptions": list(self.assumptions),
            "openfisca_france": self.openfisca,
        }


def household_amounts(frame: pl.DataFrame, month: str) -> dict[str, float]:
    """Monthly amounts (``<key>_amount``) of the one household of ``frame`` for ``month``:
    the four audited benefits, the family benefits and the CSS (OpenFisca-France)."""
    from lanterne.rights.inputs import derive_situations
    from lanterne.rights.simulate import BENEFITS as AUDITED
    from lanterne.rights.simulate import FAMILY_BENEFITS, simulate

    out = simulate(derive_situations(frame), month, {**AUDITED, **FAMILY_BENEFITS})
    return {f"{k}_amount": float(v[0]) for k, v in out.items()}


def _amount(key: str, amounts: dict[str, float], lang: str) -> tuple[bool, float | None, str]:
    if key != "css":
        value = amounts[f"{key}_amount"]
        return value > 0, value, format_number(value, lang, 2)
    free, paid = amounts["css_free_amount"] > 0, amounts["css_paid_amount"]
    if free:
        return True, None, Msg("gratuite", "free").render(lang)
    if paid > 0:
        text = Msg(
            "participation de {p} € par mois",
            "contribution of €{p} a month",
            p=format_number(paid, lang, 2),
        ).render(lang)
        return True, None, text
    return False, None, "—"


def _benefit(catalog: RightsCatalog, key: str) -> Benefit | FamilyBenefit:
    found = catalog.benefits.get(key) or catalog.family_benefits.get(key)  # type: ignore[call-overload]
    if found is None:  # pragma: no cover - BENEFITS lists catalog keys
        raise KeyError(key)
    return found


def rights_answer(
    catalog: RightsCatalog, amounts: dict[str, float], month: str, lang: str
) -> RightsAnswer:
    """The answer for ``amounts`` (from :func:`household_amounts`) in ``lang``.

    The CSS is a health cover, not money: free (``css_free``), or with a monthly
    contribution (``css_paid``), and counts for nothing in the total.
    """
    from lanterne.rights.simulate import openfisca_version

    benefits = []
    for key in BENEFITS:
        b = _benefit(catalog, key)
        entitled, amount, amount_text = _amount(key, amounts, lang)
        rate, apply = b.nonrecours, b.apply
        source = catalog.source(rate.source)
        benefits.append(
            BenefitAnswer(
                key=key,
                name=pick(b.label, lang),
                entitled=entitled,
                amount=amount,
                amount_text=amount_text,
                rules=pick(b.rules, lang),
                claim=pick(b.claim, lang),
                apply_url=apply.url if apply else None,
                apply_source=catalog.source(apply.source).title if apply else None,
                nonrecours_rate=rate.rate,
                nonrecours=None if rate.rate is None else format_percent(rate.rate, lang, 0),
                nonrecours_status=rate.status,
                nonrecours_status_label=status_label(rate.status, lang),
                nonrecours_source=source.title,
                nonrecours_url=source.url,
            )
        )
    total = sum(b.amount or 0.0 for b in benefits)
    return RightsAnswer(
        lang=lang,
        month=month,
        month_label=format_month(month, lang),
        benefits=tuple(benefits),
        total=total,
        total_text=format_number(total, lang, 2),
        assumptions=tuple(a.render(lang) for a in (*ASSUMPTIONS, FAMILY_ASSUMPTION)),
        openfisca=openfisca_version(),
    )
