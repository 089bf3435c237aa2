"""Every audit metric in plain words, in French and English.

The CLI prints these under its tables, the report and the web app reuse them, and
``docs/audit.md`` says the same. Keys are the JSON keys.

Example:
    >>> print(METRICS["selection_rate"].render("en"))
    Selection rate: share of the group's households that the rule selects for inspection.
"""

from __future__ import annotations

from lanterne.i18n import Msg

METRICS: dict[str, Msg] = {
    # population audit
    "n": Msg("Effectif : nombre de foyers du groupe.", "Size: number of households in the group."),
    "share_population": Msg(
        "Part de la population : part de tous les foyers qui appartiennent au groupe.",
        "Share of population: share of all households that belong to the group.",
    ),
    "mean_score": Msg(
        "Score moyen : moyenne des scores de risque des foyers du groupe.",
        "Mean score: average risk score of the group's households.",
    ),
    "median_score": Msg(
        "Score médian : la moitié des foyers du groupe a un score inférieur ou égal.",
        "Median score: half of the group's households score at or below it.",
    ),
    "decile_shares": Msg(
        "Déciles : part des foyers du groupe dans chaque dixième national des scores "
        "(D1 = les 10 % de scores les plus bas, D10 = les 10 % les plus hauts).",
        "Deciles: share of the group's households in each national tenth of scores "
        "(D1 = the lowest 10 % of scores, D10 = the highest 10 %).",
    ),
    "selection_rate": Msg(
        "Taux de sélection : part des foyers du groupe que la règle désigne pour un contrôle.",
        "Selection rate: share of the group's households that the rule selects for inspection.",
    ),
    "share_selected": Msg(
        "Part des sélectionnés : part de tous les foyers sélectionnés qui appartiennent au groupe.",
        "Share of selected: share of all selected households that belong to the group.",
    ),
    "representation_ratio": Msg(
        "Ratio de représentation : part des sélectionnés ÷ part de la population ; au-dessus "
        "de 1, le groupe est surreprésenté parmi les foyers contrôlés.",
        "Representation ratio: share of selected ÷ share of population; above 1 the group is "
        "over-represented among the households inspected.",
    ),
    "disparate_impact": Msg(
        "Impact disproportionné : taux de sélection du groupe ÷ celui du groupe le moins "
        "sélectionné de la même colonne ; 2 veut dire deux fois plus de risque d'être contrôlé.",
        "Disparate impact: the group's selection rate ÷ that of the least-selected group of the "
        "same column; 2 means twice as likely to be inspected.",
    ),
    # selection audit
    "n_random": Msg(
        "Échantillon aléatoire : foyers du groupe contrôlés au hasard.",
        "Random sample: households of the group inspected at random.",
    ),
    "n_algorithm": Msg(
        "Sélection de l'algorithme : foyers du groupe contrôlés parce que l'algorithme "
        "les a choisis.",
        "Algorithm's selection: households of the group inspected because the algorithm "
        "chose them.",
    ),
    "share_random": Msg(
        "Part dans l'aléatoire : part du groupe dans l'échantillon aléatoire (son poids réel "
        "dans la population contrôlable).",
        "Share of random: the group's share of the random sample (its real weight in the "
        "population that can be inspected).",
    ),
    "share_algorithm": Msg(
        "Part dans l'algorithme : part du groupe parmi les foyers choisis par l'algorithme.",
        "Share of algorithm: the group's share of the households the algorithm chose.",
    ),
    "hit_rate_random": Msg(
        "Taux d'anomalie (aléatoire) : part des contrôles au hasard du groupe qui trouvent "
        "une erreur — la fréquence réelle des erreurs dans le groupe.",
        "Hit rate (random): share of the group's random inspections that find an error — how "
        "often errors really occur in the group.",
    ),
    "hit_rate_algorithm": Msg(
        "Taux d'anomalie (algorithme) : part des contrôles choisis par l'algorithme qui "
        "trouvent une erreur dans le groupe (sa précision pour ce groupe).",
        "Hit rate (algorithm): share of the algorithm's inspections of the group that find an "
        "error (its precision for the group).",
    ),
    "share_of_random_hits": Msg(
        "Part des anomalies (aléatoire) : part de toutes les erreurs trouvées au hasard qui "
        "concernent le groupe.",
        "Share of random hits: share of all errors found at random that concern the group.",
    ),
    "share_of_algorithm_hits": Msg(
        "Part des anomalies (algorithme) : part de toutes les erreurs trouvées par "
        "l'algorithme qui concernent le groupe.",
        "Share of algorithm hits: share of all errors found by the algorithm that concern "
        "the group.",
    ),
    "hit_rate_algorithm_ci": Msg(
        "Intervalle à 95 % : fourchette plausible du taux d'anomalie de l'algorithme "
        "(intervalle de Wilson, juste même pour 0 ou 100 %).",
        "95% interval: plausible range of the algorithm's hit rate (Wilson interval, "
        "sound even at 0 or 100 %).",
    ),
    "lift_ci": Msg(
        "Intervalle à 95 % du gain : obtenu en retirant au hasard les dossiers de chaque "
        "échantillon (bootstrap), faute de formule pour un rapport de deux taux.",
        "95% interval of the lift: from redrawing each sample's cases at random "
        "(bootstrap), as a ratio of two rates has no simple formula.",
    ),
    "lift": Msg(
        "Gain : taux d'anomalie de l'algorithme ÷ taux au hasard ; 1 veut dire que "
        "l'algorithme ne trouve pas mieux que le hasard dans ce groupe.",
        "Lift: algorithm's hit rate ÷ random hit rate; 1 means the algorithm finds no more "
        "than chance in this group.",
    ),
    "selection_representation_ratio": Msg(
        "Ratio de représentation : part dans l'algorithme ÷ part dans l'aléatoire ; au-dessus "
        "de 1, l'algorithme envoie plus de contrôleurs vers ce groupe que son poids ne le "
        "voudrait.",
        "Representation ratio: share of algorithm ÷ share of random; above 1 the algorithm "
        "sends more inspectors to the group than its weight would.",
    ),
    # confusion audit
    "tpr": Msg(
        "Taux de vrais positifs (rappel) : part des dossiers réellement en erreur que le "
        "système signale.",
        "True positive rate (recall): share of the cases really in error that the system flags.",
    ),
    "tnr": Msg(
        "Taux de vrais négatifs : part des dossiers sans erreur que le système laisse tranquilles.",
        "True negative rate: share of the error-free cases that the system leaves alone.",
    ),
    "fpr": Msg(
        "Taux de faux positifs : part des dossiers sans erreur que le système signale à tort.",
        "False positive rate: share of the error-free cases that the system wrongly flags.",
    ),
    "fnr": Msg(
        "Taux de faux négatifs : part des dossiers en erreur que le système ne signale pas.",
        "False negative rate: share of the cases in error that the system misses.",
    ),
    "ppv": Msg(
        "Précision (valeur prédictive positive) : part des dossiers signalés qui sont "
        "réellement en erreur.",
        "Precision (positive predictive value): share of the flagged cases that are really in "
        "error.",
    ),
    "npv": Msg(
        "Valeur prédictive négative : part des dossiers non signalés qui sont réellement "
        "sans erreur.",
        "Negative predictive value: share of the cases not flagged that are really error-free.",
    ),
    "fdr": Msg(
        "Taux de fausses découvertes : part des dossiers signalés qui sont en fait sans erreur.",
        "False discovery rate: share of the flagged cases that are in fact error-free.",
    ),
    "for": Msg(
        "Taux de fausses omissions : part des dossiers non signalés qui sont en fait en erreur.",
        "False omission rate: share of the cases not flagged that are in fact in error.",
    ),
    "prevalence": Msg(
        "Prévalence : part des dossiers réellement en erreur.",
        "Prevalence: share of the cases really in error.",
    ),
    "predicted_positive_rate": Msg(
        "Taux de signalement (parité statistique) : part des dossiers que le système signale.",
        "Flag rate (statistical parity): share of the cases that the system flags.",
    ),
    "error_rate": Msg(
        "Taux d'erreur : part des dossiers que le système classe mal (faux positifs et faux "
        "négatifs).",
        "Error rate: share of the cases the system gets wrong (false positives and false "
        "negatives).",
    ),
    "share_of_false_positives": Msg(
        "Part des faux positifs : part de tous les faux positifs de la colonne de groupe qui "
        "tombent sur cette ligne — qui supporte les contrôles injustifiés.",
        "Share of false positives: share of all false positives of the group column that fall "
        "on this row — who bears the unwarranted inspections.",
    ),
}


def explain(keys: list[str] | tuple[str, ...], lang: str | None = None) -> list[str]:
    """The plain-words lines for ``keys``, in ``lang``."""
    return [METRICS[k].render(lang) for k in keys if k in METRICS]
