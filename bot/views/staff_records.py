"""The staff's records for the contract's indicators, their audit log and the indicator
report, in the staff member's language.

People appear by registration number only (« N° 12 »). What the audit log says of each
change is stored in French, like the report, and shown as it was written: it is a record,
not an interface text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.indicators import ReportPeriod
from bot.domain.staff_records import Reason
from bot.i18n import FSI, N_, PDI, Translator
from bot.storage.records import AuditEntry, VolunteerRole
from bot.views.screen import (
    RECORDS_DATES,
    RECORDS_END,
    RECORDS_END_PREFIX,
    RECORDS_ENROL,
    RECORDS_ENROL_PREFIX,
    RECORDS_FILE_PREFIX,
    RECORDS_HOME,
    RECORDS_HOUSING,
    RECORDS_LOG,
    RECORDS_PERIOD_PREFIX,
    RECORDS_REPORT,
    RECORDS_ROLE,
    RECORDS_ROLE_END,
    RECORDS_ROLE_END_PREFIX,
    RECORDS_ROLE_END_TODAY_PREFIX,
    RECORDS_TRAINING,
    STAFF_HOME,
    Button,
    Screen,
    bold,
    escape,
    keyboard,
)
from bot.views.staff import number

MAX_LOG = 20  # entries shown: enough to check what was just done, one message long

# What staff typed wrong (the records' own refusals are bot.domain.staff_records.Reason).
Mistake = Literal["format", "future", "order"]
PeriodKind = Literal["year", "12-months", "contract"]

SUPPORTS = {
    1: N_("Fiche 1 : accompagnement social et civique"),
    4: N_("Fiche 4 : accompagnement vers le logement"),
}
# The audit log's kinds of change (bot.domain.staff_records and the staff's space).
CHANGES = {
    "enrol": N_("Entrée en accompagnement"),
    "end_support": N_("Fin d'accompagnement"),
    "housing": N_("Logement pérenne"),
    "volunteer_role": N_("Rôle de bénévole"),
    "end_volunteer_role": N_("Fin d'un rôle de bénévole"),
    "cohosted": N_("Séance co-animée"),
    "training": N_("Formation d'une structure"),
    "attendance": N_("Présence"),
    "session": N_("Séance"),
    "report": N_("Rapport des indicateurs"),
}
PERIODS: dict[PeriodKind, str] = {
    "year": N_("Cette année"),
    "12-months": N_("Les 12 derniers mois"),
    "contract": N_("Période du contrat"),
}
# The report's formats (bot.report_files.FORMATS), Excel first: what most teams open.
FORMAT_BUTTONS = (("xlsx", "Excel (xlsx)"), ("csv", "CSV"), ("md", "Markdown"))


def _typed_day(value: date) -> str:
    """A day as staff type it, for examples."""
    return value.strftime("%d/%m/%Y")


def _label(template: str, **values: str) -> str:
    """A button's text: plain text (not HTML), values isolated from its direction."""
    return template.format(**{name: f"{FSI}{value}{PDI}" for name, value in values.items()})


def _cancel(t: Translator) -> list[Button]:
    return [(t.gettext("Annuler"), RECORDS_HOME)]


def _question(
    t: Translator,
    lines: Sequence[str],
    example: str,
    problem: str | None,
    rows: Sequence[Sequence[Button]] = (),
) -> Screen:
    """A question staff answer by typing: what went wrong first (if anything), then what to
    send, with an example."""
    parts = ["⚠️ " + problem] if problem else []
    parts.append("\n".join(lines))
    parts.append(escape(t.gettext("Par exemple :")) + f" <code>{escape(example)}</code>")
    return Screen(t.finish("\n\n".join(parts)), keyboard([*rows, _cancel(t)]))


