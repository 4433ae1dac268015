"""Which reminders and notices went out: claimed here before sending, so a restart never sends
one twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    String,
    Table,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy.exc import IntegrityError

from bot.storage.sessions import registrations, session_column, workshop_sessions
from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

CANCELLED = "cancelled"

reminders_sent = Table(
    "reminders_sent",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    session_column(),
    Column("telegram_id", BigInteger, nullable=False),
    Column("offset_seconds", Integer, nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    UniqueConstraint("session_id", "telegram_id", "offset_seconds"),
)


session_notices = Table(
    "session_notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    session_column(),
    Column("telegram_id", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),  # "cancelled": the session will not happen
    Column("sent_at", UtcDateTime, nullable=False),
    UniqueConstraint("session_id", "telegram_id", "kind"),
)


class NoticeRepository:
    """Telling people a session they joined is cancelled, once each."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def cancelled_to_tell(self, now: datetime) -> dict[int, list[int]]:
        """Cancelled sessions still to come, and who joined them and has not been told."""
        told = select(session_notices.c.id).where(
            session_notices.c.session_id == registrations.c.session_id,
            session_notices.c.telegram_id == registrations.c.telegram_id,
            session_notices.c.kind == CANCELLED,
        )
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(registrations.c.session_id, registrations.c.telegram_id)
                .join(workshop_sessions, workshop_sessions.c.id == registrations.c.session_id)
                .where(
                    workshop_sessions.c.cancelled_at.is_not(None),
                    workshop_sessions.c.starts_at > now,
                    registrations.c.status != "cancelled",
                    ~told.exists(),
                )
                .order_by(registrations.c.session_id, registrations.c.id)
            ).all()
        found: dict[int, list[int]] = {}
        for session_id, person in rows:
            found.setdefault(int(session_id), []).append(int(person))
        return found

    def claim_many(self, session_id: int, people: list[int], now: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                session_notices.insert(),
                [
                    {"session_id": session_id, "telegram_id": p, "kind": CANCELLED, "sent_at": now}
                    for p in people
                ],
            )

    def release(self, session_id: int, telegram_id: int) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                delete(session_notices).where(
                    session_notices.c.session_id == session_id,
                    session_notices.c.telegram_id == telegram_id,
                    session_notices.c.kind == CANCELLED,
                )
            )


class ReminderRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def to_remind(
        self, session_id: int, offset_seconds: int, registered_before: datetime
    ) -> list[int]:
        """Registered people of a session who have not had this reminder yet, and had their
        seat before its moment (someone who registers ten hours before a session gets the
        « 2 hours before » reminder, not the « 24 hours before » one at once)."""
        sent = select(reminders_sent.c.telegram_id).where(
            reminders_sent.c.session_id == session_id,
            reminders_sent.c.offset_seconds == offset_seconds,
        )
        with self._engine.connect() as connection:
            people = connection.execute(
                select(registrations.c.telegram_id)
                .where(
                    registrations.c.session_id == session_id,
                    registrations.c.status == "registered",
                    registrations.c.updated_at <= registered_before,
                    registrations.c.telegram_id.not_in(sent),
                )
                .order_by(registrations.c.id)
            ).scalars()
            return [int(person) for person in people]

    def claim_many(
        self, session_id: int, people: list[int], offset_seconds: int, now: datetime
    ) -> list[int]:
        """Record a batch as sent, in one transaction; the people not already recorded.

        The sender runs one job per reminder at a time; should two ever meet, the unique
        constraint refuses the duplicate and the batch is claimed one by one instead."""
        if not people:
            return []
        with self._engine.begin() as connection:
            known = set(
                connection.execute(
                    select(reminders_sent.c.telegram_id).where(
                        reminders_sent.c.session_id == session_id,
                        reminders_sent.c.offset_seconds == offset_seconds,
                        reminders_sent.c.telegram_id.in_(people),
                    )
                ).scalars()
            )
            fresh = [person for person in people if person not in known]
        try:
            with self._engine.begin() as connection:
                if fresh:
                    connection.execute(
                        reminders_sent.insert(),
                        [
                            {
                                "session_id": session_id,
                                "telegram_id": person,
                                "offset_seconds": offset_seconds,
                                "sent_at": now,
                            }
                            for person in fresh
                        ],
                    )
        except IntegrityError:
            return [p for p in fresh if self.claim(session_id, p, offset_seconds, now)]
        return fresh

    def claim(self, session_id: int, telegram_id: int, offset_seconds: int, now: datetime) -> bool:
        """Record the reminder as sent; False if it already was (by this or an earlier run)."""
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    reminders_sent.insert().values(
                        session_id=session_id,
                        telegram_id=telegram_id,
                        offset_seconds=offset_seconds,
                        sent_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def release(self, session_id: int, telegram_id: int, offset_seconds: int) -> None:
        """Sending failed for a passing reason: the reminder may be tried again."""
        with self._engine.begin() as connection:
            connection.execute(
                delete(reminders_sent).where(
                    reminders_sent.c.session_id == session_id,
                    reminders_sent.c.telegram_id == telegram_id,
                    reminders_sent.c.offset_seconds == offset_seconds,
                )
            )
