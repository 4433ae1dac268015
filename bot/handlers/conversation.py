"""Commands and buttons of the skeleton: language, menu, help, my data."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import TelegramError

from bot.commands import register_for_chat
from bot.context import BotContext
from bot.domain.workshops import session_id_from_payload
from bot.handlers import relay, workshops
from bot.handlers.common import acknowledge, expired_button, is_staff, pressed, replace, send
from bot.i18n import BY_CODE
from bot.views import language as language_views
from bot.views import menu as menu_views
from bot.views.screen import LANGUAGE_PREFIX

log = logging.getLogger(__name__)


async def start(update: Update, context: BotContext) -> None:
    """/start and /language: the picker, current choice (or Telegram's guess) first.

    `/start s12` comes from a session's deep link: the session's page at once for someone
    who has chosen a language, else the picker first and the session right after."""
    payload = context.args[0] if context.args else ""
    session_id = session_id_from_payload(payload)
    if session_id is not None and context.person is not None and context.person.language:
        await workshops.show_session(update, context, session_id, fresh=True)
        return
    then = payload if session_id is not None else None
    await send(update, context, language_views.language_picker(context.t, then=then))


async def show_menu(update: Update, context: BotContext) -> None:
    base, offered = context.services.guidance.base, relay.offered(context)
    await send(update, context, menu_views.main_menu(context.t, base, relay=offered))


async def show_help(update: Update, context: BotContext) -> None:
    await send(update, context, menu_views.help_text(context.t))


async def not_text(update: Update, context: BotContext) -> None:
    """Anything but text: a kind word on what the assistant understands, and the menu
    (or, to someone talking with the team, the team has it)."""
    if await relay.passes_on(update, context):
        return
    message = update.effective_message
    spoken = message is not None and bool(message.voice or message.audio or message.video_note)
    base = context.services.guidance.base
    shown = menu_views.not_text(context.t, base, spoken=spoken, relay=relay.offered(context))
    await send(update, context, shown)


async def language_chosen(update: Update, context: BotContext) -> None:
    _, data = pressed(update)
    code, _, then = data.removeprefix(LANGUAGE_PREFIX).partition(":")
    if code not in BY_CODE or update.effective_user is None:
        await expired_button(update, context)
        return
    services = context.services
    await asyncio.to_thread(
        services.users.set_language, update.effective_user.id, code, services.clock()
    )
    context.t = t = services.catalogs.translator(code)
    await acknowledge(update, context)
    await replace(update, context, language_views.language_chosen(t))
    await send(
        update,
        context,
        menu_views.greeting(t, services.guidance.base, relay=relay.offered(context)),
    )
    session_id = session_id_from_payload(then)
    if session_id is not None:  # they came by a session's deep link
        await workshops.show_session(update, context, session_id, fresh=True)
    if update.effective_chat is not None:
        chat_id, staff = update.effective_chat.id, is_staff(update, context)
        try:
            await register_for_chat(context.bot, chat_id, t, staff=staff)
        except TelegramError as error:
            # The person has their answer; the command menu is a convenience.
            log.warning("could not set the chat's commands: %s", error)


async def choose_language(update: Update, context: BotContext) -> None:
    await acknowledge(update, context)
    await replace(update, context, language_views.language_picker(context.t))


async def menu_button(update: Update, context: BotContext) -> None:
    await acknowledge(update, context)
    base, offered = context.services.guidance.base, relay.offered(context)
    await replace(update, context, menu_views.main_menu(context.t, base, relay=offered))
