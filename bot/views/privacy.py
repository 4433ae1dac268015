""" "My data": what is stored about a person, and forgetting it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import BY_CODE, Translator
from bot.storage import Person
from bot.views.menu import back_to_menu
from bot.views.screen import FORGET, FORGET_CONFIRMED, MY_DATA, Screen, keyboard


def my_data(t: Translator, person: Person, zone: ZoneInfo, workshops: int = 0) -> Screen:
    """Everything stored about the person; `workshops`: their registrations kept (seats and
    waiting places, past sessions included)."""
    chosen = BY_CODE.get(person.language or "")
    language = chosen.name if chosen is not None else "—"
    lines = [
        "🔒 " + t.gettext("Voici tout ce que je garde sur vous :"),
        "• " + t.fill(t.gettext("Identifiant Telegram : {id}"), id=person.telegram_id),
        "• " + t.fill(t.gettext("Langue : {language}"), language=language),
        "• "
        + t.fill(
            t.gettext("Premier message : {moment}"),
            moment=t.day(person.first_seen.astimezone(zone).date()),
        ),
        "• "
        + t.fill(
            t.gettext("Dernier message : {moment}"),
            moment=t.day(person.last_seen.astimezone(zone).date()),
        ),
        "• " + t.fill(t.gettext("Inscriptions aux ateliers : {count}"), count=workshops),
    ]
    return Screen(
        t.finish("\n".join(lines)),
        keyboard(
            [
                [("🗑 " + t.gettext("Effacer mes données"), FORGET)],
                back_to_menu(t),
            ]
        ),
    )


def confirm_forget(t: Translator) -> Screen:
    text = t.gettext("Voulez-vous vraiment effacer vos données ? Je ne pourrai pas les retrouver.")
    return Screen(
        t.finish(text),
        keyboard([[(t.gettext("Oui, effacer"), FORGET_CONFIRMED), (t.gettext("Non"), MY_DATA)]]),
    )


def forgotten(t: Translator) -> Screen:
    text = t.gettext("C'est fait : j'ai effacé vos données. Écrivez /start pour recommencer.")
    return Screen(t.finish(text))
