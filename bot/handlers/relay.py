"""« Talk to the team »: a person's messages go to their own topic in the staff group, and
what staff write in that topic goes back to them.

Both ways by copyMessage: the copy is sent by the bot, with no "forwarded from" header, so
neither side sees the other's account. Only the staff group's staff reach the handlers of
the group (see handlers.common.identify). The person's messages are never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.constants import ForumIconColor
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.domain.relay import TEAM_LANGUAGE, topic_name
from bot.handlers.common import acknowledge, expired_button, replace, send, tell
from bot.i18n import Translator
from bot.storage import Conversation
from bot.views import guidance as guidance_views
from bot.views import menu as menu_views
from bot.views import relay as views
from bot.views.screen import Screen

log = logging.getLogger(__name__)

# A staff message that starts with this is for the team only: it is not copied.
STAFF_ONLY = "!"

TOPIC_COLOUR = ForumIconColor.BLUE


def offered(context: BotContext) -> bool:
    """Whether the relay is set up (STAFF_CHAT_ID): without it, no button leads to it."""
    return context.services.settings.staff_chat_id is not None


def _team(context: BotContext) -> Translator:
    return context.services.catalogs.translator(TEAM_LANGUAGE)


def _staff_chat(context: BotContext) -> int:
    chat = context.services.settings.staff_chat_id
    if chat is None:
        raise RuntimeError("the relay is not set up (STAFF_CHAT_ID)")
    return chat


def _gone(error: BadRequest) -> bool:
    """Telegram says the topic no longer exists (staff deleted it)."""
    reason = error.message.lower()
    return "thread not found" in reason or "topic_deleted" in reason or "topic_id_invalid" in reason


def _closed(error: BadRequest) -> bool:
    return "topic_closed" in error.message.lower()


def _unchanged(error: BadRequest) -> bool:
    return "topic_not_modified" in error.message.lower()


# ---- the person's side ------------------------------------------------------------------
async def talk_pressed(update: Update, context: BotContext) -> None:
    """« Talk to the team »: what they write from now on goes to the team."""
    user = update.effective_user
    if not offered(context) or user is None or context.person is None:
        await expired_button(update, context)
        return
    relay, t = context.services.relay, context.t
    await asyncio.to_thread(relay.start_talking, user.id)
    await acknowledge(update, context)
    opening = await asyncio.to_thread(relay.next_opening)
    await send(update, context, views.talking(t, opening, relay.zone))


async def back_pressed(update: Update, context: BotContext) -> None:
    """« Back to the assistant »: free text is a question again; staff replies still come."""
    user = update.effective_user
    if user is None:
        await expired_button(update, context)
        return
    services, t = context.services, context.t
    await asyncio.to_thread(services.relay.stop_talking, user.id)
    await acknowledge(update, context, views.back_with_the_assistant(t))
    await replace(
        update, context, menu_views.main_menu(t, services.guidance.base, relay=offered(context))
    )


async def end_asked(update: Update, context: BotContext) -> None:
    """/end: the person closes the conversation; staff see it in the topic."""
    user = update.effective_user
    if user is None:
        return
    t = context.t
    if not offered(context):
        await send(update, context, menu_views.help_text(t))  # as for any unknown command
        return
    relay = context.services.relay
    conversation = await asyncio.to_thread(relay.conversation, user.id)
    if conversation is None or not await asyncio.to_thread(relay.end, user.id):
        await send(update, context, views.nothing_to_end(t))
        return
    await send(update, context, views.ended(t))
    try:
        await _close_topic(context, conversation, views.ended_by_person(_team(context)))
    except TelegramError as error:
        # The person has their answer; the topic stays as it was.
        log.warning("could not close a topic in the staff group (%s)", error.message)


async def passes_on(update: Update, context: BotContext) -> bool:
    """Called first by the handlers of free text and attachments: True when the person is
    talking with the team, and their message went there instead."""
    user, message = update.effective_user, update.effective_message
    if not offered(context) or user is None or message is None or context.person is None:
        return False
    relay = context.services.relay
    conversation = await asyncio.to_thread(relay.conversation, user.id)
    if conversation is None or not conversation.talking:
        return False
    await _to_team(update, context, conversation, message)
    return True


async def _to_team(
    update: Update, context: BotContext, conversation: Conversation, message: Message
) -> None:
    services, t = context.services, context.t
    relay, team = services.relay, _team(context)
    first_name = update.effective_user.first_name if update.effective_user else None
    await asyncio.to_thread(relay.note_written, conversation.telegram_id)
    chat = _staff_chat(context)

    async def copy(thread: int) -> None:
        await context.bot.copy_message(
            chat, message.chat_id, message.message_id, message_thread_id=thread
        )

    try:
        thread = await _in_topic(context, conversation, copy, first_name=first_name)
    except TelegramError as error:
        # Telegram's reason only: the message itself stays out of the logs.
        log.warning("a message could not reach the staff group (%s)", error.message)
        await send(update, context, views.not_delivered(t))
        return
    log.debug("a message went to the staff group")
    delivery = await asyncio.to_thread(relay.delivered, conversation)
    if delivery.confirm:
        await send(update, context, views.sent(t, delivery.next_opening, relay.zone))
    said = message.text or message.caption
    entry = services.guidance.emergency(said, t.code) if said else None
    if entry is not None:
        # In danger, the numbers now: the team may read this hours later.
        await send(update, context, guidance_views.entry_page(t, services.guidance.base, entry))
        await _post(context, chat, thread, views.urgent(team))


async def _in_topic(
    context: BotContext,
    conversation: Conversation,
    action: Callable[[int], Awaitable[None]],
    *,
    first_name: str | None,
) -> int:
    """Run `action(thread)` in the person's topic, opening one first if they have none in
    the staff group, reopening it if it is closed, and opening a new one if staff deleted
    it. Returns the thread used."""
    relay, chat = context.services.relay, _staff_chat(context)
    thread = conversation.topic_in(chat)
    if thread is None:
        thread = await _open_topic(context, conversation, first_name)
    elif conversation.topic_closed:
        await _reopen(context, conversation, thread)
    try:
        await action(thread)
    except BadRequest as error:
        if _closed(error):  # closed by hand in the group
            await _reopen(context, conversation, thread)
        elif _gone(error):
            log.info("a topic was deleted in the staff group; opening a new one")
            fresh = await asyncio.to_thread(relay.conversation, conversation.telegram_id)
            thread = await _open_topic(context, fresh or conversation, first_name, recreated=True)
        else:
            raise
        await action(thread)
    return thread


async def _open_topic(
    context: BotContext,
    conversation: Conversation,
    first_name: str | None,
    *,
    recreated: bool = False,
) -> int:
    """A new topic named after the person, opened with their card."""
    services, chat = context.services, _staff_chat(context)
    person = await asyncio.to_thread(services.users.get, conversation.telegram_id)
    language = person.language if person is not None else None
    name = topic_name(conversation.number, first_name, language)
    topic = await context.bot.create_forum_topic(chat, name, icon_color=TOPIC_COLOUR)
    thread = topic.message_thread_id
    await asyncio.to_thread(services.relay.topic_created, conversation.telegram_id, chat, thread)
    log.info("opened a topic in the staff group for conversation %d", conversation.number)
    team = _team(context)
    notice = views.topic_recreated(team) if recreated else None
    await _post_card(context, conversation.telegram_id, thread, notice=notice)
    return thread


async def _post_card(
    context: BotContext, person: int, thread: int, *, notice: str | None = None
) -> None:
    relay = context.services.relay
    conversation = await asyncio.to_thread(relay.conversation, person)
    facts = await asyncio.to_thread(relay.card, conversation) if conversation else None
    team = _team(context)
    shown = (
        views.nobody_here(team)
        if facts is None
        else views.card(team, facts, relay.zone, notice=notice)
    )
    await _post(context, _staff_chat(context), thread, shown)


async def _reopen(context: BotContext, conversation: Conversation, thread: int) -> None:
    try:
        await context.bot.reopen_forum_topic(_staff_chat(context), thread)
    except BadRequest as error:
        if not _unchanged(error):  # already open: staff reopened it by hand
            raise
    await asyncio.to_thread(context.services.relay.topic_closed, conversation.telegram_id, False)


async def _post(context: BotContext, chat: int, thread: int, screen: Screen) -> None:
    await context.bot.send_message(
        chat, screen.text, reply_markup=screen.keyboard, message_thread_id=thread
    )


async def _close_topic(context: BotContext, conversation: Conversation, notice: Screen) -> None:
    """Say in the topic why it ends, then close it (a closed topic shows as such in the
    group's list). A topic that is gone has nobody to tell."""
    chat = _staff_chat(context)
    thread = conversation.topic_in(chat)
    if thread is None:
        return
    try:
        if conversation.topic_closed:
            await _reopen(context, conversation, thread)
        await _post(context, chat, thread, notice)
        await context.bot.close_forum_topic(chat, thread)
    except BadRequest as error:
        if _gone(error):
            return
        if not _unchanged(error):
            raise
    await asyncio.to_thread(context.services.relay.topic_closed, conversation.telegram_id, True)


async def person_left(context: BotContext, telegram_id: int, *, purged: bool = False) -> None:
    """Call before a person's data is deleted (/forget, or `purged` after DATA_RETENTION):
    their conversation goes, and staff are told in the topic, whose title loses the first
    name; the topic's history stays in the group. Telegram's refusals are logged, never
    raised: forgetting must go on."""
    relay = context.services.relay
    conversation = await asyncio.to_thread(relay.forget, telegram_id)
    chat = context.services.settings.staff_chat_id
    if conversation is None or chat is None or (thread := conversation.topic_in(chat)) is None:
        return
    team = _team(context)
    try:
        if conversation.topic_closed:
            await context.bot.reopen_forum_topic(chat, thread)
        await _post(context, chat, thread, views.person_left(team, purged=purged))
        await context.bot.edit_forum_topic(
            chat, thread, name=views.left_topic_name(team, conversation.number)
        )
        await context.bot.close_forum_topic(chat, thread)
    except TelegramError as error:
        log.warning("could not tell the staff group that a person left (%s)", error.message)


# ---- the staff group --------------------------------------------------------------------
def _topic_of(update: Update) -> int | None:
    message = update.effective_message
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id


async def _conversation_here(update: Update, context: BotContext) -> Conversation | None:
    thread, chat = _topic_of(update), _staff_chat(context)
    if thread is None:
        return None
    return await asyncio.to_thread(context.services.relay.by_topic, chat, thread)


async def from_staff(update: Update, context: BotContext) -> None:
    """A staff member writes in a person's topic: a copy goes to the person. Anything else
    in the group (General, service messages, another topic) is not the relay's."""
    message = update.effective_message
    conversation = await _conversation_here(update, context)
    if message is None or conversation is None or not _copyable(message):
        raise ApplicationHandlerStop
    if (message.text or message.caption or "").startswith(STAFF_ONLY):
        # A note between staff about the person: it stays in the group.
        raise ApplicationHandlerStop
    services, chat, team = context.services, _staff_chat(context), _team(context)
    person = conversation.telegram_id
    thread = conversation.thread_id or 0
    known = await asyncio.to_thread(services.users.get, person)
    t = services.catalogs.translator(known.language if known else None)
    if conversation.state != "open" or not conversation.talking:
        # Their answer should reach the team, not search: say so before the message.
        await asyncio.to_thread(services.relay.start_talking, person)
        notice = views.team_wrote(t)
        if await tell(context, person, notice.text, notice.keyboard) == "blocked":
            await _post(context, chat, thread, views.blocked(team))
            raise ApplicationHandlerStop
    try:
        await context.bot.copy_message(person, chat, message.message_id)
    except Forbidden:
        await asyncio.to_thread(services.users.mark_blocked, person, services.clock())
        log.info("a person has blocked the bot; staff are told in the topic")
        await _post(context, chat, thread, views.blocked(team))
    except TelegramError as error:
        log.warning("a staff message could not reach the person (%s)", error.message)
        await _post(context, chat, thread, views.refused(team))
    else:
        log.debug("a staff message went to the person of conversation %d", conversation.number)
    if conversation.topic_closed:  # an administrator wrote in a closed topic
        await _reopen(context, conversation, thread)
    raise ApplicationHandlerStop


def _copyable(message: Message) -> bool:
    """What a person can receive: not a service message (a topic opened, a member added…)."""
    return bool(message.effective_attachment or message.text)


async def close_asked(update: Update, context: BotContext) -> None:
    """/close in a topic: the conversation ends, the person is told in their language."""
    conversation = await _conversation_here(update, context)
    team, chat = _team(context), _staff_chat(context)
    if conversation is None:
        await _say_where(update, context)
        raise ApplicationHandlerStop
    services, person = context.services, conversation.telegram_id
    if await asyncio.to_thread(services.relay.end, person):
        known = await asyncio.to_thread(services.users.get, person)
        t = services.catalogs.translator(known.language if known else None)
        told = views.ended_by_team(t)
        outcome = await tell(context, person, told.text, told.keyboard)
        if outcome != "sent":
            problem = views.blocked(team) if outcome == "blocked" else views.refused(team)
            await _post(context, chat, conversation.thread_id or 0, problem)
    await _close_topic(context, conversation, views.closed_by_staff(team))
    raise ApplicationHandlerStop


async def info_asked(update: Update, context: BotContext) -> None:
    """/info in a topic: the person's card again (language, sessions, dates)."""
    conversation = await _conversation_here(update, context)
    if conversation is None:
        await _say_where(update, context)
        raise ApplicationHandlerStop
    await _post_card(context, conversation.telegram_id, conversation.thread_id or 0)
    raise ApplicationHandlerStop


async def _say_where(update: Update, context: BotContext) -> None:
    """/close or /info outside a person's topic."""
    team, thread = _team(context), _topic_of(update)
    screen = views.only_in_a_topic(team) if thread is None else views.nobody_here(team)
    await context.bot.send_message(_staff_chat(context), screen.text, message_thread_id=thread)


async def check_staff_group(context: BotContext) -> None:
    """At start: say in the log, once, what keeps the relay from working (the group is not
    a forum, the bot cannot manage its topics), rather than at a person's first message."""
    chat = context.services.settings.staff_chat_id
    if chat is None:
        return
    try:
        group = await context.bot.get_chat(chat)
        member = await context.bot.get_chat_member(chat, context.bot.id)
    except TelegramError as error:
        log.error("STAFF_CHAT_ID: the bot cannot reach the staff group (%s)", error.message)
        return
    if not group.is_forum:
        log.error("STAFF_CHAT_ID: the staff group has no topics; turn them on in its settings")
    if not getattr(member, "can_manage_topics", False):
        log.error(
            "STAFF_CHAT_ID: make the bot an administrator of the staff group, allowed to "
            "manage topics"
        )
