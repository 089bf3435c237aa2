"""What Lanterne knows about the two models the City of Amsterdam disclosed ("Slimme Check").

``lanterne import ebm`` recognises the two disclosed files by their SHA-256 and writes
their catalog specs with this metadata: the source (repository, commit, path), the
ids, and for each of the city's variables its Dutch name with a French and English
explanation. The files themselves say nothing about what a variable means: the
explanations are Lanterne's reading of the city's (Dutch and English) column names and
of its code, and every description says so.

Example:
    >>> known = KNOWN_FILES["80326350548b0117d295a7285f03d5327510dd28ac2e8823067c2407bfa7ae32"]
    >>> known.model_id
    'nl-amsterdam-slimme-check-2022-prepilot'
"""

from __future__ import annotations

from dataclasses import dataclass

REPOSITORY = "Lighthouse-Reports/amsterdam_fairness"
COMMIT = "3f2e1260f52d9a3d684ed87b7a86a26ceacbd31e"
FOLDER = "model_analysis/input"


def file_url(name: str) -> str:
    """The address of a disclosed file at the recorded commit."""
    return f"https://github.com/{REPOSITORY}/blob/{COMMIT}/{FOLDER}/{name}"


@dataclass(frozen=True)
class KnownVariable:
    name: str
    type: str  # "bool" or "float"
    dutch: str  # the Dutch words of the name (or the name itself when it is English)
    label_fr: str
    label_en: str
    fr: str
    en: str


#: Variables a person's situation could change (``mutable: true`` in the specs), the ones
#: the counterfactual search may move: money, attendance, participation, addresses. Not the
#: household's composition, the past benefits or the agency's own sanctions.
MUTABLE = frozenset(
    {
        "total_vermogen",
        "sum_inkomen_bruto",
        "active_address_count",
        "afspraken_no_show_count_last_year",
        "afspraken_no_contact_count_last_year",
        "deelnames_started_percentage_last_year",
    }
)


@dataclass(frozen=True)
class KnownModel:
    model_id: str
    file: str
    date: str
    name_fr: str
    name_en: str
    what_fr: str
    what_en: str


READING_FR = (
    "Sens : lecture par Lanterne du nom de colonne de la ville (les fichiers ne "
    "définissent pas les variables)."
)
READING_EN = (
    "Meaning: Lanterne's reading of the city's column name (the files do not define the variables)."
)

