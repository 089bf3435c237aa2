"""Train the ILLUSTRATIVE Rotterdam tree ensemble shipped as ``nl-rotterdam-2017``.

Rotterdam's welfare-fraud model (2017–2021) was a gradient-boosting machine of 500 trees
(R package ``gbm``, up to 9 splits per tree) over 315 variables. The city released the
variable list and their importances, which Lighthouse Reports published; the trained trees
themselves are not in Lanterne's catalog, and the training data (12,707 past
investigations) was never published.

This script builds what *can* be shown honestly:

* the spec declares all 315 variables of the published list (status ``published``);
* a synthetic population of 12,707 people is drawn for the 36 variables modelled here
  (the most important ones in the published list, plus the language and appearance
  variables that Lighthouse singled out as proxies); every distribution is invented;
* an invented outcome ("investigation found something") depends on those variables in
  the direction of Lighthouse's findings (younger people, women, parents, people who do not
  meet the Dutch language requirement, cost-sharing co-residents and missed appointments
  score higher), at about 50% positives as in the city's training labels;
* LightGBM fits 500 trees of at most 10 leaves (9 splits) with shrinkage 0.01, the size of
  the city's model; the trees are imported with Lanterne's own LightGBM importer and
  written as data (``catalog/models/nl-rotterdam-2017.trees.json``), the spec next to it,
  and a 400-person synthetic sample (``catalog/samples/nl-rotterdam-sample.csv``).

The ensemble is therefore ``illustrative``: it shows the mechanics (and how proxies such
as language skills can drive a score), not Rotterdam's real scores. Re-running the script
with the same versions of NumPy and LightGBM rewrites the same files.

    .venv/bin/python tools/train_rotterdam.py            # rewrite the catalog files
    .venv/bin/python tools/train_rotterdam.py --check    # only compare with the shipped files
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
FEATURES_CSV = ROOT / "tools" / "data" / "rotterdam_features_lighthouse.csv"
MODEL_ID = "nl-rotterdam-2017"
SPEC_PATH = ROOT / "catalog" / "models" / f"{MODEL_ID}.yaml"
TREES_PATH = ROOT / "catalog" / "models" / f"{MODEL_ID}.trees.json"
SAMPLE_PATH = ROOT / "catalog" / "samples" / "nl-rotterdam-sample.csv"
N_TRAIN = 12_707  # the number of labelled investigations the city trained on
N_SAMPLE = 400
SEED = 2017

# --------------------------------------------------------------------------- texts

GROUPS: dict[str, tuple[str, str]] = {
    "adres": ("adresse et quartier", "address and neighbourhood"),
    "contacten": (
        "contacts avec la commune (type et objet)",
        "contacts with the city (type, subject)",
    ),
    "beschikbaarheid": ("disponibilité pour le travail", "availability for work"),
    "relatie": (
        "relations : partenaire, cohabitants, enfants",
        "relationships: partner, co-residents, children",
    ),
    "pla": ("plans d'action et de parcours", "action and trajectory plans"),
    "ontheffing": ("dispenses d'obligations de travail", "exemptions from work obligations"),
    "belemmering": (
        "obstacles : finances, santé psychique, addiction, logement",
        "barriers: money, mental health, addiction, housing",
    ),
    "typering": ("typage par l'agent et secteur", "caseworker typing and sector"),
    "persoon": ("personne : âge, sexe", "person: age, sex"),
    "competentie": ("compétences notées par l'agent", "competences rated by the caseworker"),
    "persoonlijke": (
        "caractéristiques personnelles, dont la langue",
        "personal characteristics, incl. language",
    ),
    "deelname": (
        "participation à des projets d'activation",
        "participation in activation projects",
    ),
    "afspraak": ("rendez-vous et accords", "appointments and agreements"),
    "instrument": ("instruments de réinsertion", "re-integration instruments"),
}

#: Plain meanings of the variables modelled here (Lighthouse Reports' descriptions).
MEANINGS: dict[str, tuple[str, str]] = {
    "persoon_leeftijd_bij_onderzoek": ("Âge au moment de l'examen", "Age at the time of scoring"),
    "persoon_geslacht_vrouw": ("Femme (1) ou non (0)", "Woman (1) or not (0)"),
    "relatie_overig_actueel_vorm__kostendeler": (
        "Nombre de cohabitants partageant les frais (kostendeler)",
        "Number of current cost-sharing co-residents (kostendeler)",
    ),
    "relatie_overig_kostendeler": (
        "A un cohabitant partageant les frais (0/1)",
        "Has a cost-sharing co-resident (0/1)",
    ),
    "contacten_onderwerp_no_show": (
        "Contacts ayant pour objet un rendez-vous manqué",
        "Contacts about a missed appointment (no-show)",
    ),
    "competentie_vakdeskundigheid_toepassen": (
        "Compétence « appliquer son savoir-faire » notée par l'agent (0–3)",
        "Competence 'applying professional expertise' rated by the caseworker (0–3)",
    ),
    "contacten_onderwerp_overleg_met_inkomen": (
        "Contacts « concertation avec le service Revenus »",
        "Contacts 'consultation with the Income department'",
    ),
    "adres_dagen_op_adres": ("Jours à l'adresse actuelle", "Days at the current address"),
    "pla_historie_ontwikkeling": (
        "Plans passés de type « développement »",
        "Past plans of the 'development' type",
    ),
    "instrument_ladder_huidig_activering": (
        "Actuellement sur un échelon « activation » (0/1)",
        "Currently on an 'activation' rung (0/1)",
    ),
    "contacten_soort_afgelopenjaar_document__uitgaand": (
        "Documents envoyés par la commune l'année passée",
        "Documents sent by the city in the past year",
    ),
    "persoonlijke_eigenschappen_dagen_sinds_taaleis": (
        "Jours depuis l'évaluation de l'exigence de langue (taaleis)",
        "Days since the language-requirement (taaleis) assessment",
    ),
    "persoonlijke_eigenschappen_dagen_sinds_opvoer": (
        "Jours depuis la saisie des caractéristiques personnelles",
        "Days since personal characteristics were first recorded",
    ),
    "ontheffing_dagen_hist_vanwege_uw_medische_omstandigheden": (
        "Jours de dispense passée pour raisons médicales",
        "Days of past exemption on medical grounds",
    ),
    "relatie_partner_totaal_dagen_partner": (
        "Jours passés avec un partenaire",
        "Total days with a partner",
    ),
    "relatie_kind_leeftijd_verschil_ouder_eerste_kind": (
        "Âge du parent à la naissance du premier enfant (0 sans enfant)",
        "Parent's age when the first child was born (0 without children)",
    ),
    "relatie_kind_huidige_aantal": ("Nombre actuel d'enfants", "Current number of children"),
    "relatie_kind_basisschool_kind": (
        "Enfants en âge d'école primaire",
        "Children of primary-school age",
    ),
    "afspraak_inspanningsperiode": (
        "Rendez-vous de type « période d'effort »",
        "Appointments of the 'effort period' type",
    ),
    "belemmering_dagen_financiele_problemen": (
        "Jours avec des problèmes financiers enregistrés",
        "Days with registered financial problems",
    ),
    "belemmering_dagen_psychische_problemen": (
        "Jours avec des problèmes psychiques enregistrés",
        "Days with registered psychological problems",
    ),
    "afspraak_laatstejaar_aantal_woorden": (
        "Nombre de mots des notes de rendez-vous de l'année passée",
        "Word count of appointment notes in the past year",
    ),
    "persoonlijke_eigenschappen_taaleis_voldaan": (
        "Satisfait à l'exigence de langue néerlandaise (0 non, 1 oui, 2 inconnu)",
        "Meets the Dutch language requirement (0 no, 1 yes, 2 unknown)",
    ),
    "persoonlijke_eigenschappen_spreektaal": (
        "Code de la langue parlée (0 = néerlandais)",
        "Code of the spoken language (0 = Dutch)",
    ),
    "persoonlijke_eigenschappen_nl_spreken1": (
        "Parle néerlandais au niveau 1 (0/1)",
        "Speaks Dutch at level 1 (0/1)",
    ),
    "persoonlijke_eigenschappen_nl_spreken2": (
        "Parle néerlandais au niveau 2 (0/1)",
        "Speaks Dutch at level 2 (0/1)",
    ),
    "persoonlijke_eigenschappen_nl_spreken3": (
        "Parle néerlandais au niveau 3 (0/1)",
        "Speaks Dutch at level 3 (0/1)",
    ),
    "persoonlijke_eigenschappen_uiterlijke_verzorging_opm": (
        "L'agent a noté une remarque sur l'apparence (0/1)",
        "The caseworker noted a remark on appearance (0/1)",
    ),
    "adres_recentste_wijk_charlois": (
        "Habite le quartier Charlois (0/1)",
        "Lives in the Charlois district (0/1)",
    ),
    "adres_recentste_wijk_delfshaven": (
        "Habite le quartier Delfshaven (0/1)",
        "Lives in the Delfshaven district (0/1)",
    ),
    "adres_recentste_wijk_feijenoord": (
        "Habite le quartier Feijenoord (0/1)",
        "Lives in the Feijenoord district (0/1)",
    ),
    "adres_recentste_wijk_noord": (
        "Habite le quartier Noord (0/1)",
        "Lives in the Noord district (0/1)",
    ),
    "adres_recentste_wijk_prins_alexa": (
        "Habite le quartier Prins Alexander (0/1)",
        "Lives in the Prins Alexander district (0/1)",
    ),
    "adres_recentste_wijk_stadscentru": (
        "Habite le centre-ville (0/1)",
        "Lives in the city centre (0/1)",
    ),
    "belemmering_hist_verslavingsproblematiek": (
        "Problème d'addiction passé enregistré (0/1)",
        "Past addiction problem recorded (0/1)",
    ),
    "contacten_onderwerp_beoordelen_taaleis": (
        "Contacts « évaluation de l'exigence de langue »",
        "Contacts 'assessing the language requirement'",
    ),
}

# --------------------------------------------------------------------------- population

DISTRICTS = ["charlois", "delfshaven", "feijenoord", "noord", "prins_alexa", "stadscentru"]


def population(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Invented people: every distribution below is illustrative, not Rotterdam's."""
    age = np.clip(np.rint(18 + 49 * rng.beta(2.6, 1.6, n)), 18, 67).astype(np.int64)
    woman = (rng.random(n) < 0.42).astype(np.int64)
    children = np.where(rng.random(n) < 0.45, rng.poisson(1.6, n) + 1, 0)
    children = np.minimum(children, 7)
    first_child_age = np.where(children > 0, np.clip(rng.normal(26, 5, n), 16, 45), 0)
    first_child_age = np.rint(first_child_age).astype(np.int64)
    primary = np.where(children > 0, rng.binomial(children, 0.4), 0)
    kostendeler = rng.poisson(0.25, n)
    # language: about 35% do not speak Dutch as their language; of them many have not met
    # the language requirement
    other_language = rng.random(n) < 0.35
    spreektaal = np.where(other_language, rng.integers(1, 100, n), 0)
    taaleis = np.where(other_language, (rng.random(n) < 0.45).astype(np.int64), 1)
    taaleis = np.where(rng.random(n) < 0.08, 2, taaleis)
    level = np.where(other_language, rng.integers(1, 4, n), 4)  # 4: native speaker
    days_since_taaleis = np.where(taaleis == 0, 0, rng.integers(30, 3000, n))
    district = rng.integers(0, len(DISTRICTS) + 1, n)  # the last value: elsewhere
    out: dict[str, np.ndarray] = {
        "persoon_leeftijd_bij_onderzoek": age,
        "persoon_geslacht_vrouw": woman,
        "relatie_overig_actueel_vorm__kostendeler": kostendeler,
        "relatie_overig_kostendeler": (kostendeler > 0).astype(np.int64),
        "contacten_onderwerp_no_show": rng.poisson(1.2, n),
        "competentie_vakdeskundigheid_toepassen": rng.integers(0, 4, n),
        "contacten_onderwerp_overleg_met_inkomen": rng.poisson(1.5, n),
        "adres_dagen_op_adres": np.minimum(rng.exponential(2500, n), 20000).astype(np.int64),
        "pla_historie_ontwikkeling": rng.binomial(2, 0.3, n),
        "instrument_ladder_huidig_activering": (rng.random(n) < 0.3).astype(np.int64),
        "contacten_soort_afgelopenjaar_document__uitgaand": rng.poisson(4, n),
        "persoonlijke_eigenschappen_dagen_sinds_taaleis": days_since_taaleis,
        "persoonlijke_eigenschappen_dagen_sinds_opvoer": rng.integers(0, 4000, n),
        "ontheffing_dagen_hist_vanwege_uw_medische_omstandigheden": np.where(
            rng.random(n) < 0.2, rng.integers(1, 1500, n), 0
        ),
        "relatie_partner_totaal_dagen_partner": np.where(
            rng.random(n) < 0.5, rng.integers(1, 8000, n), 0
        ),
        "relatie_kind_leeftijd_verschil_ouder_eerste_kind": first_child_age,
        "relatie_kind_huidige_aantal": children,
        "relatie_kind_basisschool_kind": primary,
        "afspraak_inspanningsperiode": rng.poisson(0.8, n),
        "belemmering_dagen_financiele_problemen": np.where(
            rng.random(n) < 0.25, rng.integers(1, 2000, n), 0
        ),
        "belemmering_dagen_psychische_problemen": np.where(
            rng.random(n) < 0.15, rng.integers(1, 2000, n), 0
        ),
        "afspraak_laatstejaar_aantal_woorden": rng.poisson(np.exp(rng.normal(5, 0.8, n))),
        "persoonlijke_eigenschappen_taaleis_voldaan": taaleis,
        "persoonlijke_eigenschappen_spreektaal": spreektaal,
        "persoonlijke_eigenschappen_nl_spreken1": (level == 1).astype(np.int64),
        "persoonlijke_eigenschappen_nl_spreken2": (level == 2).astype(np.int64),
        "persoonlijke_eigenschappen_nl_spreken3": (level == 3).astype(np.int64),
        "persoonlijke_eigenschappen_uiterlijke_verzorging_opm": (rng.random(n) < 0.1).astype(
            np.int64
        ),
        "belemmering_hist_verslavingsproblematiek": (rng.random(n) < 0.07).astype(np.int64),
        "contacten_onderwerp_beoordelen_taaleis": np.where(other_language, rng.poisson(1.0, n), 0),
    }
    for i, name in enumerate(DISTRICTS):
        out[f"adres_recentste_wijk_{name}"] = (district == i).astype(np.int64)
    return {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}


