"""What every handler can reach: shared services and, per update, the person and their language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.config import Settings
from bot.domain.guidance import Guidance
from bot.domain.people import People
from bot.domain.relay import Relay
from bot.domain.staff_records import StaffRecords
from bot.domain.workshops import Workshops
from bot.i18n import Catalogs, Translator
from bot.storage import Person, UserRepository


@dataclass(frozen=True)
class Services:
    """Opened in post_init, closed in post_shutdown."""

    settings: Settings
    engine: Engine
    catalogs: Catalogs
    users: UserRepository
    guidance: Guidance
    workshops: Workshops
    people: People  # consent, profile, « my data », forgetting
    records: StaffRecords  # what staff record for the indicators, audited
    clock: Callable[[], datetime]
    relay: Relay  # « Talk to the team » (used only when STAFF_CHAT_ID is set)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """A callback context that knows who is talking and in which language.

    The language and the answered press are kept in chat_data (memory only, never
    persisted) because python-telegram-bot gives the error handler a fresh context:
    it must still speak the person's language and not answer a press twice.
    """

    def __init__(
        self,
        application: BotApplication,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        # Filled by the per-update handler in group -2 (see handlers.common.identify).
        self.person: Person | None = None
        self._notes: dict[str, Any] = {}

    @property
    def _memory(self) -> dict[Any, Any]:
        return self.chat_data if self.chat_data is not None else self._notes

    @property
    def services(self) -> Services:
        return cast(Services, self.bot_data["services"])

    @property
    def t(self) -> Translator:
        """The person's translator; French when the update has no user."""
        return self.services.catalogs.translator(self._memory.get("language"))

    @t.setter
    def t(self, translator: Translator) -> None:
        self._memory["language"] = translator.code

    def is_answered(self, query_id: str) -> bool:
        return self._memory.get("answered_query") == query_id

    def mark_answered(self, query_id: str) -> None:
        self._memory["answered_query"] = query_id


BotApplication = Application[
    ExtBot[None],
    BotContext,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[BotContext],
]
