"""The update inbox: every update Telegram sends is written here before Telegram is told it
arrived, and marked handled afterwards, so that a crash loses none.

Telegram forgets an update once the next `getUpdates` confirms it; python-telegram-bot
confirms a batch before handling it. With the inbox, an update confirmed but not handled
when the process died is handled at the next start. Handled rows keep only their id (the
message itself is erased at once) so that an update Telegram sends again after a crash is
recognised; they are pruned after a day.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Engine, Table, Text, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

inbox = Table(
    "inbox",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    # The update as JSON while it waits; null once handled (people's words are not kept).
    Column("payload", Text, nullable=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("handled_at", UtcDateTime, nullable=True),
)


class InboxRepository:
    """One short transaction per call; safe from several threads."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def accept(self, update_id: int, payload: str, now: datetime) -> bool:
        """Store a new update; False if it was already received (Telegram sent it again).

        One poller writes here, so a look before the insert cannot race; the insert still
        ignores a duplicate rather than fail. (Drivers disagree on rowcount for that.)"""
        with self._engine.begin() as connection:
            known = connection.execute(
                select(inbox.c.update_id).where(inbox.c.update_id == update_id)
            ).first()
            if known is not None:
                return False
            connection.execute(
                self._insert(inbox)
                .values(update_id=update_id, payload=payload, received_at=now)
                .on_conflict_do_nothing(index_elements=[inbox.c.update_id])
            )
        return True

    def waiting(self) -> list[tuple[int, str]]:
        """Updates received but not handled, oldest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(inbox.c.update_id, inbox.c.payload)
                .where(inbox.c.handled_at.is_(None))
                .order_by(inbox.c.update_id)
            ).all()
        return [(row.update_id, row.payload) for row in rows if row.payload is not None]

    def handled(self, update_id: int, now: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(inbox)
                .where(inbox.c.update_id == update_id)
                .values(handled_at=now, payload=None)
            )

    def prune(self, handled_before: datetime) -> int:
        """Forget the updates handled before `handled_before`."""
        with self._engine.begin() as connection:
            result = connection.execute(delete(inbox).where(inbox.c.handled_at < handled_before))
        return result.rowcount