# ---- the records' home ----------------------------------------------------------------
def home(t: Translator, notice: str | None = None) -> Screen:
    """What staff can record, the report and the log; `notice`: what was just recorded."""
    parts = [notice] if notice else []
    parts += [
        "📋 " + bold(t.gettext("Suivi et rapport")),
        escape(
            t.gettext(
                "Ce que l'équipe enregistre pour les indicateurs du contrat : "
                "accompagnements (fiches 1 et 4), logement (fiche 4), bénévolat (fiche 3), "
                "formations des structures partenaires (fiche 2). Chaque modification va au "
                "journal."
            )
        ),
        escape(
            t.gettext(
                "On retrouve une personne par le numéro reçu en s'inscrivant à une séance. Une "
                "séance co-animée par un bénévole se note sur la page de la séance."
            )
        ),
    ]
    rows: list[list[Button]] = [
        [
            ("🧭 " + t.gettext("Entrée en accompagnement"), RECORDS_ENROL),
            ("🏁 " + t.gettext("Fin d'accompagnement"), RECORDS_END),
        ],
        [("🏠 " + t.gettext("Logement pérenne"), RECORDS_HOUSING)],
        [
            ("🤝 " + t.gettext("Nouveau rôle de bénévole"), RECORDS_ROLE),
            ("✋ " + t.gettext("Fin d'un rôle"), RECORDS_ROLE_END),
        ],
        [("🎓 " + t.gettext("Formation d'une structure"), RECORDS_TRAINING)],
        [("📊 " + t.gettext("Rapport des indicateurs"), RECORDS_REPORT)],
        [("🧾 " + t.gettext("Journal des modifications"), RECORDS_LOG)],
        [("⬅️ " + t.gettext("Espace équipe"), STAFF_HOME)],
    ]
    return Screen(t.finish("\n\n".join(parts)), keyboard(rows))


# ---- individual support (fiches 1 and 4) ---------------------------------------------
def choose_support(t: Translator, *, ending: bool) -> Screen:
    """Which action's support a person enters, or leaves."""
    if ending:
        title = "🏁 " + escape(t.gettext("Fin d'accompagnement : quelle action ?"))
        prefix = RECORDS_END_PREFIX
    else:
        title = "🧭 " + escape(t.gettext("Entrée en accompagnement : quelle action ?"))
        prefix = RECORDS_ENROL_PREFIX
    rows: list[list[Button]] = [
        [(t.gettext(label), f"{prefix}{action}")] for action, label in SUPPORTS.items()
    ]
    rows.append(_cancel(t))
    return Screen(t.finish(title), keyboard(rows))


def ask_enrol(t: Translator, action: int, today: date, problem: str | None = None) -> Screen:
    lines = [
        "🧭 " + bold(t.gettext(SUPPORTS[action])),
        escape(
            t.gettext(
                "Envoyez le numéro d'inscription de la personne, puis le jour de son entrée "
                "dans l'accompagnement (sans jour : aujourd'hui)."
            )
        ),
    ]
    return _question(t, lines, f"12 {_typed_day(today)}", problem)


def ask_end_support(t: Translator, action: int, today: date, problem: str | None = None) -> Screen:
    lines = [
        "🏁 " + bold(t.gettext(SUPPORTS[action])),
        escape(
            t.gettext(
                "Envoyez le numéro d'inscription de la personne, puis le dernier jour de son "
                "accompagnement (sans jour : aujourd'hui)."
            )
        ),
    ]
    return _question(t, lines, f"12 {_typed_day(today)}", problem)


def enrolled(t: Translator, registration: int, action: int, start: date) -> str:
    return "✅ " + t.fill(
        t.gettext("{number} : entrée dans l'accompagnement le {day} ({action})."),
        number=number(t, registration),
        day=t.day(start),
        action=t.gettext(SUPPORTS[action]),
    )


def support_ended(t: Translator, registration: int, action: int, end: date) -> str:
    return "✅ " + t.fill(
        t.gettext("{number} : fin de l'accompagnement le {day} ({action})."),
        number=number(t, registration),
        day=t.day(end),
        action=t.gettext(SUPPORTS[action]),
    )


