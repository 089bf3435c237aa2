"""The fixed words of a report, in French and English: headings, metric definitions, limits.

Everything a reader sees that does not come from the data lives here, so that a translator
or an editor finds it in one place.

Example:
    >>> headings("en")["summary"]
    'Key findings'
    >>> headings("fr")["summary"]
    "L'essentiel"
    >>> [term for term, _ in metric_definitions("en")][:2]
    ['Share of households', 'Selection rate']
"""

from __future__ import annotations

from lanterne.i18n import Msg

_HEADINGS: dict[str, Msg] = {
    "kicker": Msg("Rapport d'audit Lanterne", "Lanterne audit report"),
    "summary": Msg("L'essentiel", "Key findings"),
    "appendix": Msg("Annexe : tous les chiffres par groupe", "Appendix: every figure by group"),
    "appendix_link": Msg(
        "Tous les chiffres par groupe : voir l'annexe.", "Every figure by group: see the appendix."
    ),
    "provenance": Msg("D'où viennent ces chiffres", "Where these figures come from"),
    "method": Msg("Méthode", "Method"),
    "limitations": Msg("Limites", "Limitations"),
    "reproducibility": Msg("Reproduire ce rapport", "Reproducing this report"),
    "numbers": Msg("Les chiffres du graphique", "The figures behind the chart"),
    "status_of_numbers": Msg("Statut des chiffres du modèle :", "Status of the model's numbers:"),
    "targeting": Msg("Règle de ciblage :", "Targeting rule:"),
    "sources": Msg("Sources", "Sources"),
    "population": Msg("La population étudiée", "The population studied"),
    "illustrative_warning_title": Msg(
        "Attention : modèle illustratif", "Warning: illustrative model"
    ),
    "command": Msg("Commande exacte :", "Exact command:"),
    "version": Msg("Version de Lanterne :", "Lanterne version:"),
    "seed": Msg("graine aléatoire de la population :", "population random seed:"),
    "checksums": Msg("Empreintes des fichiers d'entrée", "Checksums of the input files"),
    "file": Msg("Fichier", "File"),
    "contents": Msg("Sommaire", "Contents"),
    "footer": Msg(
        "Produit par Lanterne, boîte à outils libre pour examiner les algorithmes de notation "
        "des administrations. Ce rapport est autonome : il ne charge rien depuis Internet.",
        "Made with Lanterne, a free toolkit to examine public agencies' scoring algorithms. "
        "This report is self-contained: it loads nothing from the Internet.",
    ),
}


def headings(lang: str) -> dict[str, str]:
    """Every fixed heading of the report in ``lang``."""
    return {key: msg.render(lang) for key, msg in _HEADINGS.items()}


