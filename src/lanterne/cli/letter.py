"""``lanterne letter``: the letter a scored person may send (explanation, access, objection)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lanterne.cli.app import LangOption, app, err_console, h, status, status_console
from lanterne.cli.household_options import (
    ArchetypeOption,
    ArchetypeSetOption,
    HouseholdOption,
    PopulationOption,
    SetOption,
    household_from_options,
)
from lanterne.cli.options import check_outputs
from lanterne.errors import UsageError
from lanterne.i18n import Msg, get_lang, tr
from lanterne.io.std import is_std, write_stdout

if TYPE_CHECKING:
    from lanterne.contest.letters import Letter


#: The options of ``lanterne letter`` (kept here so that the command reads in one screen).
KindOption = Annotated[
    str,
    typer.Option(
        "--kind",
        metavar="explanation|access|objection",
        help=h(
            "Type de courrier : explanation (règles du traitement, code source, "
            "explication), access (copie des données et du score), objection (opposition).",
            "Kind of letter: explanation (rules of the processing, source code, "
            "explanation), access (copy of the data and score), objection.",
        ),
    ),
]

LetterOutputOption = Annotated[
    Path,
    typer.Option(
        "--output",
        "-o",
        help=h(
            "Fichier à écrire : .md, .txt, .html, .pdf, .docx ou .odt (écriture "
            "atomique). Les notes pour vous (textes cités, à savoir avant d'envoyer) vont "
            "à côté, dans <nom>-notes. « - » : le courrier en Markdown sur la sortie "
            "standard, les notes sur la sortie d'erreur.",
            "File to write: .md, .txt, .html, .pdf, .docx or .odt (atomic write). The "
            "notes for you (texts cited, what to know before sending) go beside it, in "
            "<name>-notes. '-': the letter as Markdown to standard output, the notes to "
            "standard error.",
        ),
    ),
]

AgencyOption = Annotated[
    str | None,
    typer.Option(
        "--agency",
        help=h(
            "Destinataire (par défaut : l'organisme indiqué par le modèle), par exemple "
            "« CAF du Nord ».",
            "Recipient (default: the agency named by the model), e.g. 'CAF du Nord'.",
        ),
    ),
]

AgencyAddressOption = Annotated[
    str | None,
    typer.Option(
        "--agency-address",
        help=h(
            "Adresse du destinataire (lignes séparées par « ; »).",
            "Recipient's address (lines separated by ';').",
        ),
    ),
]

NameOption = Annotated[
    str | None, typer.Option("--name", help=h("Vos prénom et nom.", "Your full name."))
]

AddressOption = Annotated[
    str | None,
    typer.Option(
        "--address",
        help=h(
            "Votre adresse (lignes séparées par « ; »).",
            "Your address (lines separated by ';').",
        ),
    ),
]

FileNumberOption = Annotated[
    str | None,
    typer.Option(
        "--file-number",
        help=h("Votre numéro d'allocataire.", "Your benefits file number."),
    ),
]

EmailOption = Annotated[
    str | None, typer.Option("--email", help=h("Votre courriel.", "Your e-mail."))
]

PhoneOption = Annotated[
    str | None, typer.Option("--phone", help=h("Votre téléphone.", "Your phone."))
]

CityOption = Annotated[
    str | None,
    typer.Option("--city", help=h("Ville d'où vous écrivez.", "Town you write from.")),
]

DecisionOption = Annotated[
    str | None,
    typer.Option(
        "--decision",
        help=h(
            "La décision qui vous concerne (contrôle, suspension, indu…), avec sa date.",
            "The decision concerning you (inspection, suspension, overpayment…), with its date.",
        ),
    ),
]

DecisionDateOption = Annotated[
    str | None,
    typer.Option(
        "--decision-date",
        metavar=h("AAAA-MM-JJ", "YYYY-MM-DD"),
        help=h(
            "Date de la décision : le courrier nomme le modèle en usage à cette date.",
            "Date of the decision: the letter names the model in use on that date.",
        ),
    ),
]

ReasonsOption = Annotated[
    str | None,
    typer.Option(
        "--reasons",
        help=h(
            "Pour une opposition : les raisons tenant à votre situation particulière.",
            "For an objection: the grounds relating to your particular situation.",
        ),
    ),
]

DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        metavar=h("AAAA-MM-JJ", "YYYY-MM-DD"),
        help=h(
            "Date du courrier (par défaut : aujourd'hui).",
            "Date of the letter (default: today).",
        ),
    ),
]


@app.command(
    "letter",
    help=h(
        "Rédiger le courrier à envoyer à l'administration : demande d'explication (CRPA et "
        "RGPD), d'accès (RGPD art. 15) ou opposition (RGPD art. 21), en .md, .txt, .html ou "
        ".pdf. Ce n'est pas un conseil juridique.",
        "Write the letter to send to the agency: request for an explanation (CRPA and GDPR), "
        "for access (GDPR Art. 15) or an objection (GDPR Art. 21), as .md, .txt, .html or "
        ".pdf. This is not legal advice.",
    ),
)
def letter(
    model: Annotated[
        str,
        typer.Argument(
            help=h(
                "Modèle : identifiant du catalogue ou fichier YAML (donne l'organisme "
                "destinataire).",
                "Model: catalog id or YAML file (gives the recipient agency).",
            )
        ),
    ],
    kind: KindOption,
    output: LetterOutputOption,
    household: HouseholdOption = None,
    sets: SetOption = None,
    archetype: ArchetypeOption = None,
    archetype_set: ArchetypeSetOption = None,
    population: PopulationOption = None,
    agency: AgencyOption = None,
    agency_address: AgencyAddressOption = None,
    name: NameOption = None,
    address: AddressOption = None,
    file_number: FileNumberOption = None,
    email: EmailOption = None,
    phone: PhoneOption = None,
    city: CityOption = None,
    decision: DecisionOption = None,
    decision_date: DecisionDateOption = None,
    reasons: ReasonsOption = None,
    date: DateOption = None,
    lang: LangOption = None,
) -> None:
    """Write a letter."""
    from lanterne.contest.letters import (
        LETTER_KINDS,
        letter_format,
        notes_path,
        render_letter,
    )
    from lanterne.explain.explanation import explain_household
    from lanterne.explain.population import score_population
    from lanterne.inputs.sources import Person
    from lanterne.model import load_model

    if kind not in LETTER_KINDS:
        raise UsageError(
            Msg(
                "--kind : attendu {k}, reçu « {v} »",
                "--kind: expected {k}, got '{v}'",
                k=", ".join(LETTER_KINDS),
                v=kind,
            )
        )
    if not is_std(output):
        letter_format(output)  # fail on a bad file name before any work
        check_outputs(output, notes_path(output))
    day = _date_option(date, "--date")
    decided = _date_option(decision_date, "--decision-date")
    loaded = load_model(model)
    given = Person(
        name=name,
        address=address,
        file_number=file_number,
        email=email,
        phone=phone,
        city=city,
    )
    house = household_from_options(
        loaded, household, sets, archetype, archetype_set, person=given, required=False
    )
    explanation = None
    if kind == "explanation" and house.values:
        pop = score_population(loaded, population) if population is not None else None
        explanation = explain_household(loaded, house, population=pop, reference="none")
    written = render_letter(
        kind,
        model=loaded,
        person=house.person,
        lang=get_lang(),
        agency=agency,
        agency_address=agency_address,
        decision=decision,
        reasons=reasons,
        explanation=explanation,
        day=day,
        decision_date=decided,
    )
    _write_letter(written, output)
    _closing_advice(written, loaded.spec.country)


def _date_option(value: str | None, option: str) -> dt.date | None:
    """The date given to ``option`` (YYYY-MM-DD), or ``None`` when not given."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            Msg(
                "{o} : date attendue au format AAAA-MM-JJ, reçu « {d} »",
                "{o}: a date in the form YYYY-MM-DD was expected, got '{d}'",
                o=option,
                d=value,
            )
        ) from None