# ---- lasting housing (fiche 4) ---------------------------------------------------------
def ask_housing(t: Translator, today: date, problem: str | None = None) -> Screen:
    lines = [
        "🏠 " + bold(t.gettext("Logement pérenne (fiche 4)")),
        escape(
            t.gettext(
                "Le ménage d'une personne accompagnée est entré dans un logement pérenne. "
                "Envoyez le numéro d'inscription de la personne, puis le jour de l'entrée "
                "dans le logement (sans jour : aujourd'hui)."
            )
        ),
    ]
    return _question(t, lines, f"12 {_typed_day(today)}", problem)


def housed(t: Translator, registration: int, day: date) -> str:
    return "✅ " + t.fill(
        t.gettext("{number} : ménage entré dans un logement pérenne le {day}."),
        number=number(t, registration),
        day=t.day(day),
    )


# ---- volunteering (fiche 3) ------------------------------------------------------------
def ask_role(t: Translator, today: date, problem: str | None = None) -> Screen:
    lines = [
        "🤝 " + bold(t.gettext("Nouveau rôle de bénévole (fiche 3)")),
        escape(
            t.gettext(
                "Envoyez le numéro d'inscription de la personne, le jour où elle commence "
                "(facultatif : sinon aujourd'hui), puis son rôle en quelques mots."
            )
        ),
    ]
    return _question(t, lines, f"12 {_typed_day(today)} co-animation", problem)


def role_added(t: Translator, registration: int, role: str, start: date) -> str:
    return "✅ " + t.fill(
        t.gettext("{number} : bénévole à partir du {day}, rôle « {role} »."),
        number=number(t, registration),
        day=t.day(start),
        role=role,
    )


def ask_role_person(t: Translator, problem: str | None = None) -> Screen:
    lines = [
        "✋ " + bold(t.gettext("Fin d'un rôle de bénévole")),
        escape(t.gettext("Envoyez le numéro d'inscription de la personne.")),
    ]
    return _question(t, lines, "12", problem)


def no_current_role(t: Translator, registration: int) -> str:
    return t.fill(
        t.gettext("{number} n'a aucun rôle de bénévole en cours."),
        number=number(t, registration),
    )


def choose_role(t: Translator, registration: int, roles: Sequence[VolunteerRole]) -> Screen:
    text = "✋ " + t.fill(
        t.gettext("Rôles de bénévole en cours de {number} : lequel se termine ?"),
        number=number(t, registration),
    )
    rows: list[list[Button]] = [
        [
            (
                _label(
                    t.gettext("« {role} », depuis le {day}"),
                    role=role.role,
                    day=t.day(role.started_on),
                ),
                f"{RECORDS_ROLE_END_PREFIX}{role.id}",
            )
        ]
        for role in roles
    ]
    rows.append(_cancel(t))
    return Screen(t.finish(text), keyboard(rows))


def ask_role_end(
    t: Translator, role: VolunteerRole, today: date, problem: str | None = None
) -> Screen:
    lines = [
        "✋ "
        + t.fill(
            t.gettext("Fin du rôle « {role} », commencé le {day}."),
            role=role.role,
            day=t.day(role.started_on),
        ),
        escape(t.gettext("Envoyez le dernier jour du rôle, ou touchez « Aujourd'hui ».")),
    ]
    today_button: list[Button] = [
        ("📅 " + t.gettext("Aujourd'hui"), f"{RECORDS_ROLE_END_TODAY_PREFIX}{role.id}")
    ]
    return _question(t, lines, _typed_day(today), problem, [today_button])


def role_ended(t: Translator, role: str, end: date) -> str:
    return "✅ " + t.fill(
        t.gettext("Rôle de bénévole « {role} » terminé le {day}."), role=role, day=t.day(end)
    )


# ---- trainings of partner structures (fiche 2) ------------------------------------------
def ask_training_name(t: Translator, problem: str | None = None) -> Screen:
    lines = [
        "🎓 " + bold(t.gettext("Formation d'une structure partenaire (fiche 2)")),
        escape(
            t.gettext(
                "Une formation donnée à une structure (pas à une personne). Envoyez le nom de "
                "la structure, toujours écrit de la même façon : le rapport compte chaque "
                "structure une fois par son nom."
            )
        ),
    ]
    return _question(t, lines, "CCAS de Dijon", problem)


