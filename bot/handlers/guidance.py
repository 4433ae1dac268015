"""The knowledge base: topics, entries, and free-text questions."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import acknowledge, expired_button, pressed, replace, send
from bot.views import guidance as views
from bot.views.screen import ENTRY_PREFIX, TOPIC_PREFIX

log = logging.getLogger(__name__)


async def topic_chosen(update: Update, context: BotContext) -> None:
    _, data = pressed(update)
    topic = context.services.guidance.base.topic(data.removeprefix(TOPIC_PREFIX))
    if topic is None:
        await expired_button(update, context)
        return
    await acknowledge(update, context)
    await replace(update, context, views.topic_page(context.t, topic))


async def more_topics(update: Update, context: BotContext) -> None:
    await acknowledge(update, context)
    await replace(update, context, views.more_topics(context.t, context.services.guidance.base))


async def entry_chosen(update: Update, context: BotContext) -> None:
    _, data = pressed(update)
    guidance = context.services.guidance
    entry = guidance.entry(data.removeprefix(ENTRY_PREFIX))
    if entry is None:
        await expired_button(update, context)
        return
    await acknowledge(update, context)
    await replace(update, context, views.entry_page(context.t, guidance.base, entry))


async def question(update: Update, context: BotContext) -> None:
    """Free text: search the knowledge base in the person's language; never stay silent."""
    message = update.effective_message
    if message is None or not message.text:
        return
    t, guidance = context.t, context.services.guidance
    # Sub-millisecond and CPU-bound: no need to leave the event loop.
    answer = guidance.ask(message.text, t.code)
    entries = [entry for hit in answer.hits if (entry := guidance.entry(hit.entry_id))]
    # Only the outcome is logged: people's words stay out of the logs.
    log.debug("question answered with %d entries (clear: %s)", len(entries), answer.clear)
    if not entries:
        await send(update, context, views.no_answer(t, guidance.base))
    elif answer.clear:
        screen = views.entry_page(t, guidance.base, entries[0], also=entries[1:])
        await send(update, context, screen)
    else:
        await send(update, context, views.search_results(t, entries))
