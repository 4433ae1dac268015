"""The relay: each person who talks with the team, their topic in the staff group, and
where the conversation stands. Rows name the person (`telegram_id`): forgetting them
deletes their row (after staff have been told, see handlers.relay.person_left)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Engine,
    Integer,
    String,
    Table,
    UniqueConstraint,
    delete,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.consent import person_column
from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

State = Literal["open", "closed"]

conversations = Table(
    "relay_conversations",
    metadata,
    # The short number staff see (« #0042 »). Never given twice, even after a person is
    # forgotten (AUTOINCREMENT on SQLite, a sequence on PostgreSQL): an old topic's number
    # never names someone else.
    Column("number", Integer, primary_key=True, autoincrement=True),
    person_column(),
    # Open: staff replies reach the person; closed by /close (staff) or /end (the person).
    Column("state", String(8), nullable=False),
    # The person's free text goes to the team rather than to search.
    Column("talking", Boolean, nullable=False),
    # Their first message since they started talking was confirmed to them.
    Column("acknowledged", Boolean, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("first_written_at", UtcDateTime, nullable=True),
    # Their topic: in which group (STAFF_CHAT_ID may change), which thread, and whether the
    # bot closed it. Null until their first message.
    Column("staff_chat_id", BigInteger, nullable=True),
    Column("thread_id", BigInteger, nullable=True),
    Column("topic_closed", Boolean, nullable=False),
    Column("topic_created_at", UtcDateTime, nullable=True),
    UniqueConstraint("telegram_id", name="uq_relay_conversations_telegram_id"),
    UniqueConstraint("staff_chat_id", "thread_id", name="uq_relay_conversations_topic"),
    sqlite_autoincrement=True,
)


@dataclass(frozen=True)
class Conversation:
    number: int
    telegram_id: int
    state: State
    talking: bool
    acknowledged: bool
    opened_at: datetime
    first_written_at: datetime | None
    staff_chat_id: int | None
    thread_id: int | None
    topic_closed: bool
    topic_created_at: datetime | None

    def topic_in(self, staff_chat_id: int) -> int | None:
        """The topic's thread in that group; None if it has none there (yet)."""
        return self.thread_id if self.staff_chat_id == staff_chat_id else None


def _conversation(row: object) -> Conversation:
    return Conversation(
        **{column.name: getattr(row, column.name) for column in conversations.columns}
    )


class RelayRepository:
    """Reads and writes `relay_conversations`; one short transaction per call."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def get(self, telegram_id: int) -> Conversation | None:
        return self._one(conversations.c.telegram_id == telegram_id)

    def by_topic(self, staff_chat_id: int, thread_id: int) -> Conversation | None:
        return self._one(
            conversations.c.staff_chat_id == staff_chat_id,
            conversations.c.thread_id == thread_id,
        )

    def _one(self, *conditions: ColumnElement[bool]) -> Conversation | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(conversations).where(*conditions)).one_or_none()
        return None if row is None else _conversation(row)

    def open(self, telegram_id: int, now: datetime) -> Conversation:
        """The person talks with the team from now on (their row is made the first time)."""
        values = {"state": "open", "talking": True, "acknowledged": False, "opened_at": now}
        statement = (
            self._insert(conversations)
            .values(telegram_id=telegram_id, topic_closed=False, **values)
            .on_conflict_do_update(index_elements=[conversations.c.telegram_id], set_=values)
        )
        with self._engine.begin() as connection:
            connection.execute(statement)
        found = self.get(telegram_id)
        if found is None:  # forgotten in between: nothing to talk about
            raise LookupError("the person is gone")
        return found

    def _set(self, telegram_id: int, **values: object) -> bool:
        with self._engine.begin() as connection:
            result = connection.execute(
                update(conversations)
                .where(conversations.c.telegram_id == telegram_id)
                .values(**values)
            )
        return result.rowcount > 0

    def stop_talking(self, telegram_id: int) -> bool:
        """Their free text goes to search again; staff replies still reach them."""
        return self._set(telegram_id, talking=False)

    def close(self, telegram_id: int) -> bool:
        """The conversation ends (/close, /end); False if there was none open."""
        with self._engine.begin() as connection:
            result = connection.execute(
                update(conversations)
                .where(conversations.c.telegram_id == telegram_id, conversations.c.state == "open")
                .values(state="closed", talking=False)
            )
        return result.rowcount > 0

    def acknowledge(self, telegram_id: int) -> None:
        self._set(telegram_id, acknowledged=True)

    def written(self, telegram_id: int, now: datetime) -> None:
        """The person wrote to the team: the first time is kept (the card shows it)."""
        with self._engine.begin() as connection:
            connection.execute(
                update(conversations)
                .where(
                    conversations.c.telegram_id == telegram_id,
                    conversations.c.first_written_at.is_(None),
                )
                .values(first_written_at=now)
            )

    def topic_created(
        self, telegram_id: int, staff_chat_id: int, thread_id: int, now: datetime
    ) -> None:
        self._set(
            telegram_id,
            staff_chat_id=staff_chat_id,
            thread_id=thread_id,
            topic_closed=False,
            topic_created_at=now,
        )

    def topic_closed(self, telegram_id: int, closed: bool) -> None:
        self._set(telegram_id, topic_closed=closed)

    def forget(self, telegram_id: int) -> Conversation | None:
        """Delete the person's conversation; what it was (to tell staff), or None."""
        with self._engine.begin() as connection:
            row = connection.execute(
                select(conversations).where(conversations.c.telegram_id == telegram_id)
            ).one_or_none()
            connection.execute(
                delete(conversations).where(conversations.c.telegram_id == telegram_id)
            )
        return None if row is None else _conversation(row)