def _write_letter(written: Letter, output: Path) -> None:
    """Write the letter and its notes beside it; for ``-``, the letter (Markdown) on
    standard output and the notes on standard error."""
    from lanterne.contest.letters import notes_path, write_letter

    if is_std(output):
        write_stdout(
            written.markdown if written.markdown.endswith("\n") else written.markdown + "\n"
        )
        status_console.print(written.notes().markdown, markup=False, soft_wrap=True)
        return
    notes = notes_path(output)
    with status(tr("Écriture du courrier…", "Writing the letter…")):
        write_letter(written, output)
        write_letter(written.notes(), notes)
    status_console.print(tr("Courrier écrit dans {p}", "Letter written to {p}", p=output))
    status_console.print(
        tr(
            "Notes pour vous (à ne pas envoyer) dans {p}",
            "Notes for you (not to be sent) in {p}",
            p=notes,
        )
    )


def _closing_advice(written: Letter, country: str) -> None:
    """What to do before sending: fill in the brackets, and the letter is not legal advice
    (on standard error, like a warning: shown even with ``--quiet``)."""
    missing = written.markdown.count("[") - written.markdown.count("\\[")
    if missing:
        err_console.print(
            tr(
                "Complétez les passages entre crochets avant de l'envoyer.",
                "Fill in the passages in brackets before sending it.",
            )
        )
    if country == "FR":
        help_line = tr(
            "Ce courrier n'est pas un conseil juridique : relisez-le. Aide gratuite : "
            "Défenseur des droits, 09 69 39 00 00.",
            "This letter is not legal advice: read it again. Free help: Défenseur des "
            "droits, +33 9 69 39 00 00.",
        )
    else:  # a model used elsewhere: the letter cites EU law only, and says so
        help_line = tr(
            "Ce courrier n'est pas un conseil juridique : relisez-le. Il ne cite que le droit "
            "de l'Union (RGPD) ; les fondements nationaux de {c} n'y figurent pas.",
            "This letter is not legal advice: read it again. It cites EU law only (GDPR); "
            "the national legal bases of {c} are not in it.",
            c=country,
        )
    err_console.print(help_line, style="dim")
