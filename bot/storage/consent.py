"""Consent to the notice, and the optional profile answers given under it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    ForeignKey,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

UNKNOWN = "unknown"


def person_column(*, primary_key: bool = False) -> Column[int]:
    """A row about one person: named by `telegram_id` (so forgetting them finds it), gone
    with them."""
    return Column(
        "telegram_id",
        BigInteger,
        ForeignKey("users.telegram_id", ondelete="CASCADE"),
        primary_key=primary_key,
        autoincrement=False,
        nullable=False,
        index=not primary_key,
    )


consents = Table(
    "consents",
    metadata,
    person_column(primary_key=True),
    Column("notice_version", String(16), nullable=False),
    Column("given_at", UtcDateTime, nullable=False),
    Column("withdrawn_at", UtcDateTime, nullable=True),
)

profiles = Table(
    "profiles",
    metadata,
    person_column(primary_key=True),
    # Each answer: a value of bot.domain.profile, "prefer_not", or "unknown" (not answered).
    Column("status", String(24), nullable=False),
    Column("gender", String(12), nullable=False),
    Column("age_band", String(12), nullable=False),
    Column("household", String(12), nullable=False),
    # The profile is offered once, after a first registration: this row says it was.
    Column("offered_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

ANSWERS = ("status", "gender", "age_band", "household")


@dataclass(frozen=True)
class StoredConsent:
    notice_version: str
    given_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class StoredProfile:
    status: str
    gender: str
    age_band: str
    household: str
    offered_at: datetime
    updated_at: datetime


class ConsentRepository:
    """One row per person: their latest answer to the notice."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def get(self, telegram_id: int) -> StoredConsent | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(consents).where(consents.c.telegram_id == telegram_id)
            ).one_or_none()
        if row is None:
            return None
        return StoredConsent(row.notice_version, row.given_at, row.withdrawn_at)

    def give(self, telegram_id: int, notice_version: str, now: datetime) -> None:
        values = {"notice_version": notice_version, "given_at": now, "withdrawn_at": None}
        statement = (
            self._insert(consents)
            .values(telegram_id=telegram_id, **values)
            .on_conflict_do_update(index_elements=[consents.c.telegram_id], set_=values)
        )
        with self._engine.begin() as connection:
            connection.execute(statement)

    def withdraw(self, telegram_id: int, now: datetime) -> bool:
        """Withdraw consent; the profile answers given under it go (they need it)."""
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(consents)
                .where(consents.c.telegram_id == telegram_id, consents.c.withdrawn_at.is_(None))
                .values(withdrawn_at=now)
            )
            connection.execute(delete(profiles).where(profiles.c.telegram_id == telegram_id))
        return changed.rowcount == 1


class ProfileRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, telegram_id: int) -> StoredProfile | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(profiles).where(profiles.c.telegram_id == telegram_id)
            ).one_or_none()
        if row is None:
            return None
        return StoredProfile(
            row.status, row.gender, row.age_band, row.household, row.offered_at, row.updated_at
        )

    def offer(self, telegram_id: int, now: datetime) -> bool:
        """Note that the profile was offered (every answer unknown); False if it already was,
        so two registrations at once never offer it twice."""
        statement = insert(profiles).values(
            telegram_id=telegram_id,
            offered_at=now,
            updated_at=now,
            **dict.fromkeys(ANSWERS, UNKNOWN),
        )
        # (Not ON CONFLICT DO NOTHING: psycopg does not say whether it inserted.)
        try:
            with self._engine.begin() as connection:
                connection.execute(statement)
        except IntegrityError:
            return False
        return True

    def answer(self, telegram_id: int, question: str, answer: str, now: datetime) -> None:
        """Store one answer (the profile row is created if it was never offered)."""
        if question not in ANSWERS:
            raise ValueError(f"no question {question!r}")
        self.offer(telegram_id, now)
        with self._engine.begin() as connection:
            connection.execute(
                update(profiles)
                .where(profiles.c.telegram_id == telegram_id)
                .values({question: answer, "updated_at": now})
            )
