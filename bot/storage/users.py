"""The people who talk to the bot: the least we need to answer them in their language."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.storage.tables import metadata, users


@dataclass(frozen=True)
class Person:
    telegram_id: int
    language: str | None
    first_seen: datetime
    last_seen: datetime
    blocked: bool = False  # Telegram said they blocked the bot; they have not written since


def _person(row: object) -> Person:
    return Person(
        telegram_id=row.telegram_id,  # type: ignore[attr-defined]
        language=row.language,  # type: ignore[attr-defined]
        first_seen=row.first_seen,  # type: ignore[attr-defined]
        last_seen=row.last_seen,  # type: ignore[attr-defined]
        blocked=row.blocked_at is not None,  # type: ignore[attr-defined]
    )


class UserRepository:
    """Reads and writes `users`; one short transaction per call."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def seen(
        self,
        telegram_id: int,
        now: datetime,
        *,
        refresh_after: timedelta = timedelta(0),
        create: bool = True,
    ) -> Person | None:
        """Record that the person wrote now and return what we know; `create`: also for
        someone not known yet (None for them otherwise: a stranger stays one, nothing stored,
        until they choose a language).

        A person seen less than `refresh_after` ago is only read: one write per person and
        period, not one per message."""
        known = self.get(telegram_id) if refresh_after or not create else None
        if known is None and not create:
            return None
        if known is not None and now - known.last_seen < refresh_after and not known.blocked:
            return known
        if known is not None and not create:
            # An update only: someone forgotten meanwhile (by the purge) is not stored again.
            with self._engine.begin() as connection:
                changed = connection.execute(
                    update(users)
                    .where(users.c.telegram_id == telegram_id)
                    .values(last_seen=now, blocked_at=None)
                )
            return replace(known, last_seen=now, blocked=False) if changed.rowcount else None
        insert = self._insert(users).values(
            telegram_id=telegram_id, language=None, first_seen=now, last_seen=now
        )
        # One atomic upsert: two first messages arriving together never collide.
        # (No RETURNING: older SQLite builds shipped with Python lack it.)
        statement = insert.on_conflict_do_update(
            index_elements=[users.c.telegram_id], set_={"last_seen": now, "blocked_at": None}
        )
        with self._engine.begin() as connection:
            connection.execute(statement)
            row = connection.execute(select(users).where(users.c.telegram_id == telegram_id)).one()
        return _person(row)

    def get(self, telegram_id: int) -> Person | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(users).where(users.c.telegram_id == telegram_id)
            ).one_or_none()
        return None if row is None else _person(row)

    def many(self, telegram_ids: list[int]) -> dict[int, Person]:
        """Several people at once (for a batch of reminders)."""
        if not telegram_ids:
            return {}
        with self._engine.connect() as connection:
            rows = connection.execute(select(users).where(users.c.telegram_id.in_(telegram_ids)))
            return {row.telegram_id: _person(row) for row in rows}

    def mark_blocked(self, telegram_id: int, now: datetime) -> None:
        """Telegram refused a message: they blocked the bot. No more reminders to them."""
        with self._engine.begin() as connection:
            connection.execute(
                update(users).where(users.c.telegram_id == telegram_id).values(blocked_at=now)
            )

    def set_language(self, telegram_id: int, language: str, now: datetime) -> None:
        """The person's choice; choosing a language is what makes someone known (stored)."""
        insert = self._insert(users).values(
            telegram_id=telegram_id, language=language, first_seen=now, last_seen=now
        )
        statement = insert.on_conflict_do_update(
            index_elements=[users.c.telegram_id],
            set_={"language": language, "last_seen": now, "blocked_at": None},
        )
        with self._engine.begin() as connection:
            connection.execute(statement)

    def forget(self, telegram_id: int) -> bool:
        """Delete everything stored about the person, in every table that names them by
        `telegram_id` (so tables added later are covered too); True if there was something."""
        with self._engine.begin() as connection:
            return delete_person(connection, telegram_id) > 0

    def inactive_since(self, moment: datetime) -> list[int]:
        """People who have not written since `moment` (for the retention purge)."""
        with self._engine.connect() as connection:
            found = connection.execute(
                select(users.c.telegram_id)
                .where(users.c.last_seen < moment)
                .order_by(users.c.telegram_id)
            ).scalars()
            return [int(telegram_id) for telegram_id in found]


def delete_person(connection: Connection, telegram_id: int) -> int:
    """Delete the person's rows in every table with a `telegram_id` column, inside the
    caller's transaction; how many rows went."""
    deleted = 0
    # Dependent tables first, `users` last, whatever foreign keys exist.
    for table in reversed(metadata.sorted_tables):
        if "telegram_id" in table.c:
            result = connection.execute(delete(table).where(table.c.telegram_id == telegram_id))
            deleted += result.rowcount
    return deleted
