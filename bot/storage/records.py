"""What staff record for the contract's indicators, and the audit log of every change.

Rows about a person carry `telegram_id` (forgetting them deletes the rows). Trainings are
about partner structures, never people. The audit log names staff by their Telegram id and
people only by a registration number and an opaque reference that is deleted with them.
Each change and its audit entry are written in one transaction: no change goes unlogged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Engine,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.storage.consent import person_column
from bot.storage.sessions import registrations, workshop_sessions
from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

person_refs = Table(
    "person_refs",
    metadata,
    person_column(primary_key=True),
    # Random, shown in the audit log instead of the person: meaningless once they are gone.
    Column("reference", String(16), nullable=False, unique=True),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    person_column(),
    Column("action", Integer, nullable=False),  # the contract's fiche action: 1 or 4
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
)

housing_outcomes = Table(
    "housing_outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # A household reaches lasting housing once; it is named by the person staff support.
    Column(
        "telegram_id",
        BigInteger,
        ForeignKey("users.telegram_id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("housed_on", Date, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

volunteer_roles = Table(
    "volunteer_roles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    person_column(),
    Column("role", String(80), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
)

trainings = Table(
    "trainings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("structure", String(120), nullable=False),
    Column("structure_type", String(60), nullable=False),
    # Minutes, not hours: a whole number both databases store exactly.
    Column("minutes", Integer, nullable=False),
    Column("given_on", Date, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

cohosted_sessions = Table(
    "cohosted_sessions",
    metadata,
    # A session that a volunteer (fiche 3) helped host; the volunteer is not named here.
    Column(
        "session_id",
        Integer,
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("recorded_at", UtcDateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("staff_id", BigInteger, nullable=True),  # null: the command line
    Column("action", String(32), nullable=False),
    Column("registration", Integer, nullable=True),
    Column("person_ref", String(16), nullable=True),
    Column("detail", Text, nullable=False),
)


@dataclass(frozen=True)
class AuditNote:
    """Who changed what, as the audit log will say it."""

    staff_id: int | None
    action: str
    detail: str
    registration: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    staff_id: int | None
    action: str
    registration: int | None
    person_ref: str | None
    detail: str


@dataclass(frozen=True)
class Place:
    """A registration as the person sees it in « my data »."""

    number: int
    session_id: int
    workshop: str
    starts_at: datetime
    status: str  # registered, waiting, cancelled
    attended: bool


@dataclass(frozen=True)
class Enrolment:
    id: int
    telegram_id: int
    action: int
    started_on: date
    ended_on: date | None


@dataclass(frozen=True)
class HousingOutcome:
    telegram_id: int
    housed_on: date


@dataclass(frozen=True)
class VolunteerRole:
    id: int
    telegram_id: int
    role: str
    started_on: date
    ended_on: date | None


@dataclass(frozen=True)
class Training:
    id: int
    structure: str
    structure_type: str
    minutes: int
    given_on: date


class StaffRecordRepository:
    """Staff records and the audit log; one short transaction per call."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ---- people -----------------------------------------------------------------
    def person_of_registration(self, number: int) -> int | None:
        """Whose registration this is (any status: staff find people by the number)."""
        with self._engine.connect() as connection:
            found = connection.execute(
                select(registrations.c.telegram_id).where(registrations.c.id == number)
            ).scalar()
        return None if found is None else int(found)

    def places_of(self, telegram_id: int) -> list[Place]:
        """Every registration stored for the person, cancelled and past ones too."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(
                    registrations.c.id,
                    registrations.c.session_id,
                    registrations.c.status,
                    registrations.c.attended_at,
                    workshop_sessions.c.workshop,
                    workshop_sessions.c.starts_at,
                )
                .join(workshop_sessions, workshop_sessions.c.id == registrations.c.session_id)
                .where(registrations.c.telegram_id == telegram_id)
                .order_by(workshop_sessions.c.starts_at, registrations.c.id)
            ).all()
        return [
            Place(
                int(row.id),
                int(row.session_id),
                row.workshop,
                row.starts_at,
                row.status,
                row.attended_at is not None,
            )
            for row in rows
        ]

    def reference_of(self, telegram_id: int) -> str | None:
        """The person's opaque reference in the audit log, if they have one."""
        with self._engine.connect() as connection:
            found = connection.execute(
                select(person_refs.c.reference).where(person_refs.c.telegram_id == telegram_id)
            ).scalar()
        return None if found is None else str(found)

    def enrolments_of(self, telegram_id: int) -> list[Enrolment]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(enrolments)
                .where(enrolments.c.telegram_id == telegram_id)
                .order_by(enrolments.c.started_on, enrolments.c.id)
            ).all()
        return [_enrolment(row) for row in rows]

    def housing_of(self, telegram_id: int) -> HousingOutcome | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(housing_outcomes).where(housing_outcomes.c.telegram_id == telegram_id)
            ).one_or_none()
        return None if row is None else HousingOutcome(int(row.telegram_id), row.housed_on)

    def volunteer_roles_of(self, telegram_id: int) -> list[VolunteerRole]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(volunteer_roles)
                .where(volunteer_roles.c.telegram_id == telegram_id)
                .order_by(volunteer_roles.c.started_on, volunteer_roles.c.id)
            ).all()
        return [_role(row) for row in rows]

    def volunteer_role(self, role_id: int) -> VolunteerRole | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(volunteer_roles).where(volunteer_roles.c.id == role_id)
            ).one_or_none()
        return None if row is None else _role(row)

    def enrol(
        self, telegram_id: int, action: int, started_on: date, now: datetime, note: AuditNote
    ) -> int:
        with self._engine.begin() as connection:
            result = connection.execute(
                insert(enrolments).values(
                    telegram_id=telegram_id, action=action, started_on=started_on, recorded_at=now
                )
            )
            self._audit(connection, note, now, telegram_id)
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def end_enrolment(
        self, enrolment_id: int, ended_on: date, now: datetime, note: AuditNote
    ) -> None:
        with self._engine.begin() as connection:
            # (No RETURNING: older SQLite builds shipped with Python lack it.)
            telegram_id = connection.execute(
                select(enrolments.c.telegram_id).where(enrolments.c.id == enrolment_id)
            ).scalar_one()
            connection.execute(
                update(enrolments).where(enrolments.c.id == enrolment_id).values(ended_on=ended_on)
            )
            self._audit(connection, note, now, int(telegram_id))

    def record_housing(
        self, telegram_id: int, housed_on: date, now: datetime, note: AuditNote
    ) -> int | None:
        """The record's id; None if the household's lasting housing was already recorded."""
        try:
            with self._engine.begin() as connection:
                result = connection.execute(
                    insert(housing_outcomes).values(
                        telegram_id=telegram_id, housed_on=housed_on, recorded_at=now
                    )
                )
                self._audit(connection, note, now, telegram_id)
        except IntegrityError:
            return None
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def add_volunteer_role(
        self, telegram_id: int, role: str, started_on: date, now: datetime, note: AuditNote
    ) -> int:
        with self._engine.begin() as connection:
            result = connection.execute(
                insert(volunteer_roles).values(
                    telegram_id=telegram_id, role=role, started_on=started_on, recorded_at=now
                )
            )
            self._audit(connection, note, now, telegram_id)
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def end_volunteer_role(
        self, role_id: int, ended_on: date, now: datetime, note: AuditNote
    ) -> None:
        with self._engine.begin() as connection:
            # (No RETURNING: older SQLite builds shipped with Python lack it.)
            telegram_id = connection.execute(
                select(volunteer_roles.c.telegram_id).where(volunteer_roles.c.id == role_id)
            ).scalar_one()
            connection.execute(
                update(volunteer_roles)
                .where(volunteer_roles.c.id == role_id)
                .values(ended_on=ended_on)
            )
            self._audit(connection, note, now, int(telegram_id))

    # ---- structures and sessions ----------------------------------------------------
    def add_training(
        self,
        structure: str,
        structure_type: str,
        minutes: int,
        given_on: date,
        now: datetime,
        note: AuditNote,
    ) -> int:
        with self._engine.begin() as connection:
            result = connection.execute(
                insert(trainings).values(
                    structure=structure,
                    structure_type=structure_type,
                    minutes=minutes,
                    given_on=given_on,
                    recorded_at=now,
                )
            )
            self._audit(connection, note, now, None)
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def trainings(self) -> list[Training]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(trainings).order_by(trainings.c.given_on, trainings.c.id)
            ).all()
        return [
            Training(int(row.id), row.structure, row.structure_type, int(row.minutes), row.given_on)
            for row in rows
        ]

    def set_cohosted(self, session_id: int, cohosted: bool, now: datetime, note: AuditNote) -> bool:
        """Mark a session co-hosted by a volunteer, or not; False if nothing changed (or
        there is no such session)."""
        try:
            with self._engine.begin() as connection:
                exists = connection.execute(
                    select(workshop_sessions.c.id).where(workshop_sessions.c.id == session_id)
                ).scalar()
                if exists is None:
                    return False
                if cohosted:
                    connection.execute(
                        insert(cohosted_sessions).values(session_id=session_id, recorded_at=now)
                    )
                else:
                    removed = connection.execute(
                        delete(cohosted_sessions).where(
                            cohosted_sessions.c.session_id == session_id
                        )
                    )
                    if removed.rowcount != 1:
                        return False
                self._audit(connection, note, now, None)
        except IntegrityError:
            return False  # already marked
        return True

    def cohosted(self) -> set[int]:
        with self._engine.connect() as connection:
            return {
                int(sid)
                for sid in connection.execute(select(cohosted_sessions.c.session_id)).scalars()
            }

    # ---- the audit log ----------------------------------------------------------------
    def audit(self, note: AuditNote, now: datetime, telegram_id: int | None = None) -> None:
        """An entry for a change made elsewhere (attendance, sessions)."""
        with self._engine.begin() as connection:
            self._audit(connection, note, now, telegram_id)

    def audit_log(self, limit: int) -> list[AuditEntry]:
        """The latest entries, newest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
            ).all()
        return [
            AuditEntry(
                int(row.id),
                row.at,
                None if row.staff_id is None else int(row.staff_id),
                row.action,
                row.registration,
                row.person_ref,
                row.detail,
            )
            for row in rows
        ]

    def _audit(
        self, connection: Connection, note: AuditNote, now: datetime, telegram_id: int | None
    ) -> None:
        connection.execute(
            insert(audit_log).values(
                at=now,
                staff_id=note.staff_id,
                action=note.action,
                registration=note.registration,
                person_ref=None if telegram_id is None else _reference(connection, telegram_id),
                detail=note.detail,
            )
        )


def _reference(connection: Connection, telegram_id: int) -> str:
    """The person's opaque reference, made on first use."""
    found = connection.execute(
        select(person_refs.c.reference).where(person_refs.c.telegram_id == telegram_id)
    ).scalar()
    if found is not None:
        return str(found)
    # 48 random bits: a clash is so unlikely that the unique constraint is enough.
    reference = secrets.token_hex(6)
    connection.execute(insert(person_refs).values(telegram_id=telegram_id, reference=reference))
    return reference


def _enrolment(row: object) -> Enrolment:
    mapping = row._mapping  # type: ignore[attr-defined]
    return Enrolment(
        int(mapping["id"]),
        int(mapping["telegram_id"]),
        int(mapping["action"]),
        mapping["started_on"],
        mapping["ended_on"],
    )


def _role(row: object) -> VolunteerRole:
    mapping = row._mapping  # type: ignore[attr-defined]
    return VolunteerRole(
        int(mapping["id"]),
        int(mapping["telegram_id"]),
        mapping["role"],
        mapping["started_on"],
        mapping["ended_on"],
    )
