"""People inactive for longer than DATA_RETENTION are forgotten, by the same rules as a
person's own request: their seats go to the people waiting (who are told), their attendance
stays only as anonymous counts."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.context import BotContext
from bot.handlers import privacy

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=6)


async def purge(context: BotContext) -> None:
    services = context.services
    now, retention = services.clock(), services.settings.data_retention
    forgotten = 0
    for person in await asyncio.to_thread(services.people.inactive, now, retention):
        if await asyncio.to_thread(services.people.still_inactive, person, now, retention):
            await privacy.leave(context, person, purged=True)
            forgotten += 1
    if forgotten:
        log.info("forgot %d people inactive for longer than the retention", forgotten)