_METRICS: tuple[tuple[Msg, Msg], ...] = (
    (
        Msg("Part des foyers", "Share of households"),
        Msg(
            "La part du groupe dans toute la population étudiée.",
            "The group's share of the whole population studied.",
        ),
    ),
    (
        Msg("Taux de sélection", "Selection rate"),
        Msg(
            "La part des foyers du groupe que la règle de ciblage sélectionne pour un contrôle.",
            "The share of the group's households that the targeting rule selects for inspection.",
        ),
    ),
    (
        Msg("Part des sélectionnés", "Share of those selected"),
        Msg(
            "La part du groupe parmi tous les foyers sélectionnés.",
            "The group's share of all the households selected.",
        ),
    ),
    (
        Msg("Intervalle de confiance à 95 %", "95% confidence interval"),
        Msg(
            "Autour d'un taux de sélection, l'étendue plausible si les foyers étudiés sont un "
            "échantillon d'une population plus grande (intervalle de Wilson). Pour tout un "
            "pays, même synthétique, il est très étroit.",
            "Around a selection rate, the plausible range if the households studied are a "
            "sample of a larger population (Wilson interval). For a whole country, even "
            "synthetic, it is very narrow.",
        ),
    ),
    (
        Msg("Ratio de représentation", "Representation ratio"),
        Msg(
            "Part des sélectionnés divisée par part des foyers : 1 veut dire que le groupe est "
            "contrôlé à proportion de son poids ; 2, deux fois plus.",
            "Share of those selected divided by share of households: 1 means the group is "
            "inspected in proportion to its weight; 2, twice as much.",
        ),
    ),
    (
        Msg("Ratio d'impact disparate", "Disparate-impact ratio"),
        Msg(
            "Taux de sélection du groupe divisé par celui du groupe le moins sélectionné de la "
            "même variable (la « règle des quatre cinquièmes » américaine compare ce rapport "
            "inversé à 0,8).",
            "The group's selection rate divided by that of the least-selected group of the "
            'same variable (the US "four-fifths rule" compares its inverse with 0.8).',
        ),
    ),
    (
        Msg("Déciles de score", "Score deciles"),
        Msg(
            "On range tous les foyers du score le plus bas au plus haut et on les coupe en dix "
            "parts égales ; le graphique des déciles montre la part de chaque groupe dans "
            "chacune. Une courbe qui monte vers la droite : le groupe a des scores plus hauts.",
            "All households are ranked from the lowest score to the highest and cut into ten "
            "equal parts; the decile plot shows each group's share of each part. A line "
            "rising to the right: the group gets higher scores.",
        ),
    ),
    (
        Msg("Score moyen et médian", "Mean and median score"),
        Msg(
            "Le score est la probabilité (ou les points) que le modèle attribue au foyer ; la "
            "médiane sépare le groupe en deux moitiés.",
            "The score is the probability (or points) the model gives the household; the "
            "median splits the group into two halves.",
        ),
    ),
    (
        Msg("Groupes masqués (—)", "Hidden groups (—)"),
        Msg(
            "Aucun chiffre n'est publié pour les groupes de moins de {n} foyers (marqués *, "
            "secret primaire), ni pour les groupes masqués en plus pour qu'on ne puisse pas "
            "les recalculer par soustraction à partir des totaux (marqués **, secret "
            "secondaire) : pour ne pas désigner des personnes.",
            "No figure is shown for groups of fewer than {n} households (marked *, primary "
            "suppression), nor for the groups hidden as well so that they cannot be worked "
            "out by subtraction from the totals (marked **, secondary suppression): so as "
            "not to single anyone out.",
        ),
    ),
)

_SELECTION_METRICS: tuple[tuple[Msg, Msg], ...] = (
    (
        Msg("Taux de détection", "Hit rate"),
        Msg(
            "La part des contrôles qui trouvent une erreur, parmi les contrôles tirés au hasard "
            "ou parmi ceux choisis par l'algorithme.",
            "The share of inspections that find an error, among randomly drawn inspections or "
            "among those the algorithm chose.",
        ),
    ),
    (
        Msg("Gain (lift)", "Lift"),
        Msg(
            "Taux de détection de l'algorithme divisé par celui du hasard : 1 veut dire que "
            "l'algorithme ne trouve pas plus que le hasard dans ce groupe.",
            "The algorithm's hit rate divided by chance's: 1 means the algorithm finds no "
            "more than chance in this group.",
        ),
    ),
    (
        Msg("Intervalle à 95 %", "95% interval"),
        Msg(
            "L'étendue plausible du taux (intervalle de Wilson, juste même à 0 % ou 100 %) ; "
            "pour le gain, rapport de deux taux sans formule simple, elle est obtenue en "
            "retirant au hasard les contrôles (bootstrap). Elle ne reflète que l'aléa de "
            "l'échantillon.",
            "The plausible range of the rate (Wilson interval, sound even at 0 % or 100 %); "
            "for the lift, a ratio of two rates with no simple formula, it comes from "
            "redrawing the inspections at random (bootstrap). It reflects sampling noise "
            "only.",
        ),
    ),
)


def metric_definitions(
    lang: str, *, min_cell: int = 10, selection: bool = False
) -> list[tuple[str, str]]:
    """``(term, definition)`` pairs for the method section."""
    pairs = _SELECTION_METRICS if selection else _METRICS
    out = []
    for term, definition in pairs:
        out.append((term.render(lang), Msg(definition.fr, definition.en, n=min_cell).render(lang)))
    return out


