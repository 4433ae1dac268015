"""The command menu and the bot's descriptions, registered with Telegram in every language."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.i18n import N_, SOURCE_LANGUAGE, Catalogs, Translator

log = logging.getLogger(__name__)

COMMANDS = (
    ("start", N_("Commencer et choisir la langue")),
    ("menu", N_("Menu principal")),
    ("language", N_("Changer de langue")),
    ("help", N_("Aide")),
    ("workshops", N_("Ateliers à venir")),
    ("myworkshops", N_("Mes ateliers")),
    ("mydata", N_("Mes données")),
    ("profile", N_("Mon profil")),
    ("forget", N_("Effacer mes données")),
)
# Only in staff's own chats: nobody else is shown them.
STAFF_COMMANDS = (
    ("staff", N_("Espace équipe")),
    ("report", N_("Rapport pour le contrat (indicateurs)")),
)
# TRANSLATORS: shown on the bot's empty chat screen; at most 512 characters.
DESCRIPTION = N_(
    "L'assistant d'« Ensemble ! » (CESAM, Dijon) pour les personnes arrivées en France : "
    "logement, aides de la CAF, droits, démarches et ateliers, dans votre langue."
)
# TRANSLATORS: shown on the bot's profile; at most 120 characters.
SHORT_DESCRIPTION = N_("Logement, CAF, droits et ateliers à Dijon, dans votre langue.")


def command_list(t: Translator, *, staff: bool = False) -> list[BotCommand]:
    commands = (*COMMANDS, *STAFF_COMMANDS) if staff else COMMANDS
    return [BotCommand(name, t.finish(t.gettext(description))) for name, description in commands]


async def register_everywhere(bot: Bot, catalogs: Catalogs) -> None:
    """Commands and descriptions per language code, French as the default for the rest.

    Set at every start, so a deployment with new texts takes effect at once; a failure is
    logged and never stops the bot."""
    for t in catalogs.all():
        codes = [t.code, None] if t.code == SOURCE_LANGUAGE else [t.code]
        for code in codes:
            try:
                await _register(bot, t, code)
            except TelegramError as error:
                log.warning("could not register commands for %s: %s", code or "default", error)


async def _register(bot: Bot, t: Translator, code: str | None) -> None:
    await bot.set_my_commands(command_list(t), language_code=code)
    await bot.set_my_description(t.finish(t.gettext(DESCRIPTION)), language_code=code)
    await bot.set_my_short_description(t.finish(t.gettext(SHORT_DESCRIPTION)), language_code=code)


async def register_for_chat(bot: Bot, chat_id: int, t: Translator, *, staff: bool = False) -> None:
    """Commands in the person's chosen language, whatever their phone's language
    (the only way for Pashto and Tigrinya, which Telegram has no interface for)."""
    await bot.set_my_commands(command_list(t, staff=staff), scope=BotCommandScopeChat(chat_id))
