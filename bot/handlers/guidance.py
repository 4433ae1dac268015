"""The knowledge base: topics, entries, and free-text questions."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.domain.platform import Reading, fiche_id_of
from bot.handlers import relay
from bot.handlers.common import acknowledge, expired_button, pressed, replace, send
from bot.views import guidance as views
from bot.views import platform as platform_views
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
    shown = views.entry_page(context.t, guidance.base, entry, relay=relay.offered(context))
    await replace(update, context, shown)


async def question(update: Update, context: BotContext) -> None:
    """Free text: search the knowledge base in the person's language; never stay silent."""
    message = update.effective_message
    if message is None or not message.text:
        return
    if await relay.passes_on(update, context):  # they are talking with the team
        return
    t, guidance = context.t, context.services.guidance
    offered = relay.offered(context)
    # Sub-millisecond and CPU-bound: no need to leave the event loop.
    answer = guidance.ask(message.text, t.code)
    library = guidance.library
    found: list[views.Found] = []
    for hit in answer.hits:
        fiche_id = fiche_id_of(hit.entry_id)
        if fiche_id is None:
            entry = guidance.entry(hit.entry_id)
            found += [entry] if entry is not None else []
        elif (fiche := library.fiche(fiche_id)) is not None:
            reading = library.reading(fiche, t.code)
            found += [reading] if reading is not None else []
    # Only the outcome is logged: people's words stay out of the logs.
    log.debug("question answered with %d results (clear: %s)", len(found), answer.clear)
    if not found:
        await send(update, context, views.no_answer(t, guidance.base, relay=offered))
    elif not answer.clear:
        await send(update, context, views.search_results(t, found))
    elif isinstance(found[0], Reading):
        also = [views.found_button(t, other) for other in found[1:]]
        await send(update, context, platform_views.fiche(t, found[0], also=also))
    else:
        shown = views.entry_page(t, guidance.base, found[0], also=found[1:], relay=offered)
        await send(update, context, shown)
