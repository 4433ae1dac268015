"""Taking updates in: nothing lost on a crash, people answered in parallel, each in order.

python-telegram-bot confirms a batch of updates to Telegram (the next `getUpdates` offset)
before it has handled them, and by default handles one update at a time. Here:

- `DurableUpdateQueue` writes each update to the inbox before it enters the queue; the
  updater confirms a batch only after every update of it is in the queue, so an update
  Telegram forgets is always in the database first. Unhandled ones are replayed at start.
- `ChatOrderedProcessor` handles different chats at the same time and one chat's updates
  one after another, in arrival order; each update is marked handled when done.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, Update
from telegram.error import NetworkError
from telegram.ext import BaseUpdateProcessor

from bot.storage import InboxRepository

log = logging.getLogger(__name__)

# At most this many updates handled at once, all chats together, and this many admitted
# (running or waiting for their chat's turn).
MAX_RUNNING_UPDATES = 64
MAX_WAITING_UPDATES = 4096


class DurableUpdateQueue(asyncio.Queue[object]):
    """The application's update queue, backed by the inbox once `attach` has been called."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self._clock = clock
        self._inbox: InboxRepository | None = None

    def attach(self, inbox: InboxRepository) -> None:
        self._inbox = inbox

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and self._inbox is not None:
            payload = json.dumps(item.to_dict())
            try:
                fresh = await asyncio.to_thread(
                    self._inbox.accept, item.update_id, payload, self._clock()
                )
            except SQLAlchemyError as error:
                # The updater retries Telegram's errors only; anything else would end the
                # polling for good. Not stored, not confirmed: Telegram sends it again.
                log.warning(
                    "could not store an update (%s); will fetch it again", type(error).__name__
                )
                raise NetworkError("the inbox is unavailable") from error
            if not fresh:
                # Sent again after a crash, before Telegram heard we had it: handled already
                # or waiting in the queue since the replay.
                log.info("update %d was already received; not handled twice", item.update_id)
                return
        await super().put(item)

    async def replay(self, bot: Bot) -> int:
        """Queue the updates received but not handled before the last stop; how many."""
        if self._inbox is None:
            return 0
        waiting = await asyncio.to_thread(self._inbox.waiting)
        for _, payload in waiting:
            await super().put(Update.de_json(json.loads(payload), bot))
        if waiting:
            log.warning("handling %d updates received before the last stop", len(waiting))
        return len(waiting)


def _chat_of(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Chats in parallel, each chat's updates in arrival order, each marked handled.

    The base class admits many updates (they wait cheaply); this one runs at most
    `max_running` at once, taking a chat's turn before a running slot, so that one busy
    chat never holds slots other people's updates could use."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        max_running: int = MAX_RUNNING_UPDATES,
        max_waiting: int = MAX_WAITING_UPDATES,
    ) -> None:
        super().__init__(max_concurrent_updates=max_waiting)
        self._clock = clock
        self._running = asyncio.Semaphore(max_running)
        self._inbox: InboxRepository | None = None
        # chat id -> (lock, updates of that chat in progress or waiting)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    def attach(self, inbox: InboxRepository) -> None:
        self._inbox = inbox

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = _chat_of(update)
        try:
            if chat is None:
                async with self._running:
                    await coroutine
                return
            lock, count = self._chats.get(chat, (asyncio.Lock(), 0))
            self._chats[chat] = (lock, count + 1)
            try:
                # asyncio.Lock wakes its waiters in the order they came: arrival order.
                async with lock, self._running:
                    await coroutine
            finally:
                lock, count = self._chats[chat]
                if count == 1:
                    del self._chats[chat]
                else:
                    self._chats[chat] = (lock, count - 1)
        finally:
            await self.finished(update)

    async def finished(self, update: object) -> None:
        """Called once an update is handled (or failed: a failing update is not retried)."""
        if isinstance(update, Update) and self._inbox is not None:
            try:
                await asyncio.to_thread(self._inbox.handled, update.update_id, self._clock())
            except SQLAlchemyError as error:
                # The person has their answer; at worst it is given again after a restart.
                log.warning("could not mark an update handled (%s)", type(error).__name__)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