_LIMITATIONS = (
    Msg(
        "Un audit sur une population synthétique décrit ce que ferait le modèle sur une "
        "population qui ressemble aux statistiques publiques, pas sur les vrais allocataires.",
        "An audit on a synthetic population describes what the model would do to a population "
        "that matches the public statistics, not to the real recipients.",
    ),
    Msg(
        "Quand le modèle est illustratif ou reconstruit, ses poids ne sont pas ceux de "
        "l'administration : les écarts montrent le mécanisme, pas leur ampleur exacte.",
        "When the model is illustrative or reconstructed, its weights are not the agency's: "
        "the gaps show the mechanism, not their exact size.",
    ),
    Msg(
        "Être sélectionné plus souvent ne dit pas si la sélection est justifiée : seule une "
        "comparaison avec des contrôles tirés au hasard peut le dire.",
        "Being selected more often does not say whether the selection is justified: only a "
        "comparison with randomly drawn inspections can say that.",
    ),
    Msg(
        "Un modèle peut ne pas utiliser une caractéristique protégée (sexe, nationalité, "
        "handicap) et cibler quand même ces groupes, par des variables qui leur sont liées.",
        "A model may not use a protected characteristic (sex, nationality, disability) and "
        "still target these groups, through variables linked to them.",
    ),
)


def limitations(lang: str) -> list[str]:
    """The standing limitations of a population audit, as sentences."""
    return [msg.render(lang) for msg in _LIMITATIONS]


_NONRECOURS_METRICS: tuple[tuple[Msg, Msg], ...] = (
    (
        Msg("Ayant droit", "Entitled"),
        Msg(
            "Un foyer a droit au RSA, à la prime d'activité ou à une aide au logement selon "
            "OpenFisca-France, le modèle officiel et libre des règles de calcul, appliqué à sa "
            "situation du mois.",
            "A household is entitled to RSA, the activity bonus or housing benefit according "
            "to OpenFisca-France, the official open-source model of the rules, applied to its "
            "situation in the month.",
        ),
    ),
    (
        Msg("Taux de non-recours", "Non-take-up rate"),
        Msg(
            "La part des foyers ayant droit qui ne réclament pas au moins l'un de ces droits ; "
            "le recours est tiré au hasard selon les taux publiés (DREES), avec leur statut.",
            "The share of entitled households not claiming at least one of these rights; "
            "take-up is drawn at random from the published rates (DREES), with their status.",
        ),
    ),
    (
        Msg("Non versé par mois", "Unclaimed per month"),
        Msg(
            "La somme des montants mensuels des droits non réclamés.",
            "The sum of the monthly amounts of the rights not claimed.",
        ),
    ),
    (
        Msg("Taux de sélection", "Selection rate"),
        Msg(
            "La part des foyers du groupe que le modèle de notation sélectionne pour un contrôle.",
            "The share of the group's households the scoring model selects for inspection.",
        ),
    ),
)


def nonrecours_definitions(lang: str) -> list[tuple[str, str]]:
    """``(term, definition)`` pairs for a non-take-up report."""
    return [(term.render(lang), text.render(lang)) for term, text in _NONRECOURS_METRICS]


def nonrecours_limitations(lang: str) -> list[str]:
    """Limits of a non-take-up audit."""
    return [
        Msg(
            "Les droits sont calculés à partir de la situation décrite par les données ; ce qui "
            "manque (loyers exacts, zones, revenus de chaque personne) est déduit par des "
            "hypothèses documentées.",
            "Rights are computed from the situation the data describe; what is missing (exact "
            "rents, zones, each person's income) is derived by documented assumptions.",
        ).render(lang),
        Msg(
            "Le recours est tiré au hasard à partir de taux nationaux : les écarts entre groupes "
            "reflètent ces taux et les droits calculés, pas des dossiers réels.",
            "Take-up is drawn at random from national rates: gaps between groups reflect these "
            "rates and the computed rights, not real files.",
        ).render(lang),
        limitations(lang)[0],
    ]
