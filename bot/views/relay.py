"""The relay's screens: for the person, in their language (what happens to what they write,
when the team reads it, the end of a conversation), and for the staff group (each topic's
card and one-line notices), in the team's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.relay import Card, reference
from bot.domain.workshops import Offer
from bot.i18n import BY_CODE, Translator
from bot.storage import Registration
from bot.views.menu import back_to_menu, talk_button
from bot.views.screen import RELAY_BACK, Button, Screen, escape, keyboard
from bot.views.workshops import when


def back_button(t: Translator) -> Button:
    """Ends the « talking to the team » mode: free text goes to search again."""
    return ("⬅️ " + t.gettext("Retour à l'assistant"), RELAY_BACK)


def _danger(t: Translator) -> str:
    return "🆘 " + t.gettext("En cas de danger, appelez le 112.")


def away(t: Translator, opening: datetime, zone: ZoneInfo) -> str:
    """The team is not there: when it will read the message (Babel's date and time)."""
    return "🕘 " + t.fill(
        t.gettext(
            "L'équipe n'est pas là en ce moment. Elle lira votre message le {day} à partir "
            "de {time}."
        ),
        day=t.date(opening.astimezone(zone).date()),
        time=t.time(opening, zone),
    )


# ---- the person's side ------------------------------------------------------------------
def talking(t: Translator, opening: datetime | None, zone: ZoneInfo) -> Screen:
    """After « Talk to the team »: what they write now goes to a person of the team."""
    parts = [
        "💬 "
        + escape(
            t.gettext(
                "Écrivez votre message ici, avec vos mots, dans votre langue. Vous pouvez "
                "aussi envoyer une photo, un document ou un message vocal."
            )
        ),
        escape(
            t.gettext(
                "Une personne de l'équipe « Ensemble ! » le lira et vous répondra ici. "
                "Elle voit votre prénom et vos messages, pas votre compte Telegram."
            )
        ),
        escape(copies_stay(t)),
    ]
    if opening is not None:
        parts.append(away(t, opening, zone))
    parts += [
        escape(t.gettext("Pour revenir à l'assistant, appuyez sur le bouton ci-dessous.")),
        "/end – " + escape(t.gettext("terminer la conversation avec l'équipe")),
        _danger(t),
    ]
    return Screen(t.finish("\n\n".join(parts)), keyboard([[back_button(t)]]))


def copies_stay(t: Translator) -> str:
    """What /forget cannot take back: the copies in the team's group (said before)."""
    return t.gettext(
        "Vos messages à l'équipe restent dans son groupe Telegram, même si vous effacez vos "
        "données."
    )


def sent(t: Translator, opening: datetime | None, zone: ZoneInfo) -> Screen:
    """The first message since they started talking has reached the team."""
    parts = ["✅ " + escape(t.gettext("Message envoyé à l'équipe. Elle vous répondra ici."))]
    if opening is not None:
        parts.append(away(t, opening, zone))
    return Screen(t.finish("\n\n".join(parts)), keyboard([[back_button(t)]]))


def team_wrote(t: Translator) -> Screen:
    """Before a staff message to someone whose free text went to search: it goes to the
    team now, since they will likely answer."""
    text = "💬 " + escape(
        t.gettext(
            "L'équipe « Ensemble ! » vous écrit. Ce que vous écrivez maintenant lui est envoyé."
        )
    )
    return Screen(t.finish(text), keyboard([[back_button(t)]]))


def _after(t: Translator, line: str) -> Screen:
    text = "\n\n".join(
        [
            "👋 " + escape(line),
            escape(t.gettext("Vos questions vont de nouveau à l'assistant.")),
        ]
    )
    return Screen(t.finish(text), keyboard([[talk_button(t)], back_to_menu(t)]))


def ended_by_team(t: Translator) -> Screen:
    return _after(t, t.gettext("L'équipe a terminé la conversation."))


def ended(t: Translator) -> Screen:
    """The person's /end."""
    return _after(t, t.gettext("La conversation avec l'équipe est terminée."))


def nothing_to_end(t: Translator) -> Screen:
    text = escape(t.gettext("Vous n'êtes pas en conversation avec l'équipe."))
    return Screen(t.finish(text), keyboard([[talk_button(t)], back_to_menu(t)]))


def back_with_the_assistant(t: Translator) -> str:
    """The notice on « Back to the assistant » (at most 200 characters)."""
    return t.gettext("Vos questions vont de nouveau à l'assistant.")


def not_delivered(t: Translator) -> Screen:
    text = "\n\n".join(
        [
            escape(
                t.gettext(
                    "Désolé, votre message n'a pas pu être transmis à l'équipe. Réessayez dans "
                    "un moment."
                )
            ),
            _danger(t),
        ]
    )
    return Screen(t.finish(text), keyboard([[back_button(t)]]))


# ---- the staff group ------------------------------------------------------------------------
def _language(t: Translator, code: str | None) -> str:
    language = BY_CODE.get(code or "")
    name = f"{language.name} ({language.code})" if language else t.gettext("pas encore choisie")
    return t.fill(t.gettext("Langue : {language}"), language=name)


def _place(t: Translator, place: tuple[Offer, Registration], zone: ZoneInfo) -> str:
    """A session to come: which, when, the registration's number (as staff pages show it)."""
    offer, registration = place
    line = (
        f"• {escape(t.gettext(offer.workshop.title))}, {escape(when(t, offer, zone))} · "
        + t.fill(t.gettext("N° {number}"), number=registration.number)
    )
    if registration.status == "waiting":
        line += " · ⏳ " + t.fill(
            t.gettext("liste d'attente, place {position}"), position=registration.position
        )
    return line


def card(t: Translator, facts: Card, zone: ZoneInfo, *, notice: str | None = None) -> Screen:
    """A topic's card: who this is for the team (never a name or an account)."""
    lines = [
        f"📇 <b>{reference(facts.number)}</b>",
        _language(t, facts.language),
        t.fill(
            t.gettext("Écrit à l'assistant depuis le {date}"),
            date=t.day(facts.first_seen.astimezone(zone).date()),
        ),
    ]
    if facts.first_written is not None:
        lines.append(
            t.fill(
                t.gettext("Premier message à l'équipe : {moment}"),
                moment=t.datetime(facts.first_written, zone),
            )
        )
    if facts.places:
        lines.append(escape(t.gettext("Ateliers à venir :")))
        lines += [_place(t, place, zone) for place in facts.places]
    else:
        lines.append(escape(t.gettext("Aucun atelier à venir.")))
    lines.append(
        escape(
            t.gettext("Conversation ouverte.") if facts.open else t.gettext("Conversation close.")
        )
    )
    parts = ["\n".join(lines), commands(t)]
    if notice is not None:
        parts.insert(0, notice)
    return Screen(t.finish("\n\n".join(parts)))


def commands(t: Translator) -> str:
    return "\n".join(
        [
            escape(t.gettext("Répondez ici : la personne reçoit une copie de vos messages.")),
            "! – "
            + escape(
                t.gettext("un message qui commence par « ! » reste dans l'équipe (note interne)")
            ),
            "/close – " + escape(t.gettext("terminer la conversation (la personne est prévenue)")),
            "/info – " + escape(t.gettext("revoir cette fiche")),
        ]
    )


def topic_recreated(t: Translator) -> str:
    return "ℹ️ " + escape(
        t.gettext("Le sujet précédent de cette personne a été supprimé : la suite est ici.")
    )


def _notice(t: Translator, text: str) -> Screen:
    return Screen(t.finish(text))


def closed_by_staff(t: Translator) -> Screen:
    return _notice(
        t,
        "🔒 "
        + escape(
            t.gettext(
                "Conversation close : la personne est prévenue dans sa langue. Elle peut "
                "écrire de nouveau ; vous aussi."
            )
        ),
    )


def ended_by_person(t: Translator) -> Screen:
    return _notice(t, "🔒 " + escape(t.gettext("La personne a terminé la conversation.")))


def blocked(t: Translator) -> Screen:
    return _notice(
        t,
        "⚠️ "
        + escape(
            t.gettext("La personne a bloqué l'assistant : ce message ne lui est pas parvenu.")
        ),
    )


def refused(t: Translator) -> Screen:
    return _notice(
        t,
        "⚠️ "
        + escape(
            t.gettext("Telegram a refusé de transmettre ce message à la personne. Réessayez.")
        ),
    )


def urgent(t: Translator) -> Screen:
    return _notice(
        t,
        "🆘 "
        + escape(
            t.gettext(
                "Ce message ressemble à une urgence : l'assistant a aussitôt donné à la "
                "personne les numéros d'urgence."
            )
        ),
    )


def person_left(t: Translator, *, purged: bool = False) -> Screen:
    """`purged`: forgotten after DATA_RETENTION without a message, not by their request."""
    said = (
        t.gettext(
            "Les données de la personne ont été effacées : elle n'avait plus écrit depuis "
            "longtemps. Plus rien de ce sujet ne lui parvient. L'historique reste ici."
        )
        if purged
        else t.gettext(
            "La personne a effacé ses données (/forget) : plus rien de ce sujet ne lui "
            "parvient. L'historique reste ici."
        )
    )
    return _notice(t, "👋 " + escape(said))


def left_topic_name(t: Translator, number: int) -> str:
    """The topic's name once the person has left: their first name goes."""
    gone = t.gettext("données effacées")  # a literal outside the f-string: Babel extracts it
    return f"{reference(number)} · {gone}"


def only_in_a_topic(t: Translator) -> Screen:
    return _notice(
        t, "ℹ️ " + escape(t.gettext("/close et /info s'utilisent dans le sujet d'une personne."))
    )


def nobody_here(t: Translator) -> Screen:
    return _notice(
        t,
        "ℹ️ "
        + escape(
            t.gettext(
                "Ce sujet n'est lié à personne : la personne a effacé ses données, ou ce sujet "
                "a été ouvert à la main."
            )
        ),
    )
