"""Workshop sessions and who is registered or waiting: the seats are never overbooked.

Registering is one conditional INSERT: it counts the seats taken and writes the row in the
same statement, under the session's row lock on PostgreSQL (`FOR UPDATE`) and under the
database's write lock on SQLite (a writing statement takes it before it reads). So
concurrent presses for the last seats give exactly the seats there are, the others a
place on the waiting list, in the order they came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    and_,
    case,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

Status = Literal["registered", "waiting", "cancelled"]

workshop_sessions = Table(
    "workshop_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workshop", String(40), nullable=False),  # slug in content/workshops.yaml
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("place", String(40), nullable=True),  # slug in content/places.yaml
    Column("created_at", UtcDateTime, nullable=False),
    Column("cancelled_at", UtcDateTime, nullable=True),
)


def session_column() -> Column[int]:
    """A row about one session, gone with it."""
    return Column(
        "session_id",
        Integer,
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"),
        nullable=False,
    )


registrations = Table(
    "registrations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    session_column(),
    Column("telegram_id", BigInteger, nullable=False),
    # registered, waiting (for a seat) or cancelled
    Column("status", String(12), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # Set by staff at the session: present. Null: absent, or not taken yet.
    Column("attended_at", UtcDateTime, nullable=True),
    UniqueConstraint("session_id", "telegram_id"),
    Index("ix_registrations_telegram_id", "telegram_id"),
)


@dataclass(frozen=True)
class Session:
    id: int
    workshop: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    place: str | None
    cancelled_at: datetime | None
    registered: int  # seats taken
    waiting: int

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.registered)


@dataclass(frozen=True)
class Registration:
    session: Session
    status: Status
    position: int | None  # on the waiting list, 1 = next to get a seat
    number: int  # the registration's number, shown to the person and to staff


@dataclass(frozen=True)
class Registrant:
    """Someone registered or waiting, as staff see them: a number, never a name."""

    number: int
    telegram_id: int
    status: Status
    position: int | None
    registered_at: datetime
    attended: bool


@dataclass(frozen=True)
class CapacityChange:
    """Who a new number of seats moved: to a seat, or back to the waiting list."""

    promoted: list[int]
    moved_to_waiting: list[int]


_taken = (
    select(func.count())
    .where(
        registrations.c.session_id == workshop_sessions.c.id,
        registrations.c.status == "registered",
    )
    .correlate(workshop_sessions)
    .scalar_subquery()
)
_waiting = (
    select(func.count())
    .where(
        registrations.c.session_id == workshop_sessions.c.id,
        registrations.c.status == "waiting",
    )
    .correlate(workshop_sessions)
    .scalar_subquery()
)
_SESSION_COLUMNS = (*workshop_sessions.c, _taken.label("registered"), _waiting.label("waiting"))


def _open(now: datetime) -> ColumnElement[bool]:
    """A session that can still be joined or changed: not cancelled, not started."""
    return and_(workshop_sessions.c.cancelled_at.is_(None), workshop_sessions.c.starts_at > now)


def _session(row: object) -> Session:
    mapping = row._mapping  # type: ignore[attr-defined]
    return Session(
        id=mapping["id"],
        workshop=mapping["workshop"],
        starts_at=mapping["starts_at"],
        ends_at=mapping["ends_at"],
        capacity=mapping["capacity"],
        place=mapping["place"],
        cancelled_at=mapping["cancelled_at"],
        registered=mapping["registered"],
        waiting=mapping["waiting"],
    )


class SessionRepository:
    """One short transaction per call; safe from several threads and processes."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgresql = engine.dialect.name == "postgresql"

    # ---- sessions -----------------------------------------------------------------
    def add(
        self,
        workshop: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
        place: str | None,
        now: datetime,
    ) -> Session:
        with self._engine.begin() as connection:
            result = connection.execute(
                insert(workshop_sessions).values(
                    workshop=workshop,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    capacity=capacity,
                    place=place,
                    created_at=now,
                )
            )
            session_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        found = self.get(session_id)
        assert found is not None  # noqa: S101 - just written
        return found

    def get(self, session_id: int) -> Session | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(*_SESSION_COLUMNS).where(workshop_sessions.c.id == session_id)
            ).one_or_none()
        return None if row is None else _session(row)

    def upcoming(self, now: datetime) -> list[Session]:
        """Sessions not started and not cancelled, soonest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(*_SESSION_COLUMNS)
                .where(_open(now))
                .order_by(workshop_sessions.c.starts_at, workshop_sessions.c.id)
            ).all()
        return [_session(row) for row in rows]

    def all(self, since: datetime | None = None) -> list[Session]:
        """Every session, or those starting after `since`; cancelled ones too."""
        query = select(*_SESSION_COLUMNS).order_by(
            workshop_sessions.c.starts_at, workshop_sessions.c.id
        )
        if since is not None:
            query = query.where(workshop_sessions.c.starts_at > since)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [_session(row) for row in rows]

    def cancel_session(self, session_id: int, now: datetime) -> list[int] | None:
        """Cancel a session; the people who were registered or waiting (to tell them). None:
        nothing cancelled (no such session, cancelled already, or started)."""
        with self._engine.begin() as connection:
            # A session that has started is not cancelled: its people came, and its
            # attendance counts for the contract.
            changed = connection.execute(
                update(workshop_sessions)
                .where(workshop_sessions.c.id == session_id, _open(now))
                .values(cancelled_at=now)
            )
            if changed.rowcount != 1:
                return None
            people = connection.execute(
                select(registrations.c.telegram_id).where(
                    registrations.c.session_id == session_id,
                    registrations.c.status != "cancelled",
                )
            ).scalars()
            return [int(person) for person in people]

    # ---- registrations ------------------------------------------------------------
    def register(self, session_id: int, telegram_id: int, now: datetime) -> Registration | None:
        """A seat if one is left, else the waiting list; the existing one if already there.
        None for an unknown session. (Checks of time and cancellation are the caller's.)"""
        seat_or_wait = case(
            (
                select(func.count())
                .where(
                    registrations.c.session_id == session_id,
                    registrations.c.status == "registered",
                )
                .scalar_subquery()
                < select(workshop_sessions.c.capacity)
                .where(workshop_sessions.c.id == session_id)
                .scalar_subquery(),
                literal("registered"),
            ),
            else_=literal("waiting"),
        )
        mine = and_(
            registrations.c.session_id == session_id, registrations.c.telegram_id == telegram_id
        )
        with self._engine.begin() as connection:
            self._lock(connection, session_id)
            # Writing statements only, the first one first: on SQLite it takes the write lock
            # before it counts the seats.
            connection.execute(
                insert(registrations).from_select(
                    ["session_id", "telegram_id", "status", "created_at", "updated_at"],
                    select(
                        workshop_sessions.c.id,
                        literal(telegram_id, BigInteger),
                        seat_or_wait,
                        literal(now, UtcDateTime),
                        literal(now, UtcDateTime),
                    ).where(
                        workshop_sessions.c.id == session_id,
                        ~select(registrations.c.id).where(mine).exists(),
                    ),
                )
            )
            # Coming back after cancelling: at the end of the queue, like anyone new.
            connection.execute(
                update(registrations)
                .where(mine, registrations.c.status == "cancelled")
                .values(status=seat_or_wait, created_at=now, updated_at=now)
            )
        return self.registration(session_id, telegram_id)

    def cancel(
        self, session_id: int, telegram_id: int, now: datetime, *, promote: bool = True
    ) -> tuple[bool, int | None]:
        """Cancel a person's place (seat or waiting); (whether something was cancelled, the
        person who got the freed seat, if any)."""
        with self._engine.begin() as connection:
            self._lock(connection, session_id)
            cancelled = connection.execute(
                update(registrations)
                .where(
                    registrations.c.session_id == session_id,
                    registrations.c.telegram_id == telegram_id,
                    registrations.c.status != "cancelled",
                )
                .values(status="cancelled", updated_at=now)
            )
            if cancelled.rowcount != 1:
                return False, None
            return True, self._promote(connection, session_id, now) if promote else None

    def _promote(self, connection: Connection, session_id: int, now: datetime) -> int | None:
        """Give a free seat to the first person waiting; who got it."""
        session = connection.execute(
            select(*_SESSION_COLUMNS).where(workshop_sessions.c.id == session_id)
        ).one()
        if _session(session).seats_left < 1:
            return None
        first = connection.execute(
            select(registrations.c.id, registrations.c.telegram_id)
            .where(registrations.c.session_id == session_id, registrations.c.status == "waiting")
            .order_by(registrations.c.created_at, registrations.c.id)
            .limit(1)
        ).one_or_none()
        if first is None:
            return None
        connection.execute(
            update(registrations)
            .where(registrations.c.id == first.id)
            .values(status="registered", updated_at=now)
        )
        return int(first.telegram_id)

    def registration(self, session_id: int, telegram_id: int) -> Registration | None:
        with self._engine.connect() as connection:
            return self._registration(connection, session_id, telegram_id)

    def count_of_person(self, telegram_id: int) -> int:
        with self._engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).where(registrations.c.telegram_id == telegram_id)
                ).scalar_one()
            )

    def of_person(self, telegram_id: int) -> list[Registration]:
        """A person's registrations and waiting places (not cancelled), soonest first."""
        with self._engine.connect() as connection:
            ids = connection.execute(
                select(registrations.c.session_id)
                .join(workshop_sessions, workshop_sessions.c.id == registrations.c.session_id)
                .where(
                    registrations.c.telegram_id == telegram_id,
                    registrations.c.status != "cancelled",
                )
                .order_by(workshop_sessions.c.starts_at)
            ).scalars()
            found = [self._registration(connection, sid, telegram_id) for sid in ids]
        return [registration for registration in found if registration is not None]

    def registrants(self, session_id: int) -> list[Registrant]:
        """Who holds a seat (in the order they got it), then who waits (in line)."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(registrations)
                .where(
                    registrations.c.session_id == session_id,
                    registrations.c.status != "cancelled",
                )
                .order_by(registrations.c.created_at, registrations.c.id)
            ).all()
        found: list[Registrant] = []
        for status in ("registered", "waiting"):
            in_status = [row for row in rows if row.status == status]
            for place, row in enumerate(in_status, start=1):
                found.append(
                    Registrant(
                        number=int(row.id),
                        telegram_id=int(row.telegram_id),
                        status=row.status,
                        position=place if status == "waiting" else None,
                        registered_at=row.created_at,
                        attended=row.attended_at is not None,
                    )
                )
        return found

    def set_capacity(self, session_id: int, capacity: int, now: datetime) -> CapacityChange | None:
        """New number of seats. Fewer seats than people registered: the last to have got a
        seat go back to the front of the waiting list (they came before anyone waiting);
        more seats: the first people waiting get them. None for a session cancelled or
        started (checked under the session's lock)."""
        with self._engine.begin() as connection:
            self._lock(connection, session_id)
            # Checked again under the lock: cancelled or started meanwhile, nothing changes
            # (nobody is told « you have a seat » in a session that will not happen).
            still_open = connection.execute(
                update(workshop_sessions)
                .where(workshop_sessions.c.id == session_id, _open(now))
                .values(capacity=capacity)
            )
            if still_open.rowcount != 1:
                return None
            seated = connection.execute(
                select(registrations.c.id, registrations.c.telegram_id)
                .where(
                    registrations.c.session_id == session_id,
                    registrations.c.status == "registered",
                )
                .order_by(registrations.c.created_at, registrations.c.id)
            ).all()
            moved = seated[capacity:]
            if moved:
                connection.execute(
                    update(registrations)
                    .where(registrations.c.id.in_([row.id for row in moved]))
                    .values(status="waiting", updated_at=now)
                )
            promoted = []
            while (person := self._promote(connection, session_id, now)) is not None:
                promoted.append(person)
        return CapacityChange(promoted, [int(row.telegram_id) for row in moved])

    def set_attended(self, number: int, attended: bool, now: datetime) -> int | None:
        """Mark a registration present or not; its session (None: no such registration, or
        a cancelled one)."""
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(registrations)
                .where(registrations.c.id == number, registrations.c.status != "cancelled")
                .values(attended_at=now if attended else None)
            )
            if changed.rowcount != 1:
                return None
            return int(
                connection.execute(
                    select(registrations.c.session_id).where(registrations.c.id == number)
                ).scalar_one()
            )

    def _registration(
        self, connection: Connection, session_id: int, telegram_id: int
    ) -> Registration | None:
        row = connection.execute(
            select(registrations.c.status, registrations.c.created_at, registrations.c.id).where(
                registrations.c.session_id == session_id,
                registrations.c.telegram_id == telegram_id,
            )
        ).one_or_none()
        session = connection.execute(
            select(*_SESSION_COLUMNS).where(workshop_sessions.c.id == session_id)
        ).one_or_none()
        if row is None or session is None:
            return None
        position = None
        if row.status == "waiting":
            position = 1 + int(
                connection.execute(
                    select(func.count()).where(
                        registrations.c.session_id == session_id,
                        registrations.c.status == "waiting",
                        (registrations.c.created_at < row.created_at)
                        | and_(
                            registrations.c.created_at == row.created_at,
                            registrations.c.id < row.id,
                        ),
                    )
                ).scalar_one()
            )
        return Registration(_session(session), row.status, position, int(row.id))

    def _lock(self, connection: Connection, session_id: int) -> None:
        # PostgreSQL: concurrent registrations for one session wait for each other here.
        # SQLite needs nothing: the first writing statement takes the database's lock.
        if self._postgresql:
            connection.execute(
                select(workshop_sessions.c.id)
                .where(workshop_sessions.c.id == session_id)
                .with_for_update()
            )


bot_facts = Table(
    "bot_facts",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)


class FactRepository:
    """Small facts the bot learns and the command line needs (its username, for links)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, key: str) -> str | None:
        with self._engine.connect() as connection:
            return connection.execute(
                select(bot_facts.c.value).where(bot_facts.c.key == key)
            ).scalar()

    def set(self, key: str, value: str) -> None:
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(bot_facts).where(bot_facts.c.key == key).values(value=value)
            )
            if changed.rowcount == 0:
                connection.execute(insert(bot_facts).values(key=key, value=value))
