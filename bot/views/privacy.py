"""A person's data and rights: the consent notice before a first registration, the optional
profile, « Mes données » (everything kept), and forgetting."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.consent import CONSENT_NOTICE_VERSION
from bot.domain.people import PersonData
from bot.domain.profile import (
    QUESTIONS,
    AgeBand,
    Gender,
    Household,
    Profile,
    Question,
    Status,
)
from bot.i18n import BY_CODE, Translator
from bot.storage.relay import Conversation
from bot.views.menu import back_to_menu
from bot.views.relay import copies_stay
from bot.views.screen import (
    CONSENT_MORE_PREFIX,
    CONSENT_NO_PREFIX,
    CONSENT_YES_PREFIX,
    FORGET,
    FORGET_CONFIRMED,
    MY_DATA,
    PROFILE,
    PROFILE_ANSWER_PREFIX,
    PROFILE_ASK_PREFIX,
    PROFILE_NO,
    PROFILE_START,
    Button,
    Screen,
    bold,
    escape,
    in_rows,
    keyboard,
)

# After an answer: the next question (the first time), or the profile's summary.
NEXT, SUMMARY = "n", "s"
HOUSEHOLD_CHOICES = (1, 2, 3, 4, 5, 6)  # 6: « 6 or more »


# ---- consent -------------------------------------------------------------------------
def _consent_buttons(t: Translator, then: str, *, more: bool) -> list[list[Button]]:
    # The notice's version rides on « J'accepte »: an old notice's button, pressed after the
    # notice changed, must not record consent to a text the person never saw.
    accept = f"{CONSENT_YES_PREFIX}{CONSENT_NOTICE_VERSION}:{then}"
    rows: list[list[Button]] = [[("✅ " + t.gettext("J'accepte"), accept)]]
    if more:
        rows.append([("📄 " + t.gettext("En savoir plus"), CONSENT_MORE_PREFIX + then)])
    rows.append([(t.gettext("Pas maintenant"), CONSENT_NO_PREFIX + then)])
    return rows


def consent_notice(t: Translator, then: str, retention: timedelta) -> Screen:
    """Before a first registration: what is kept, why, who sees it, how long, how to delete
    it. `then`: what to do once accepted (a session to register for, or the profile)."""
    text = "\n\n".join(
        [
            "🔒 " + bold(t.gettext("Avant de vous inscrire")),
            escape(
                t.gettext(
                    "Pour vous inscrire aux ateliers, je garde votre identifiant Telegram, votre "
                    "langue, vos inscriptions et votre présence aux ateliers."
                )
            ),
            escape(
                t.gettext(
                    "Pourquoi : pour gérer les places, vous rappeler les ateliers et compter les "
                    "participants. L'État et Dijon Métropole financent « Ensemble ! » : ils "
                    "reçoivent seulement des chiffres, sans noms."
                )
            ),
            escape(
                t.gettext(
                    "Qui les voit : l'équipe « Ensemble ! » de l'association CESAM, avec votre "
                    "numéro d'inscription, jamais votre nom."
                )
            ),
            t.fill(
                t.gettext(
                    "Combien de temps : jusqu'à ce que vous les effaciez, et au plus {duration} "
                    "après votre dernier message."
                ),
                duration=t.duration(retention),
            ),
            escape(t.gettext("Vous pouvez tout voir et tout effacer avec /mydata.")),
        ]
    )
    return Screen(t.finish(text), keyboard(_consent_buttons(t, then, more=True)))


def privacy_notice(t: Translator, retention: timedelta) -> str:
    """The full notice (also in the README), for « En savoir plus »."""
    return "\n\n".join(
        [
            "🔒 " + bold(t.gettext("Vos données et vos droits")),
            escape(
                t.gettext(
                    "Responsable : CESAM, l'association qui mène « Ensemble ! » dans la "
                    "métropole de Dijon."
                )
            ),
            escape(
                t.gettext(
                    "Quand vous utilisez l'assistant, je garde votre identifiant Telegram, votre "
                    "langue, et la date de votre premier et de votre dernier message. J'efface "
                    "le texte de vos messages dès que j'ai répondu."
                )
            ),
            escape(
                t.gettext(
                    "Si vous vous inscrivez à un atelier, je garde aussi vos inscriptions, votre "
                    "place sur la liste d'attente, votre présence et la date de votre accord. "
                    "Si l'équipe vous accompagne, elle note les dates de l'accompagnement, votre "
                    "entrée dans un logement durable ou votre bénévolat."
                )
            ),
            escape(
                t.gettext(
                    "Si vous le voulez, vous pouvez aussi dire votre situation, votre genre, "
                    "votre âge (moins de 25 ans ou non) et le nombre de personnes de votre "
                    "foyer. Ces réponses servent seulement à compter, sans noms, les personnes "
                    "aidées, pour le contrat avec l'État. Chaque question peut rester sans "
                    "réponse."
                )
            ),
            t.fill(
                t.gettext(
                    "Tout est effacé au plus {duration} après votre dernier message. Il reste "
                    "alors seulement des chiffres sans nom pour les comptes du contrat."
                ),
                duration=t.duration(retention),
            ),
            escape(
                t.gettext(
                    "Si vous écrivez à l'équipe (« Parler à l'équipe »), je garde la date de la "
                    "conversation, et vos messages sont copiés, avec votre prénom, dans le "
                    "groupe Telegram de l'équipe. Ils y restent si vous effacez vos données."
                )
            ),
            escape(
                t.gettext(
                    "Vos droits : voir vos données (/mydata), changer vos réponses (/profile), "
                    "tout effacer (/forget). Pour une question ou une réclamation : l'équipe "
                    "« Ensemble ! », ou la CNIL (cnil.fr), l'autorité française de protection "
                    "des données."
                )
            ),
        ]
    )


def consent_full(t: Translator, then: str, retention: timedelta) -> Screen:
    return Screen(
        t.finish(privacy_notice(t, retention)),
        keyboard(_consent_buttons(t, then, more=False)),
    )


def consent_declined(t: Translator) -> str:
    return t.finish(
        t.gettext(
            "D'accord, je ne garde rien de plus. Vous pouvez continuer à utiliser l'assistant. "
            "Pour vous inscrire plus tard, appuyez de nouveau sur « M'inscrire »."
        )
    )


# ---- the optional profile --------------------------------------------------------------
def profile_offer(t: Translator) -> Screen:
    text = t.gettext(
        "Merci ! Une dernière chose, si vous le voulez bien : l'État finance « Ensemble ! » et "
        "demande combien de personnes sont aidées (femmes, hommes, moins de 25 ans, "
        "réfugiés…), sans noms. Voulez-vous répondre à 4 questions courtes ? Ce n'est pas "
        "obligatoire, et chaque question peut rester sans réponse."
    )
    return Screen(
        t.finish("🧾 " + escape(text)),
        keyboard(
            [
                [("✅ " + t.gettext("Répondre"), PROFILE_START)],
                [(t.gettext("Non merci"), PROFILE_NO)],
            ]
        ),
    )


def _choices(t: Translator, question: Question) -> list[tuple[str, str]]:
    """(label, stored value) for each answer to a question, « prefer not to say » last."""
    prefer_not = (t.gettext("Je préfère ne pas répondre"), "prefer_not")
    if question == "status":
        return [
            (t.gettext("Premier titre de séjour (sans protection)"), Status.PRIMO_ARRIVANT),
            (t.gettext("Réfugié ou réfugiée"), Status.REFUGEE),
            (t.gettext("Protection subsidiaire"), Status.SUBSIDIARY_PROTECTION),
            (t.gettext("Apatride"), Status.STATELESS),
            (t.gettext("Protection temporaire (Ukraine)"), Status.TEMPORARY_PROTECTION),
            (t.gettext("Autre situation"), Status.OTHER),
            (t.gettext("Je ne sais pas"), Status.DONT_KNOW),
            prefer_not,
        ]
    if question == "gender":
        return [
            (t.gettext("Une femme"), Gender.WOMAN),
            (t.gettext("Un homme"), Gender.MAN),
            (t.gettext("Autre"), Gender.OTHER),
            prefer_not,
        ]
    if question == "age_band":
        return [
            (t.gettext("Moins de 25 ans"), AgeBand.UNDER_25),
            (t.gettext("25 ans ou plus"), AgeBand.FROM_25),
            prefer_not,
        ]
    sizes = [(t.number(n), str(n)) for n in HOUSEHOLD_CHOICES[:-1]]
    most = HOUSEHOLD_CHOICES[-1]
    sizes.append((t.fill(t.gettext("{count} ou plus"), count=most), str(most)))
    return [*sizes, prefer_not]


def _asked(t: Translator, question: Question) -> str:
    asked = {
        "status": t.gettext("Quelle est votre situation ?"),
        "gender": t.gettext("Quel est votre genre ?"),
        "age_band": t.gettext("Quel âge avez-vous ?"),
        "household": t.gettext("Combien de personnes vivent dans votre foyer, en vous comptant ?"),
    }
    return asked[question]


def profile_question(t: Translator, question: Question, after: str) -> Screen:
    """One question, its answers as buttons; `after`: NEXT (the first time) or SUMMARY."""
    number = QUESTIONS.index(question) + 1
    text = "\n\n".join(
        [
            "🧾 "
            + t.fill(
                t.gettext("Question {number} sur {total}"), number=number, total=len(QUESTIONS)
            ),
            bold(_asked(t, question)),
        ]
    )
    choices: list[Button] = [
        (label, f"{PROFILE_ANSWER_PREFIX}{question}:{value}:{after}")
        for label, value in _choices(t, question)
    ]
    # Household sizes are short: three a row; « prefer not to say » alone on the last.
    rows = in_rows(choices[:-1], 3) if question == "household" else [[c] for c in choices[:-1]]
    rows.append([choices[-1]])
    return Screen(t.finish(text), keyboard(rows))


def answer_label(t: Translator, question: Question, profile: Profile) -> str:
    """How an answer reads back; « pas de réponse » for none."""
    value: Status | Gender | AgeBand | Household = {
        "status": profile.status,
        "gender": profile.gender,
        "age_band": profile.age_band,
        "household": profile.household,
    }[question]
    if isinstance(value, int):  # a household size
        most = HOUSEHOLD_CHOICES[-1]
        if value >= most:
            return t.fill(t.gettext("{count} ou plus"), count=most)
        return t.fill(t.ngettext("{count} personne", "{count} personnes", value), count=value)
    # « unknown » (never answered) is none of the choices: « pas de réponse ».
    labels = {str(v): label for label, v in _choices(t, question)}
    return escape(labels.get(str(value), t.gettext("pas de réponse")))


def _question_title(t: Translator, question: Question) -> str:
    titles = {
        "status": t.gettext("Situation"),
        "gender": t.gettext("Genre"),
        "age_band": t.gettext("Âge"),
        "household": t.gettext("Foyer"),
    }
    return titles[question]


def _answer_line(t: Translator, question: Question, profile: Profile) -> str:
    # The answer is already escaped (it may hold a placeholder's isolation marks).
    return t.labelled(escape(_question_title(t, question)), answer_label(t, question, profile))


def profile_summary(t: Translator, profile: Profile, *, notice: str | None = None) -> Screen:
    """/profile: the answers given, each one a button to change it."""
    lines = ["• " + _answer_line(t, q, profile) for q in QUESTIONS]
    parts = [
        "🧾 " + bold(t.gettext("Mon profil")),
        escape(
            t.gettext(
                "Ces réponses servent seulement aux comptes sans noms du contrat avec l'État. "
                "Touchez une question pour changer votre réponse."
            )
        ),
        "\n".join(lines),
    ]
    if notice:
        parts.insert(0, notice)
    rows: list[list[Button]] = [
        [(_question_title(t, q), f"{PROFILE_ASK_PREFIX}{q}:{SUMMARY}") for q in QUESTIONS[:2]],
        [(_question_title(t, q), f"{PROFILE_ASK_PREFIX}{q}:{SUMMARY}") for q in QUESTIONS[2:]],
        back_to_menu(t),
    ]
    return Screen(t.finish("\n\n".join(parts)), keyboard(rows))


def profile_thanks(t: Translator) -> str:
    return "✅ " + escape(t.gettext("Merci ! Vous pouvez changer vos réponses avec /profile."))


def profile_declined(t: Translator) -> Screen:
    text = t.gettext("D'accord. Si vous changez d'avis, écrivez /profile.")
    return Screen(t.finish(escape(text)), keyboard([back_to_menu(t)]))


# ---- my data -----------------------------------------------------------------------------
def _support_label(t: Translator, action: int) -> str:
    labels = {
        1: t.gettext("accompagnement pour vous installer"),
        4: t.gettext("accompagnement vers le logement"),
    }
    return labels.get(action, t.gettext("accompagnement"))


def _place_state(t: Translator, status: str, attended: bool) -> str:
    states = {
        "registered": t.gettext("place réservée"),
        "waiting": t.gettext("liste d'attente"),
        "cancelled": t.gettext("annulée"),
    }
    state = states.get(status, status)
    return t.join([state, t.gettext("présence notée")]) if attended else state


def my_data(
    t: Translator,
    data: PersonData,
    zone: ZoneInfo,
    titles: dict[str, str],
    conversation: Conversation | None = None,
) -> Screen:
    """Everything stored about the person, in their language; `titles`: workshop slugs →
    their titles (already translated); `conversation`: theirs with the team, if any."""
    person = data.person
    chosen = BY_CODE.get(person.language or "")
    language = chosen.name if chosen is not None else "—"

    def day(value: date | datetime) -> str:
        if isinstance(value, datetime):
            return t.day(value.astimezone(zone).date())
        return t.day(value)

    lines = [
        "🔒 " + escape(t.gettext("Voici tout ce que je garde sur vous :")),
        "• " + t.fill(t.gettext("Identifiant Telegram : {id}"), id=person.telegram_id),
        "• " + t.fill(t.gettext("Langue : {language}"), language=language),
        "• " + t.fill(t.gettext("Premier message : {moment}"), moment=day(person.first_seen)),
        "• " + t.fill(t.gettext("Dernier message : {moment}"), moment=day(person.last_seen)),
    ]
    consent = data.consent
    if consent is not None and consent.withdrawn_at is None:
        lines.append(
            "• "
            + t.fill(
                t.gettext("Accord pour les inscriptions : donné le {date}"),
                date=day(consent.given_at),
            )
        )
    else:
        lines.append("• " + escape(t.gettext("Accord pour les inscriptions : pas donné")))
    sections = ["\n".join(lines)]
    if data.profile is not None:
        answers = ["• " + _answer_line(t, q, data.profile) for q in QUESTIONS]
        sections.append(bold(t.gettext("Mon profil")) + "\n" + "\n".join(answers))
    if data.places:
        places = [
            "• "
            + t.fill(
                t.gettext("{title}, {date} : {state}"),
                title=titles.get(place.workshop, place.workshop),
                date=day(place.starts_at),
                state=_place_state(t, place.status, place.attended),
            )
            + " "
            + t.fill(t.gettext("(N° {number})"), number=place.number)
            for place in data.places
        ]
        sections.append(bold(t.gettext("Inscriptions aux ateliers")) + "\n" + "\n".join(places))
    records: list[str] = []
    for enrolment in data.enrolments:
        if enrolment.ended_on is None:
            records.append(
                t.fill(
                    t.gettext("{support} : depuis le {start}"),
                    support=_support_label(t, enrolment.action),
                    start=day(enrolment.started_on),
                )
            )
        else:
            records.append(
                t.fill(
                    t.gettext("{support} : du {start} au {end}"),
                    support=_support_label(t, enrolment.action),
                    start=day(enrolment.started_on),
                    end=day(enrolment.ended_on),
                )
            )
    if data.housing is not None:
        records.append(
            t.fill(
                t.gettext("Entrée dans un logement durable : le {date}"),
                date=day(data.housing.housed_on),
            )
        )
    for role in data.volunteer_roles:
        records.append(
            t.fill(
                t.gettext("Bénévolat : {role}, depuis le {start}"),
                role=role.role,
                start=day(role.started_on),
            )
        )
    if conversation is not None and conversation.first_written_at is not None:
        records.append(
            t.fill(
                t.gettext(
                    "Conversation avec l'équipe : depuis le {date} (vos messages sont dans le "
                    "groupe Telegram de l'équipe)"
                ),
                date=day(conversation.first_written_at),
            )
        )
    if records:
        sections.append(
            "<b>"
            + escape(t.gettext("Ce que l'équipe a noté"))
            + "</b>\n"
            + "\n".join("• " + r for r in records)
        )
    rows: list[list[Button]] = [
        [("🧾 " + t.gettext("Mon profil"), PROFILE)],
        [("🗑 " + t.gettext("Effacer mes données"), FORGET)],
        back_to_menu(t),
    ]
    return Screen(t.finish("\n\n".join(sections)), keyboard(rows))


def confirm_forget(t: Translator, *, talked_to_team: bool = False) -> Screen:
    """`talked_to_team`: their messages to the team stay in its group; say so first."""
    text = t.gettext(
        "Voulez-vous vraiment effacer vos données ? Vos inscriptions aux ateliers seront "
        "annulées. Je ne pourrai pas les retrouver."
    )
    if talked_to_team:
        text += "\n\n" + copies_stay(t)
    return Screen(
        t.finish(text),
        keyboard([[(t.gettext("Oui, effacer"), FORGET_CONFIRMED), (t.gettext("Non"), MY_DATA)]]),
    )


def forgotten(t: Translator) -> Screen:
    text = t.gettext("C'est fait : j'ai effacé vos données. Écrivez /start pour recommencer.")
    return Screen(t.finish(text))


def nothing_kept(t: Translator) -> Screen:
    """« Mes données » for someone not stored (never chose a language, or forgotten)."""
    text = t.gettext("Je ne garde rien sur vous. Écrivez /start pour choisir votre langue.")
    return Screen(t.finish(escape(text)))