def invented_outcome(p: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """An invented label, in the direction of Lighthouse's findings (not Rotterdam's data)."""
    z = (
        -0.2
        - 0.035 * (p["persoon_leeftijd_bij_onderzoek"] - 45)
        + 0.35 * p["persoon_geslacht_vrouw"]
        + 0.45 * np.minimum(p["relatie_overig_actueel_vorm__kostendeler"], 3)
        + 0.30 * np.minimum(p["contacten_onderwerp_no_show"], 5)
        - 0.25 * p["competentie_vakdeskundigheid_toepassen"]
        + 0.12 * np.minimum(p["contacten_onderwerp_overleg_met_inkomen"], 6)
        - 0.00012 * np.minimum(p["adres_dagen_op_adres"], 8000)
        + 0.25 * p["relatie_kind_huidige_aantal"].clip(0, 4)
        + 0.30
        * (
            (p["relatie_kind_leeftijd_verschil_ouder_eerste_kind"] > 0)
            & (p["relatie_kind_leeftijd_verschil_ouder_eerste_kind"] < 22)
        )
        + 0.55 * (p["persoonlijke_eigenschappen_taaleis_voldaan"] == 0)
        + 0.20 * (p["persoonlijke_eigenschappen_spreektaal"] > 0)
        + 0.25 * p["persoonlijke_eigenschappen_uiterlijke_verzorging_opm"]
        + 0.0006 * np.minimum(p["afspraak_laatstejaar_aantal_woorden"], 1000)
        + 0.15 * np.minimum(p["contacten_soort_afgelopenjaar_document__uitgaand"], 10) / 4
        + 0.20 * p["instrument_ladder_huidig_activering"]
        + 0.30 * (p["belemmering_dagen_financiele_problemen"] > 0)
        + 0.20 * (p["adres_recentste_wijk_feijenoord"] + p["adres_recentste_wijk_charlois"])
        + rng.normal(0, 0.6, p["persoon_geslacht_vrouw"].size)
    )
    return (rng.random(z.size) < 1 / (1 + np.exp(-z))).astype(np.int64)


# --------------------------------------------------------------------------- spec text


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def read_features() -> list[dict[str, str]]:
    with FEATURES_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def spec_text(
    features: list[dict[str, str]],
    names: list[str],
    modelled: list[str],
    ensemble: dict,
    importances: dict[str, float],
) -> str:
    ranks = {
        r["feature"]: i + 1
        for i, r in enumerate(sorted(features, key=lambda r: -float(r["relative_importance"])))
    }
    top = max(float(r["relative_importance"]) for r in features)
    lines = [HEADER.strip("\n"), "variables:"]
    for row, name in zip(features, names, strict=True):
        original = row["feature"]
        group_fr, group_en = GROUPS[original.split("_")[0]]
        imp = 100 * float(row["relative_importance"]) / top
        fr_meaning, en_meaning = MEANINGS.get(name, (None, None))
        used = name in modelled
        fr = (
            (f"{fr_meaning}. " if fr_meaning else "")
            + (
                f"Colonne « {original} » du modèle de Rotterdam ({group_fr}). Importance relative "
                f"publiée : {imp:.1f} sur 100 (rang {ranks[original]} sur 315)."
            )
            + ("" if used else " Non utilisée par l'ensemble illustratif de Lanterne.")
        )
        en = (
            (f"{en_meaning}. " if en_meaning else "")
            + (
                f"Column '{original}' of the Rotterdam model ({group_en}). Published relative "
                f"importance: {imp:.1f} out of 100 (rank {ranks[original]} of 315)."
            )
            + ("" if used else " Not used by Lanterne's illustrative ensemble.")
        )
        vtype = "float" if row["datatype"] == "float" else "int"
        lines.append(f"  - name: {name}")
        lines.append(f"    type: {vtype}")
        if fr_meaning:
            lines.append(f"    label: {{fr: {_q(fr_meaning)}, en: {_q(en_meaning)}}}")
        lines.append(f"    description: {{fr: {_q(fr)}, en: {_q(en)}}}")
    lines.append(
        MODEL_PART.format(
            base=repr(ensemble["base_score"]),
            sha=ensemble["sha256"],
            file=TREES_PATH.name,
            n_trees=ensemble["n_trees"],
        ).rstrip("\n")
    )
    return "\n".join(lines) + "\n" + TARGETING


HEADER = """
# Lanterne model specification — see docs/spec.md for the format.
#
# GENERATED by tools/train_rotterdam.py — edit the script, not this file.
#
# Rotterdam's welfare-fraud risk model (2017–2021): a gradient-boosting machine of 500
# trees over 315 variables. The VARIABLES are the published list (status `published`).
# The TREES are ILLUSTRATIVE: trained by tools/train_rotterdam.py on an invented synthetic
# population, to show the mechanics and the proxies (language, appearance, children) —
# they are NOT Rotterdam's trees and do not give anyone's real score.
lanterne_spec: 1
id: nl-rotterdam-2017
name:
  fr: "Modèle de risque de fraude aux aides sociales de Rotterdam (2017–2021) — arbres illustratifs"
  en: "Rotterdam welfare-fraud risk model (2017–2021) — illustrative trees"
agency: "Gemeente Rotterdam, Werk & Inkomen"
country: NL
years: [2017, 2021]
description:
  fr: >-
    De 2017 à 2021, la ville de Rotterdam a noté chaque année les quelque 30 000
    bénéficiaires de l'aide sociale (bijstand) avec un modèle de « gradient boosting » de
    500 arbres sur 315 variables, entraîné sur 12 707 contrôles passés ; les scores les plus
    élevés désignaient les personnes à contrôler. Lighthouse Reports a obtenu et publié la
    liste des variables, qui comprend l'âge, le sexe, les enfants, la maîtrise du
    néerlandais, des remarques d'agents sur l'apparence et le nombre de mots de leurs notes.
    Lanterne reprend cette liste ; les arbres livrés ici sont illustratifs.
  en: >-
    From 2017 to 2021 the city of Rotterdam scored its roughly 30,000 social-assistance
    (bijstand) recipients every year with a gradient-boosting model of 500 trees over 315
    variables, trained on 12,707 past investigations; the highest scores picked whom to
    investigate. Lighthouse Reports obtained and published the variable list, which includes
    age, sex, children, Dutch language skills, caseworkers' remarks on appearance and the
    word count of their notes. Lanterne uses that list; the trees shipped here are
    illustrative.
status: published
status_note:
  fr: >-
    Variables publiées (liste de la ville, publiée par Lighthouse Reports). Arbres
    illustratifs : entraînés par Lanterne sur une population synthétique inventée, avec la
    taille du modèle de Rotterdam (500 arbres, 9 séparations au plus) ; ils montrent le
    mécanisme et le rôle possible des variables « proxy » (langue, apparence, enfants), pas
    les vrais scores. Ne pas les citer comme ceux de Rotterdam.
  en: >-
    Published variables (the city's list, published by Lighthouse Reports). Illustrative
    trees: trained by Lanterne on an invented synthetic population, with the size of
    Rotterdam's model (500 trees, at most 9 splits); they show the mechanism and the
    possible role of proxy variables (language, appearance, children), not the real scores.
    Do not quote them as Rotterdam's.
sources:
  - id: lighthouse-github
    title: "suspicion_machine: Rotterdam's feature list (features.csv), documents and code"
    publisher: Lighthouse Reports
    date: "2023-03-06"
    url: https://github.com/Lighthouse-Reports/suspicion_machine
  - id: lighthouse-methodology
    title: "Suspicion Machine Methodology"
    publisher: Lighthouse Reports
    date: "2023-03"
    url: https://www.lighthousereports.com/methodology/suspicion-machine/
  - id: wired-2023
    title: "Inside the Suspicion Machine"
    publisher: WIRED, with Lighthouse Reports
    date: "2023-03-06"
    url: https://pulitzercenter.org/stories/inside-suspicion-machine
  - id: dci-nld-002
    title: "Rotterdam Municipal Welfare Fraud Prediction Algorithm (NLD-002)"
    publisher: Digital Convergence Initiative AI Hub
    url: https://socialprotectionai.org/use-case/NLD-002
    note:
      fr: Résumé secondaire ; environ 1 000 à 1 500 personnes contrôlées par an.
      en: Secondary summary; about 1,000 to 1,500 people investigated a year.
  - id: lanterne-rotterdam-synthetic
    title: "Lanterne: illustrative Rotterdam trees trained on a synthetic population"
    document: tools/train_rotterdam.py
    note:
      fr: Population, résultat et arbres inventés pour montrer le mécanisme.
      en: Population, outcome and trees invented to show the mechanism.
"""

MODEL_PART = """
model:
  kind: trees
  source: lanterne-rotterdam-synthetic
  link: logit
  split_rule: "<="
  precision: float64
  base_score:
    value: {base}
    status: illustrative
  ensemble:
    file: {file}
    sha256: {sha}
    status: illustrative
    note:
      fr: >-
        {n_trees} arbres d'au plus 10 feuilles entraînés par LightGBM (taux 0,01) sur 12 707
        personnes synthétiques ; seules 36 des 315 variables sont lues.
      en: >-
        {n_trees} trees of at most 10 leaves fitted by LightGBM (rate 0.01) on 12,707
        synthetic people; only 36 of the 315 variables are read.
"""

TARGETING = """targeting:
  top_share: 0.04
  source: dci-nld-002
  status: reconstructed
  description:
    fr: >-
      Environ 1 000 à 1 500 contrôles par an pour quelque 30 000 bénéficiaires : les 4 %
      de scores les plus élevés.
    en: >-
      About 1,000 to 1,500 investigations a year among some 30,000 recipients: the top 4%
      of scores.
"""


# --------------------------------------------------------------------------- main


def build() -> dict[str, str]:
    """The three files' texts (spec, trees, sample), computed from scratch."""
    import lightgbm

    sys.path.insert(0, str(ROOT / "src"))
    from lanterne.importers import from_lightgbm_booster
    from lanterne.importers.writer import safe_names
    from lanterne.spec.trees import trees_file_text

    features = read_features()
    names = safe_names([r["feature"] for r in features])
    rng = np.random.default_rng(SEED)
    people = population(N_TRAIN, rng)
    label = invented_outcome(people, rng)
    modelled = [n for n in names if n in people]
    assert len(modelled) == len(people), sorted(set(people) - set(names))
    x = np.column_stack([people[n] for n in modelled]).astype(np.float64)
    params = {
        "objective": "binary",
        "num_leaves": 10,
        "learning_rate": 0.01,
        "min_data_in_leaf": 10,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "seed": SEED,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 2,
        "verbose": -1,
    }
    data = lightgbm.Dataset(x, label=label, feature_name=modelled, free_raw_data=False)
    booster = lightgbm.train(params, data, num_boost_round=500)
    imported = from_lightgbm_booster(booster, MODEL_ID, file=MODEL_ID)
    trees_text = trees_file_text(imported.trees)
    import hashlib

    sha = hashlib.sha256(trees_text.encode("utf-8")).hexdigest()
    ensemble = {"base_score": imported.base_score, "sha256": sha, "n_trees": imported.n_trees}
    spec = spec_text(features, names, modelled, ensemble, {})
    sample_rng = np.random.default_rng(SEED + 1)
    sample = pl.DataFrame(population(N_SAMPLE, sample_rng)).select(modelled)
    return {"spec": spec, "trees": trees_text, "sample": sample.write_csv()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped files")
    args = parser.parse_args()
    texts = build()
    paths = {"spec": SPEC_PATH, "trees": TREES_PATH, "sample": SAMPLE_PATH}
    if args.check:
        differ = [str(p) for k, p in paths.items() if p.read_text("utf-8") != texts[k]]
        print("identical" if not differ else "differ: " + ", ".join(differ))
        return 1 if differ else 0
    sys.path.insert(0, str(ROOT / "src"))
    from lanterne.io.atomic import write_text_atomic

    for key in ("trees", "sample", "spec"):  # the spec last: it names the trees' SHA-256
        write_text_atomic(paths[key], texts[key])
        print(f"wrote {paths[key].relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