VARIABLES: tuple[KnownVariable, ...] = (
    KnownVariable(
        "at_least_one_address_in_amsterdam",
        "bool",
        "minstens één adres in Amsterdam",
        "Au moins une adresse à Amsterdam",
        "At least one address in Amsterdam",
        "Le demandeur a au moins une adresse à Amsterdam.",
        "The applicant has at least one address in Amsterdam.",
    ),
    KnownVariable(
        "deelnames_started_percentage_last_year",
        "float",
        "deelnames (participations)",
        "Part des participations commencées l'an dernier",
        "Share of participations started last year",
        "Part (de 0 à 1 dans les données d'entraînement) des « deelnames » — participations à "
        "des trajets ou activités proposés par la ville — effectivement commencées au cours de "
        "l'année écoulée.",
        "Share (0 to 1 in the training data) of 'deelnames' — participations in programmes "
        "or activities offered by the city — actually started in the past year.",
    ),
    KnownVariable(
        "active_address_count",
        "float",
        "active address count",
        "Nombre d'adresses actives",
        "Number of active addresses",
        "Nombre d'adresses actives enregistrées pour le demandeur.",
        "Number of active addresses recorded for the applicant.",
    ),
    KnownVariable(
        "days_since_last_relocation",
        "float",
        "days since last relocation",
        "Jours depuis le dernier déménagement",
        "Days since the last move",
        "Nombre de jours depuis le dernier déménagement (jusqu'à 99 999 dans les données "
        "d'entraînement, probablement une valeur « jamais »).",
        "Number of days since the last move (up to 99,999 in the training data, probably a "
        "'never' value).",
    ),
    KnownVariable(
        "days_since_last_dienst_end",
        "float",
        "dienst (service)",
        "Jours depuis la fin du dernier « dienst »",
        "Days since the last 'dienst' ended",
        "Nombre de jours depuis la fin du dernier « dienst » (service ou prestation de la "
        "ville, par exemple une aide précédente).",
        "Number of days since the last 'dienst' (a service or provision of the city, for "
        "example an earlier benefit) ended.",
    ),
    KnownVariable(
        "has_medebewoner",
        "bool",
        "medebewoner (co-resident)",
        "A un colocataire (medebewoner)",
        "Has a co-resident (medebewoner)",
        "Une autre personne que le partenaire habite à la même adresse (« medebewoner »).",
        "Someone other than a partner lives at the same address ('medebewoner').",
    ),
    KnownVariable(
        "avg_percentage_maatregel",
        "float",
        "maatregel (sanction measure)",
        "Pourcentage moyen des « maatregelen »",
        "Average percentage of 'maatregelen'",
        "Pourcentage moyen des « maatregelen » : les mesures (sanctions) qui réduisent "
        "l'aide d'un pourcentage.",
        "Average percentage of the 'maatregelen': the measures (sanctions) that cut the "
        "benefit by a percentage.",
    ),
    KnownVariable(
        "total_vermogen",
        "float",
        "totaal vermogen (total assets)",
        "Patrimoine total",
        "Total assets",
        "Patrimoine total (« vermogen ») déclaré ; négatif en cas de dettes. Unité non "
        "précisée dans les fichiers (probablement des euros).",
        "Total assets ('vermogen') declared; negative with debts. The unit is not stated in "
        "the files (probably euros).",
    ),
    KnownVariable(
        "afspraken_no_show_count_last_year",
        "float",
        "afspraken (appointments), no-show",
        "Rendez-vous manqués l'an dernier",
        "Missed appointments last year",
        "Nombre de rendez-vous (« afspraken ») où le demandeur ne s'est pas présenté au cours "
        "de l'année écoulée.",
        "Number of appointments ('afspraken') the applicant did not attend in the past year.",
    ),
    KnownVariable(
        "has_partner",
        "bool",
        "has partner",
        "A un partenaire",
        "Has a partner",
        "Le demandeur a un partenaire.",
        "The applicant has a partner.",
    ),
    KnownVariable(
        "applied_for_same_product_last_year",
        "bool",
        "product (benefit)",
        "A demandé la même aide l'an dernier",
        "Applied for the same benefit last year",
        "Le demandeur a demandé la même prestation (« product ») au cours de l'année écoulée.",
        "The applicant applied for the same benefit ('product') in the past year.",
    ),
    KnownVariable(
        "received_same_product_last_year",
        "bool",
        "product (benefit)",
        "A reçu la même aide l'an dernier",
        "Received the same benefit last year",
        "Le demandeur a reçu la même prestation (« product ») au cours de l'année écoulée.",
        "The applicant received the same benefit ('product') in the past year.",
    ),
    KnownVariable(
        "afspraken_no_contact_count_last_year",
        "float",
        "afspraken (appointments), no contact",
        "Rendez-vous sans contact l'an dernier",
        "Appointments without contact last year",
        "Nombre de rendez-vous (« afspraken ») sans contact avec le demandeur au cours de "
        "l'année écoulée. Le modèle le traite comme une catégorie : seules les valeurs 0 et 1 "
        "ont une note ; toute autre valeur compte pour 0.",
        "Number of appointments ('afspraken') without contact with the applicant in the past "
        "year. The model treats it as a category: only the values 0 and 1 have a score; any "
        "other value counts as 0.",
    ),
    KnownVariable(
        "sum_inkomen_bruto",
        "float",
        "som inkomen bruto (sum of gross income)",
        "Revenu brut total",
        "Total gross income",
        "Somme des revenus bruts (« inkomen bruto »). Unité non précisée dans les fichiers "
        "(de 0 à 2 067 dans les données d'entraînement, moyenne 43). Vide = inconnu : la "
        "ville le remplace par la moyenne et le signale (voir le pré-traitement).",
        "Sum of gross income ('inkomen bruto'). The unit is not stated in the files (0 to "
        "2,067 in the training data, mean 43). Empty = unknown: the city replaces it by the "
        "mean and flags it (see the pre-processing).",
    ),
)

#: Shape inputs the city's pre-processing derives (not raw columns).
DERIVED_LABELS: dict[str, tuple[str, str]] = {
    "sum_inkomen_bruto_value": (
        "Revenu brut total (moyenne si inconnu)",
        "Total gross income (mean if unknown)",
    ),
    "sum_inkomen_bruto_was_mean_imputed": (
        "Revenu brut inconnu (remplacé par la moyenne)",
        "Gross income unknown (replaced by the mean)",
    ),
}

KNOWN_FILES: dict[str, KnownModel] = {
    "80326350548b0117d295a7285f03d5327510dd28ac2e8823067c2407bfa7ae32": KnownModel(
        model_id="nl-amsterdam-slimme-check-2022-prepilot",
        file="20220523_model_used_in_prepilot.pkl",
        date="2022-05-23",
        name_fr="« Slimme Check » d'Amsterdam — modèle du pré-pilote (mai 2022)",
        name_en="Amsterdam 'Slimme Check' — pre-pilot model (May 2022)",
        what_fr="le modèle que la ville a utilisé dans son pré-pilote (23 mai 2022)",
        what_en="the model the city used in its pre-pilot (23 May 2022)",
    ),
    "080b034f16a8d4eabeb86adddd2bb9823430541ecb6ee07475e06c3143d901c0": KnownModel(
        model_id="nl-amsterdam-slimme-check-2022-reweighed",
        file="20220531_model_after_reweighing.pkl",
        date="2022-05-31",
        name_fr="« Slimme Check » d'Amsterdam — modèle après repondération (mai 2022)",
        name_en="Amsterdam 'Slimme Check' — model after reweighing (May 2022)",
        what_fr=(
            "le même modèle réentraîné après « repondération » (reweighing), la tentative de "
            "la ville de supprimer le biais contre les demandeurs d'origine migratoire non "
            "occidentale (31 mai 2022)"
        ),
        what_en=(
            "the same model retrained after 'reweighing', the city's attempt to remove the "
            "bias against applicants with a non-Western migration background (31 May 2022)"
        ),
    ),
}
