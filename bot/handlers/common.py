"""Identifying the person of each update, answering presses, and sending screens."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Literal

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.domain.relay import TEAM_LANGUAGE
from bot.i18n import guess_language
from bot.views.screen import Screen, split_text

log = logging.getLogger(__name__)

# "Last message" serves the retention rule and « Mes données » (shown to the day): kept to
# the hour, as writing it at every message would cost a database write per update.
LAST_SEEN_PRECISION = timedelta(hours=1)

# Telegram's words when a message can no longer be edited.
_CANNOT_EDIT = (
    "message can't be edited",
    "message to edit not found",
    "message can't be found",
    "there is no text in the message to edit",
)


def is_staff(update: Update, context: BotContext) -> bool:
    """Whether the update comes from staff (`BOT_ADMIN_IDS`), decided on the server."""
    user = update.effective_user
    return user is not None and user.id in context.services.settings.bot_admin_ids


def staff_id(update: Update) -> int | None:
    """Who did it, for the audit log."""
    user = update.effective_user
    return None if user is None else user.id


async def identify(update: object, context: BotContext) -> None:
    """Group -2: record the person as seen and pick their translator, once per update."""
    if not isinstance(update, Update):
        return
    services = context.services
    if update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE:
        # The assistant talks one to one; in a group it would store and answer bystanders.
        # The one group it hears is the relay's staff group, and there only staff's messages
        # (nobody is recorded: they write to people, not to the assistant).
        settings = services.settings
        heard = update.effective_chat.id == settings.staff_chat_id and update.message is not None
        if not heard or not is_staff(update, context):
            raise ApplicationHandlerStop
        context.t = services.catalogs.translator(TEAM_LANGUAGE)
        return
    if update.effective_user is None:
        return
    user = update.effective_user
    # Someone who has not chosen a language (new, or who deleted their data) is not stored:
    # None here, until they choose one.
    person = await asyncio.to_thread(
        services.users.seen,
        user.id,
        services.clock(),
        refresh_after=LAST_SEEN_PRECISION,
        create=False,
    )
    context.person = person
    # The stored choice wins; Telegram's language_code is only a first guess.
    chosen = person.language if person is not None else None
    context.t = services.catalogs.translator(chosen or guess_language(user.language_code))


def pressed(update: Update) -> tuple[CallbackQuery, str]:
    """The callback query of a button handler, and its data."""
    query = update.callback_query
    if query is None or query.data is None:
        raise TypeError("this handler only serves button presses")
    return query, query.data


async def acknowledge(update: Update, context: BotContext, notice: str | None = None) -> None:
    """Answer the press (once: Telegram refuses a second answer), with an optional notice."""
    query = update.callback_query
    if query is None or context.is_answered(query.id):
        return
    context.mark_answered(query.id)
    try:
        await query.answer(context.t.finish(notice) if notice else None)
    except BadRequest as error:
        # A press answered late (replayed after a restart, or under load): Telegram no
        # longer takes the answer, but the press must still be acted upon.
        if (
            "query is too old" not in error.message.lower()
            and "query id is invalid" not in error.message.lower()
        ):
            raise
        log.debug("a press was answered too late for Telegram")


async def send(update: Update, context: BotContext, screen: Screen) -> None:
    """Send the screen as a new message in the update's chat (several, if it is too long:
    the buttons go under the last one)."""
    chat = update.effective_chat
    if chat is None:
        return
    parts = split_text(screen.text)
    for part in parts[:-1]:
        await context.bot.send_message(chat.id, part)
    await context.bot.send_message(chat.id, parts[-1], reply_markup=screen.keyboard)


async def show(update: Update, context: BotContext, screen: Screen) -> None:
    """In place of the pressed message, or as a new one for a command."""
    if update.callback_query is not None:
        await acknowledge(update, context)
        await replace(update, context, screen)
    else:
        await send(update, context, screen)


async def replace(update: Update, context: BotContext, screen: Screen) -> None:
    """Show the screen in place of the message whose button was pressed."""
    query = update.callback_query
    if query is None or query.message is None or len(split_text(screen.text)) > 1:
        # A screen longer than one message cannot take the place of one.
        await send(update, context, screen)
        return
    try:
        await query.edit_message_text(screen.text, reply_markup=screen.keyboard)
    except BadRequest as error:
        reason = error.message.lower()
        # A double press asks for the content already shown; Telegram says so, nothing to do.
        if "message is not modified" in reason:
            log.debug("screen already shown")
            return
        # A message too old to edit, or deleted: the screen comes as a new message.
        if any(cause in reason for cause in _CANNOT_EDIT):
            log.info("could not edit the message (%s): sending the screen anew", error.message)
            await send(update, context, screen)
            return
        raise


async def expired_button(update: Update, context: BotContext) -> None:
    """Any button we do not (or no longer) know: answer it, never act on it."""
    await acknowledge(update, context, context.t.gettext("Ce bouton n'est plus valable."))


async def tell(
    context: BotContext,
    person: int,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Literal["sent", "blocked", "failed"]:
    """A message the person did not ask for just now (a reminder, a seat freed, a
    cancellation). Someone who blocked the bot is marked inactive ("blocked": no retries,
    nothing more until they write again); "failed" is a passing failure, worth a retry."""
    try:
        await context.bot.send_message(person, text, reply_markup=reply_markup)
    except Forbidden:
        services = context.services
        await asyncio.to_thread(services.users.mark_blocked, person, services.clock())
        log.info("a person has blocked the bot; marked inactive")
        return "blocked"
    except TelegramError as error:
        log.warning("a message could not be delivered (%s)", type(error).__name__)
        return "failed"
    return "sent"
