"""From a Lanterne household table to the persons and dwellings OpenFisca-France needs.

A Lanterne population (issue 3's generator, the embedded sample, an archetype) has one row
per benefit household with the head's age, the family type, the number of children, the
activity of the head and partner, the household's monthly resources, the housing status,
the rent and the département. OpenFisca-France reasons on persons (``individu``) grouped
into a benefit unit (``famille``), a tax household (``foyer_fiscal``) and a dwelling
(``menage``), with incomes by person and by month. The table lacks some of those details;
they are derived here, deterministically, by the documented assumptions of
:data:`ASSUMPTIONS` (also printed in ``docs/rights.md``).

Everything is vectorised: :func:`derive_situations` turns a whole chunk into flat NumPy
arrays (one entry per person, one per household) without a Python loop over households.

Example:
    >>> import polars as pl
    >>> frame = pl.DataFrame({
    ...     "family_type": ["couple_children"], "n_children": [2], "head_age": [40],
    ...     "head_activity": ["employed"], "partner_activity": ["inactive"],
    ...     "income_monthly": [1800.0], "housing_status": ["tenant_social"],
    ...     "rent_monthly": [520.0], "department": ["59"],
    ... })
    >>> s = derive_situations(frame)
    >>> s.n_households, s.n_persons, s.role.tolist()
    (1, 4, [0, 1, 2, 2])
    >>> s.salaire_net.tolist()
    [1800.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from lanterne.errors import DataError, Problem
from lanterne.i18n import Msg
from lanterne.inputs.numbers import number_column
from lanterne.model.data import _TRUE
from lanterne.population.codes import CATEGORIES

#: Columns read from a household table, with what each is used for. Columns marked
#: optional get the default shown when absent.
INPUT_COLUMNS: dict[str, tuple[bool, Msg]] = {
    "family_type": (
        True,
        Msg(
            "single, couple, single_parent, couple_children : qui compose la famille",
            "single, couple, single_parent, couple_children: who is in the family",
        ),
    ),
    "n_children": (True, Msg("nombre d'enfants à charge", "number of dependent children")),
    "head_age": (
        False,
        Msg(
            "âge du responsable (sinon le milieu de age_band)",
            "age of the head (else the middle of age_band)",
        ),
    ),
    "age_band": (False, Msg("tranche d'âge du responsable", "age band of the head")),
    "head_activity": (True, Msg("activité du responsable", "activity of the head")),
    "partner_activity": (
        False,
        Msg("activité du conjoint (no_partner par défaut)", "partner's activity"),
    ),
    "income_monthly": (
        True,
        Msg(
            "ressources mensuelles du foyer hors prestations, en euros",
            "household's monthly resources before benefits, in euros",
        ),
    ),
    "housing_status": (
        True,
        Msg(
            "tenant_social, tenant_private, owner, hosted : statut d'occupation",
            "tenant_social, tenant_private, owner, hosted: housing tenure",
        ),
    ),
    "rent_monthly": (False, Msg("loyer mensuel (0 par défaut)", "monthly rent (default 0)")),
    "department": (
        False,
        Msg("département (zone de loyer ; 59 par défaut)", "département (rent zone; 59)"),
    ),
    "nationality": (
        False,
        Msg("french, eu, non_eu (french par défaut)", "french, eu, non_eu (french)"),
    ),
    "disability": (False, Msg("handicap reconnu (non par défaut)", "recognised disability")),
    "receives_aah": (
        False,
        Msg(
            "AAH versée : taux d'incapacité reconnu par la CDAPH",
            "AAH paid: incapacity rate recognised by the CDAPH",
        ),
    ),
    "oldest_child_activity": (
        False,
        Msg("activité de l'aîné (âge des enfants)", "activity of the eldest (children's ages)"),
    ),
    "separated_recently": (
        False,
        Msg("séparation récente (RSA majoré)", "recent separation (increased RSA)"),
    ),
}

#: Assumptions used to fill what the table does not say (shown in the docs and by
#: ``lanterne rights``).
ASSUMPTIONS: tuple[Msg, ...] = (
    Msg(
        "La situation est stable : les ressources et le logement du mois sont aussi ceux "
        "des huit années précédentes (RSA, prime d'activité, aides au logement et AAH "
        "regardent les mois et les années passés). Pas d'ASS ni de revenus du patrimoine.",
        "The situation is steady: the month's resources and housing are also those of the "
        "eight previous years (RSA, activity bonus, housing benefit and AAH look at past "
        "months and years). No ASS and no capital income.",
    ),
    Msg(
        "Les ressources du foyer sont réparties entre le responsable et le conjoint selon "
        "leur activité (poids : emploi, apprentissage, indépendant 1 ; retraite 0,8 ; "
        "chômage 0,6 ; études 0,3 ; sans activité 0). Un salarié ou un indépendant reçoit "
        "un salaire net, un chômeur une allocation chômage, un retraité une pension ; sans "
        "activité déclarée, les ressources sont comptées comme pension alimentaire reçue.",
        "Household resources are split between head and partner by activity (weights: "
        "employed, apprentice, self-employed 1; retired 0.8; unemployed 0.6; student 0.3; "
        "inactive 0). A worker gets a net wage, an unemployed person unemployment benefit, "
        "a retired person a pension; with no declared activity, resources count as alimony "
        "received.",
    ),
    Msg(
        "Le revenu d'un indépendant est traité comme un salaire (OpenFisca ne calcule pas "
        "le RSA des travailleurs indépendants sans leurs bénéfices déclarés).",
        "Self-employed income is treated as a wage (OpenFisca does not compute RSA for the "
        "self-employed without their declared profits).",
    ),
    Msg(
        "Le conjoint a l'âge du responsable. L'aîné a l'âge typique de son activité "
        "(moins de 16 ans : 10 ; collégien ou lycéen : 17 ; apprenti : 18 ; étudiant, "
        "sans activité : 19 ; en emploi : 20) ; les suivants ont chacun deux ans de moins "
        "(au moins 1 an). Les enfants n'ont pas de ressources.",
        "The partner is as old as the head. The eldest child has the typical age of their "
        "activity (under 16: 10; pupil: 17; apprentice: 18; student, no activity: 19; "
        "employed: 20); each next child is two years younger (at least 1). Children have "
        "no resources.",
    ),
    Msg(
        "HLM : locataire d'un logement conventionné (APL) ; locataire du privé : logement "
        "vide non conventionné ; propriétaire : sans prêt aidé (pas d'aide au logement) ; "
        "hébergé : logé gratuitement.",
        "Social tenant: tenant of a conventionné dwelling (APL); private tenant: unfurnished, "
        "not conventionné; owner: no subsidised loan (no housing benefit); hosted: housed "
        "free of charge.",
    ),
    Msg(
        "Zone de loyer par département : zone 1 pour Paris et la petite couronne ; zone 2 "
        "pour le reste de l'Île-de-France, la Corse, l'outre-mer et les départements des "
        "grandes métropoles ; zone 3 ailleurs (la zone réelle dépend de la commune).",
        "Rent zone by département: zone 1 for Paris and its inner suburbs; zone 2 for the "
        "rest of Île-de-France, Corsica, overseas and the départements of large cities; "
        "zone 3 elsewhere (the true zone depends on the commune).",
    ),
    Msg(
        "Nationalité hors UE : titre de séjour depuis au moins 5 ans (condition du RSA "
        "remplie). Handicap avec AAH versée : taux d'incapacité de 80 % ; handicap sans "
        "AAH : taux de 50 % sans restriction substantielle d'accès à l'emploi (pas d'AAH).",
        "Non-EU nationality: residence permit for at least 5 years (RSA condition met). "
        "Disability with AAH paid: 80 % incapacity rate; disability without AAH: 50 % "
        "without substantial restriction of access to employment (no AAH).",
    ),
)

# The population's own categories: a household the rights check reads is one it generates.
FAMILY_TYPES = CATEGORIES["family_type"]
HOUSING = CATEGORIES["housing_status"]
HEAD_ACTIVITIES = CATEGORIES["head_activity"]
PARTNER_ACTIVITIES = CATEGORIES["partner_activity"]
NATIONALITIES = CATEGORIES["nationality"]
CHILD_ACTIVITIES = CATEGORIES["oldest_child_activity"]
#: Age taken for each age band (about its middle).
AGE_BANDS = {"under_25": 22, "25_34": 30, "35_44": 40, "45_54": 50, "55_64": 60, "65_plus": 72}

#: Weight of each activity when the household's resources are split between adults.
ACTIVITY_WEIGHT = {
    "employed": 1.0,
    "self_employed": 1.0,
    "apprentice": 1.0,
    "retired": 0.8,
    "unemployed": 0.6,
    "student": 0.3,
    "inactive": 0.0,
    "no_partner": 0.0,
}
#: Age of the eldest child by activity.
ELDEST_AGE = {
    "no_child": 10,
    "under_16": 10,
    "pupil": 17,
    "apprentice": 18,
    "student": 19,
    "no_activity": 19,
    "employed": 20,
}
#: Départements in rent zone 1 and 2 (assumption; see ASSUMPTIONS).
ZONE_1 = frozenset({"75", "92", "93", "94"})
ZONE_2 = frozenset(
    {"77", "78", "91", "95", "2A", "2B", "971", "972", "973", "974", "976"}
    | {"06", "13", "31", "33", "34", "35", "38", "44", "59", "67", "69", "74", "83"}
)

# roles in every group entity: 0 head, 1 partner, 2 child
HEAD, PARTNER, CHILD = 0, 1, 2

Array = NDArray


@dataclass(frozen=True)
class Situations:
    """A chunk of households as flat arrays: first per person, then per household."""

    n_households: int
    n_persons: int
    household: Array  # person -> household index
    role: Array  # person -> HEAD, PARTNER or CHILD
    age: Array
    salaire_net: Array
    chomage_net: Array
    retraite_nette: Array
    pension_alimentaire: Array
    etudiant: Array
    apprenti: Array
    handicap: Array
    taux_incapacite: Array
    restriction_emploi: Array
    ressortissant_eee: Array
    titre_sejour_annees: Array
    # per household
    statut_logement: Array  # OpenFisca names
    loyer: Array
    conventionne: Array
    zone_apl: Array  # "zone_1" / "zone_2" / "zone_3"
    depcom: Array
    isolement_recent: Array


def _column(frame: pl.DataFrame, name: str, default: object, dtype: Any) -> pl.Series:
    if name in frame.columns and dtype == pl.Float64:  # "1 200,50" as everywhere else
        return number_column(frame[name])
    if name in frame.columns:
        return frame[name].cast(pl.String).cast(dtype, strict=False)
    return pl.Series(name, [default] * frame.height, dtype=dtype)


def _text(frame: pl.DataFrame, name: str, default: str) -> Array:
    series = _column(frame, name, default, pl.String()).fill_null(default)
    return series.str.strip_chars().to_numpy().astype(str)


def _bool(frame: pl.DataFrame, name: str) -> Array:
    if name not in frame.columns:
        return np.zeros(frame.height, dtype=bool)
    series = frame[name]
    if series.dtype == pl.Boolean:
        return series.fill_null(False).to_numpy()
    text = series.cast(pl.String).str.strip_chars().str.to_lowercase()
    return text.is_in(_TRUE).fill_null(False).to_numpy()


def check_table(frame: pl.DataFrame) -> None:
    """Raise a :class:`DataError` listing every missing column and bad value (rows from 1)."""
    problems = []
    for name, (required, _) in INPUT_COLUMNS.items():
        if required and name not in frame.columns:
            problems.append(
                Problem(
                    Msg(
                        "colonne « {c} » manquante (nécessaire au calcul des droits)",
                        "missing column '{c}' (needed to compute rights)",
                        c=name,
                    )
                )
            )
    if "head_age" not in frame.columns and "age_band" not in frame.columns:
        problems.append(
            Problem(Msg("il faut head_age ou age_band", "head_age or age_band is needed"))
        )
    if problems:
        raise DataError(problems)
    checks = {
        "family_type": FAMILY_TYPES,
        "housing_status": HOUSING,
        "head_activity": HEAD_ACTIVITIES,
        "partner_activity": PARTNER_ACTIVITIES,
        "nationality": NATIONALITIES,
        "oldest_child_activity": CHILD_ACTIVITIES,
    }
    for name, allowed in checks.items():
        if name not in frame.columns:
            continue
        values = frame[name].cast(pl.String)
        bad = (~values.is_in(list(allowed)) | values.is_null()).to_numpy()
        if bad.any():
            rows = np.flatnonzero(bad)[:5] + 1
            problems.append(
                Problem(
                    Msg(
                        "colonne « {c} » : valeur inattendue aux lignes {r} ; attendues : {a}",
                        "column '{c}': unexpected value at rows {r}; expected: {a}",
                        c=name,
                        r=", ".join(str(r) for r in rows),
                        a=", ".join(allowed),
                    )
                )
            )
    for name in ("n_children", "income_monthly", "rent_monthly", "head_age"):
        if name not in frame.columns:
            continue
        values = number_column(frame[name])
        bad = (values.is_null() | (values < 0)).to_numpy()
        if bad.any():
            rows = np.flatnonzero(bad)[:5] + 1
            problems.append(
                Problem(
                    Msg(
                        "colonne « {c} » : nombre positif attendu aux lignes {r}",
                        "column '{c}': a non-negative number was expected at rows {r}",
                        c=name,
                        r=", ".join(str(r) for r in rows),
                    )
                )
            )
    if problems:
        raise DataError(problems)


def derive_situations(frame: pl.DataFrame) -> Situations:
    """The OpenFisca persons and dwellings of every household of ``frame`` (vectorised).

    Raises :class:`~lanterne.errors.DataError` listing every missing column and bad value.
    """
    check_table(frame)
    n = frame.height
    family = _text(frame, "family_type", "single")
    partnered = np.isin(family, ["couple", "couple_children"])
    n_children = _column(frame, "n_children", 0, pl.Float64()).fill_null(0).to_numpy()
    n_children = np.where(np.isin(family, ["single", "couple"]), 0, n_children).astype(np.int64)
    if "head_age" in frame.columns:
        head_age = _column(frame, "head_age", 40, pl.Float64()).to_numpy()
    else:
        bands = _text(frame, "age_band", "35_44")
        head_age = np.array([AGE_BANDS.get(b, 40) for b in bands], dtype=float)
    head_age = np.clip(np.round(head_age), 16, 110).astype(np.int64)
    head_act = _text(frame, "head_activity", "inactive")
    partner_act = np.where(partnered, _text(frame, "partner_activity", "inactive"), "no_partner")
    partner_act = np.where(partnered & (partner_act == "no_partner"), "inactive", partner_act)
    income = _column(frame, "income_monthly", 0.0, pl.Float64()).fill_null(0).to_numpy()
    rent = _column(frame, "rent_monthly", 0.0, pl.Float64()).fill_null(0).to_numpy()
    housing = _text(frame, "housing_status", "tenant_private")
    dept = _text(frame, "department", "59")
    nationality = _text(frame, "nationality", "french")
    disability = _bool(frame, "disability")
    aah = _bool(frame, "receives_aah")
    eldest = _text(frame, "oldest_child_activity", "under_16")
    separated = _bool(frame, "separated_recently")

    # ---- persons: head, partner (if any), children
    n_persons_hh = 1 + partnered.astype(np.int64) + n_children
    household = np.repeat(np.arange(n), n_persons_hh)
    first = np.concatenate([[0], np.cumsum(n_persons_hh)[:-1]])
    rank = np.arange(household.size) - first[household]
    has_partner = partnered[household]
    role = np.where(rank == 0, HEAD, np.where((rank == 1) & has_partner, PARTNER, CHILD))
    child_rank = rank - 1 - has_partner.astype(np.int64)  # 0 for the eldest

    w_head = np.vectorize(ACTIVITY_WEIGHT.get, otypes=[float])(head_act)
    w_partner = np.vectorize(ACTIVITY_WEIGHT.get, otypes=[float])(partner_act)
    total = w_head + w_partner
    share_head = np.where(total > 0, w_head / np.where(total > 0, total, 1), 1.0)
    head_income = income * share_head
    partner_income = income - head_income

    activity = np.where(role == HEAD, head_act[household], partner_act[household])
    amount = np.where(
        role == HEAD,
        head_income[household],
        np.where(role == PARTNER, partner_income[household], 0),
    )
    adult = role != CHILD
    works = adult & np.isin(activity, ["employed", "self_employed", "apprentice", "student"])
    unemployed = adult & (activity == "unemployed")
    retired = adult & (activity == "retired")
    other = adult & ~works & ~unemployed & ~retired
    eldest_age = np.vectorize(ELDEST_AGE.get, otypes=[np.int64])(eldest)
    child_age = np.maximum(eldest_age[household] - 2 * child_rank, 1)
    age = np.where(role == CHILD, child_age, head_age[household])

    eee = np.isin(nationality, ["french", "eu"])
    incapacity = np.where(aah, 0.8, np.where(disability, 0.5, 0.0))
    conventionne = housing == "tenant_social"
    statut = np.select(
        [housing == "tenant_social", housing == "tenant_private", housing == "owner"],
        ["locataire_hlm", "locataire_vide", "proprietaire"],
        "loge_gratuitement",
    )
    zone = np.where(np.isin(dept, list(ZONE_1)), "zone_1", "zone_2")
    zone = np.where(np.isin(dept, list(ZONE_1 | ZONE_2)), zone, "zone_3")
    depcom = np.char.add(dept, np.where(np.char.str_len(dept) == 3, "01", "001"))
    return Situations(
        n_households=n,
        n_persons=int(household.size),
        household=household,
        role=role,
        age=age.astype(np.int64),
        salaire_net=np.where(works, amount, 0.0),
        chomage_net=np.where(unemployed, amount, 0.0),
        retraite_nette=np.where(retired, amount, 0.0),
        pension_alimentaire=np.where(other, amount, 0.0),
        etudiant=adult & (activity == "student"),
        apprenti=adult & (activity == "apprentice"),
        handicap=(role == HEAD) & disability[household],
        taux_incapacite=np.where(role == HEAD, incapacity[household], 0.0),
        restriction_emploi=(role == HEAD) & aah[household],
        ressortissant_eee=np.where(role == CHILD, True, eee[household]),
        titre_sejour_annees=np.where(eee[household], 0.0, 10.0),
        statut_logement=statut,
        loyer=np.where(np.isin(housing, ["tenant_social", "tenant_private"]), rent, 0.0),
        conventionne=conventionne,
        zone_apl=zone,
        depcom=depcom,
        isolement_recent=separated & (family == "single_parent"),
    )
