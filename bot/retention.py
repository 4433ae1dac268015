"""People inactive for longer than DATA_RETENTION are forgotten, by the same rules as a
person's own request: their seats go to the people waiting (who are told), their attendance
stays only as anonymous counts."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.context import BotContext
from bot.handlers.workshops import tell_promotions

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=6)


async def purge(context: BotContext) -> None:
    services = context.services
    purged = await asyncio.to_thread(
        services.people.purge_inactive, services.clock(), services.settings.data_retention
    )
    await tell_promotions(context, purged.promotions)
    if purged.forgotten:
        log.info("forgot %d people inactive for longer than the retention", len(purged.forgotten))