def ask_training_type(t: Translator, name: str, problem: str | None = None) -> Screen:
    lines = [
        "🎓 " + t.fill(t.gettext("Formation de « {name} »."), name=name),
        escape(
            t.gettext("Envoyez le type de structure (le rapport compte les structures par type).")
        ),
    ]
    return _question(t, lines, "association", problem)


def ask_training_hours(
    t: Translator, name: str, structure_type: str, today: date, problem: str | None = None
) -> Screen:
    lines = [
        "🎓 "
        + t.fill(t.gettext("Formation de « {name} » ({type})."), name=name, type=structure_type),
        escape(
            t.gettext(
                "Envoyez la durée de la formation en heures, puis le jour où elle a été "
                "donnée (sans jour : aujourd'hui). Les heures comptent une fois, quel que "
                "soit le nombre de participants."
            )
        ),
    ]
    return _question(t, lines, f"2,5 {_typed_day(today)}", problem)


def training_added(t: Translator, name: str, structure_type: str, minutes: int, day: date) -> str:
    return "✅ " + t.fill(
        t.gettext("Formation enregistrée : « {name} » ({type}), {hours} h, le {day}."),
        name=name,
        type=structure_type,
        hours=t.number(round(minutes / 60, 2)),
        day=t.day(day),
    )


# ---- co-hosted sessions (fiche 3), from the session's staff page ---------------------------
def cohosted(t: Translator, *, cohosted: bool) -> str:
    if cohosted:
        return "✅ " + escape(t.gettext("Séance notée co-animée par un bénévole (fiche 3)."))
    return "✅ " + escape(
        t.gettext("Cette séance n'est plus notée comme co-animée par un bénévole.")
    )


# ---- what cannot be recorded ------------------------------------------------------------
def refused(t: Translator, reason: Reason) -> str:
    """Why the records refused a change, in one line."""
    reasons: dict[Reason, str] = {
        "registration": t.gettext("Aucune inscription ne porte ce numéro."),
        "action": t.gettext("L'accompagnement individuel se note pour les fiches 1 et 4."),
        "already": t.gettext("C'est déjà enregistré pour cette personne."),
        "not-enrolled": t.gettext("Cette personne n'est pas dans cet accompagnement."),
        "dates": t.gettext("La fin ne peut pas venir avant le début."),
        "hours": t.gettext("Une durée de plus de 0 et d'au plus 1000 heures, comme 2,5."),
        "text": t.gettext("Ce texte est vide ou trop long."),
        "role": t.gettext("Ce rôle n'existe pas ou est déjà terminé."),
        "session": t.gettext("Cette séance n'existe plus."),
    }
    return escape(reasons[reason])


def mistake(t: Translator, what: Mistake) -> str:
    """What was wrong in a typed answer, in one line."""
    mistakes: dict[Mistake, str] = {
        "format": t.gettext("Je n'ai pas compris."),
        "future": t.gettext("Ce jour n'est pas encore arrivé."),
        "order": t.gettext("La première date ne peut pas venir après la seconde."),
    }
    return escape(mistakes[what])


# ---- the audit log ----------------------------------------------------------------------
def audit_log(t: Translator, entries: Sequence[AuditEntry], zone: ZoneInfo) -> Screen:
    """The latest changes (at most MAX_LOG), newest first: when, who (a staff member's
    Telegram id, or the command line), about whom (a registration number) and what."""
    parts = ["🧾 " + bold(t.gettext("Journal des modifications"))]
    if entries:
        parts.append(
            escape(
                t.gettext(
                    "Les dernières modifications, la plus récente d'abord. Qui : l'identifiant "
                    "Telegram du membre de l'équipe."
                )
            )
        )
    else:
        parts.append(escape(t.gettext("Aucune modification pour le moment.")))
    for entry in entries[:MAX_LOG]:
        change = CHANGES.get(entry.action)
        head = (
            "<b>"
            + escape(t.datetime(entry.at, zone))
            + "</b> · "
            + escape(t.gettext(change) if change else entry.action)
        )
        who = (
            "👤 " + t.fill("{staff}", staff=entry.staff_id)
            if entry.staff_id is not None
            else "💻 " + escape(t.gettext("ligne de commande"))
        )
        if entry.registration is not None:
            who += " · " + number(t, entry.registration)
        parts.append("\n".join([head, who, t.fill("{detail}", detail=entry.detail)]))
    rows: list[list[Button]] = [[("⬅️ " + t.gettext("Suivi et rapport"), RECORDS_HOME)]]
    return Screen(t.finish("\n\n".join(parts)), keyboard(rows))


