"""The Bot API client: patient when Telegram cannot be reached, quiet while it stays so.

At start, python-telegram-bot retries `getMe` (`bootstrap_retries`) but says nothing; during
polling it reports every failed `getUpdates` to the error handlers, with a traceback each
time. Here: one warning line per attempt at start, one per outage during polling, and one
line when Telegram answers again.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update, User
from telegram.error import NetworkError
from telegram.ext import ExtBot

log = logging.getLogger(__name__)


class BotApiClient(ExtBot[None]):
    """An ExtBot that logs unreachable-API episodes once, in one line, without the URL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._outage = False
        self._start_attempts = 0

    async def get_me(self, *args: Any, **kwargs: Any) -> User:
        try:
            me = await super().get_me(*args, **kwargs)
        except NetworkError as error:  # TimedOut is one too; InvalidToken is not
            self._start_attempts += 1
            log.warning(
                "the Bot API cannot be reached (%s); trying again (attempt %d)",
                _reason(error),
                self._start_attempts,
            )
            raise
        self._start_attempts = 0
        return me

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        try:
            updates = await super().get_updates(*args, **kwargs)
        except NetworkError as error:
            if not self._outage:
                self._outage = True
                log.warning(
                    "the Bot API cannot be reached (%s); polling goes on and will say when it "
                    "answers again",
                    _reason(error),
                )
            raise
        if self._outage:
            self._outage = False
            log.warning("the Bot API answers again")
        return updates


def _reason(error: NetworkError) -> str:
    """The error's class and first line: never a URL (it would hold the token)."""
    first = str(error).splitlines()[0] if str(error) else ""
    if "http" in first.lower() or "/bot" in first:
        first = ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__
