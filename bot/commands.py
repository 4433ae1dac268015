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
)
# TRANSLATORS: shown on the bot's empty chat screen; at most 512 characters.
DESCRIPTION = N_(
    "L'assistant d'« Ensemble ! » (CESAM, Dijon) pour les personnes arrivées en France : "
    "logement, aides de la CAF, droits, démarches et ateliers, dans votre langue."
)
# TRANSLATORS: shown on the bot's profile; at most 120 characters.
SHORT_DESCRIPTION = N_("Logement, CAF, droits et ateliers à Dijon, dans votre langue.")


def command_list(t: Translator) -> list[BotCommand]:
    return [BotCommand(name, t.finish(t.gettext(description))) for name, description in COMMANDS]


async def register_everywhere(bot: Bot, catalogs: Catalogs) -> None:
    """Commands and descriptions per language code, French as the default for the rest.

    Only what differs is set: the set* methods have their own flood limits, and the bot
    restarts at every deployment."""
    for t in catalogs.all():
        codes = [t.code, None] if t.code == SOURCE_LANGUAGE else [t.code]
        for code in codes:
            try:
                await _register(bot, t, code)
            except TelegramError as error:
                log.warning("could not register commands for %s: %s", code or "default", error)


async def _register(bot: Bot, t: Translator, code: str | None) -> None:
    commands = command_list(t)
    if list(await bot.get_my_commands(language_code=code)) != commands:
        await bot.set_my_commands(commands, language_code=code)
    description = t.finish(t.gettext(DESCRIPTION))
    if (await bot.get_my_description(language_code=code)).description != description:
        await bot.set_my_description(description, language_code=code)
    short = t.finish(t.gettext(SHORT_DESCRIPTION))
    if (await bot.get_my_short_description(language_code=code)).short_description != short:
        await bot.set_my_short_description(short, language_code=code)


async def register_for_chat(bot: Bot, chat_id: int, t: Translator) -> None:
    """Commands in the person's chosen language, whatever their phone's language
    (the only way for Pashto and Tigrinya, which Telegram has no interface for)."""
    await bot.set_my_commands(command_list(t), scope=BotCommandScopeChat(chat_id))