# ---- the indicator report ----------------------------------------------------------------
def period_data(period: ReportPeriod) -> str:
    """A period in a button: « 20260101-20261126 »."""
    return f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def read_period_data(text: str) -> ReportPeriod | None:
    """The period of a pressed button; None for anything else."""
    first, dash, last = text.partition("-")
    if not dash or len(first) != 8 or len(last) != 8 or not (first + last).isdigit():
        return None
    try:
        return ReportPeriod(date.fromisoformat(first), date.fromisoformat(last))
    except ValueError:
        return None


def _span(t: Translator, period: ReportPeriod) -> str:
    return t.fill(
        t.gettext("du {start} au {end}"), start=t.day(period.start), end=t.day(period.end)
    )


def choose_period(
    t: Translator, periods: Sequence[tuple[PeriodKind, ReportPeriod]], notice: str | None = None
) -> Screen:
    parts = [notice] if notice else []
    parts += [
        "📊 " + bold(t.gettext("Rapport des indicateurs")),
        escape(
            t.gettext(
                "Les tableaux de l'annexe 1 du contrat, fiche par fiche, en français (la "
                "langue du contrat). Quelle période ? Les deux jours sont compris."
            )
        ),
        "\n".join(
            "• " + t.labelled(escape(t.gettext(PERIODS[kind])), _span(t, period))
            for kind, period in periods
        ),
    ]
    rows: list[list[Button]] = [
        [(t.gettext(PERIODS[kind]), f"{RECORDS_PERIOD_PREFIX}{period_data(period)}")]
        for kind, period in periods
    ]
    rows.append([("✏️ " + t.gettext("Autres dates"), RECORDS_DATES)])
    rows.append([("⬅️ " + t.gettext("Suivi et rapport"), RECORDS_HOME)])
    return Screen(t.finish("\n\n".join(parts)), keyboard(rows))


def ask_dates(t: Translator, today: date, problem: str | None = None) -> Screen:
    lines = [
        "📊 " + bold(t.gettext("Rapport des indicateurs")),
        escape(t.gettext("Envoyez le premier et le dernier jour de la période (compris).")),
    ]
    start = today.replace(month=1, day=1)
    return _question(t, lines, f"{_typed_day(start)} {_typed_day(today)}", problem)


def choose_format(t: Translator, period: ReportPeriod) -> Screen:
    text = "\n\n".join(
        [
            "📊 "
            + t.fill(
                t.gettext("Rapport des indicateurs du {start} au {end} : quel format ?"),
                start=t.day(period.start),
                end=t.day(period.end),
            ),
            escape(
                t.gettext(
                    "Excel : un onglet par fiche. CSV : un tableau après l'autre. Markdown : "
                    "du texte."
                )
            ),
        ]
    )
    data = period_data(period)
    rows: list[list[Button]] = [
        [(label, f"{RECORDS_FILE_PREFIX}{data}:{fmt}") for fmt, label in FORMAT_BUTTONS],
        [("⬅️ " + t.gettext("Période"), RECORDS_REPORT)],
    ]
    return Screen(t.finish(text), keyboard(rows))


def report_caption(t: Translator, period: ReportPeriod) -> str:
    title = escape(t.gettext("Rapport des indicateurs"))
    return t.finish("📊 " + t.labelled(title, _span(t, period)))
