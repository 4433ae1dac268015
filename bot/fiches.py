"""The bot's side of the refugies.info mirror: read at start, read again when `python -m
sync fiches` (another process) has finished a newer run."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.context import BotContext
from bot.domain.platform import load_library
from bot.storage.platform_fiches import PlatformFicheRepository

log = logging.getLogger(__name__)

# The mirror changes once a day: looking every few minutes costs one small query.
LOOK_EVERY = timedelta(minutes=5)


async def refresh(context: BotContext) -> None:
    """Swap in the newer mirror, with its search index built in a thread (a fraction of a
    second of CPU that must not hold up the answers)."""
    services = context.services
    repository = PlatformFicheRepository(services.engine)
    newest = await asyncio.to_thread(repository.last_success)
    if newest is None or newest == services.guidance.library.mirrored_at:
        return
    library = await asyncio.to_thread(load_library, repository)
    await asyncio.to_thread(services.guidance.refresh, library)
    log.info("fiches from refugies.info reloaded: %d", len(library.fiches))
