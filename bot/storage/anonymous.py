"""Forgetting a person without changing the contract's counts, and reading those counts.

When someone is forgotten (on request, or after DATA_RETENTION), what the indicator report
counts about them becomes anonymous records: which session they attended or held a seat in,
which action supported them and between which dates, and the profile categories the tables
break down by. A random key, drawn at that moment and stored nowhere else, groups one
person's records so that « counted once per action » stays true; nothing else links them
to anyone: no Telegram id, no registration number, no time of forgetting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Engine,
    ForeignKey,
    Integer,
    String,
    Table,
    insert,
    or_,
    select,
)

from bot.storage.consent import UNKNOWN, profiles
from bot.storage.records import (
    cohosted_sessions,
    enrolments,
    housing_outcomes,
    trainings,
    volunteer_roles,
)
from bot.storage.sessions import registrations, workshop_sessions
from bot.storage.tables import metadata
from bot.storage.users import delete_person

anonymous_records = Table(
    "anonymous_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_key", String(32), nullable=False),
    Column("kind", String(16), nullable=False),  # participation, enrolment, volunteer, housing
    Column("action", Integer, nullable=True),  # enrolments: the fiche action
    Column(
        "session_id",
        Integer,
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"),
        nullable=True,
    ),
    Column("seated", Boolean, nullable=True),  # participations: held a seat
    Column("attended", Boolean, nullable=True),  # participations: marked present
    Column("started_on", Date, nullable=True),  # enrolments, roles; housing: the day
    Column("ended_on", Date, nullable=True),
    # The profile's categories when the person was forgotten.
    Column("status", String(24), nullable=False),
    Column("gender", String(12), nullable=False),
    Column("age_band", String(12), nullable=False),
    Column("household", String(12), nullable=False),  # a band: 1, 2, 3-4, 5+, unknown
)


@dataclass(frozen=True)
class Categories:
    """Profile answers as stored (or "unknown" for people without a profile)."""

    status: str = UNKNOWN
    gender: str = UNKNOWN
    age_band: str = UNKNOWN
    household: str = UNKNOWN


@dataclass(frozen=True)
class Participation:
    """A place in a session: held a seat, and/or marked present."""

    person: str
    session_id: int
    seated: bool
    attended: bool


@dataclass(frozen=True)
class Period:
    """Support (enrolment), a volunteer role, or a housing date (started_on only)."""

    person: str
    action: int
    started_on: date
    ended_on: date | None


@dataclass(frozen=True)
class SessionFact:
    id: int
    workshop: str
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    cohosted: bool


@dataclass(frozen=True)
class StoredFacts:
    """Everything the report counts, people named only by a key: `t<telegram id>` for the
    living records, `a<random key>` for anonymous ones."""

    sessions: list[SessionFact]
    participations: list[Participation]
    enrolments: list[Period]
    volunteer_roles: list[Period]
    housing: list[Period]
    categories: dict[str, Categories]
    # (structure, structure type, minutes, day)
    trainings: list[tuple[str, str, int, date]]


@dataclass(frozen=True)
class Anonymised:
    participations: int
    enrolments: int
    volunteer_roles: int
    housing: int


class AnonymousRecordRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def forget_keeping_counts(
        self, telegram_id: int, person_key: str, categories: Categories, now: datetime
    ) -> tuple[bool, Anonymised]:
        """Turn what the report counts about the person into anonymous records, then delete
        every row that names them; one transaction. (Whether there was anything, and what
        was kept.) `categories`: the profile, household already as a band."""
        base = {
            "person_key": person_key,
            "status": categories.status,
            "gender": categories.gender,
            "age_band": categories.age_band,
            "household": categories.household,
        }
        with self._engine.begin() as connection:
            places = connection.execute(
                select(
                    registrations.c.session_id, registrations.c.status, registrations.c.attended_at
                )
                .join(workshop_sessions, workshop_sessions.c.id == registrations.c.session_id)
                .where(
                    registrations.c.telegram_id == telegram_id,
                    registrations.c.status != "cancelled",
                    # Seats in sessions to come are given up, not counted.
                    or_(
                        registrations.c.attended_at.is_not(None),
                        workshop_sessions.c.starts_at <= now,
                    ),
                )
            ).all()
            attended: list[dict[str, object]] = [
                {
                    **base,
                    "kind": "participation",
                    "session_id": place.session_id,
                    "seated": place.status == "registered",
                    "attended": place.attended_at is not None,
                }
                for place in places
                if place.status == "registered" or place.attended_at is not None
            ]
            rows = list(attended)
            supports = connection.execute(
                select(enrolments).where(enrolments.c.telegram_id == telegram_id)
            ).all()
            rows += [
                {
                    **base,
                    "kind": "enrolment",
                    "action": row.action,
                    "started_on": row.started_on,
                    "ended_on": row.ended_on,
                }
                for row in supports
            ]
            roles = connection.execute(
                select(volunteer_roles).where(volunteer_roles.c.telegram_id == telegram_id)
            ).all()
            rows += [
                {
                    **base,
                    "kind": "volunteer",
                    "action": 3,
                    "started_on": row.started_on,
                    "ended_on": row.ended_on,
                }
                for row in roles
            ]
            housed = connection.execute(
                select(housing_outcomes).where(housing_outcomes.c.telegram_id == telegram_id)
            ).all()
            rows += [
                {**base, "kind": "housing", "action": 4, "started_on": row.housed_on}
                for row in housed
            ]
            if rows:
                # Same keys in every row: one executemany.
                keys = ("action", "session_id", "seated", "attended", "started_on", "ended_on")
                connection.execute(
                    insert(anonymous_records),
                    [{**dict.fromkeys(keys), **row} for row in rows],
                )
            existed = delete_person(connection, telegram_id) > 0
        return existed, Anonymised(len(attended), len(supports), len(roles), len(housed))

    def facts(self) -> StoredFacts:
        """Every session and every record, living and anonymous (the report filters by
        period: the volumes of one association fit in memory)."""
        with self._engine.connect() as connection:
            cohosted = {
                int(s) for s in connection.execute(select(cohosted_sessions.c.session_id)).scalars()
            }
            sessions = [
                SessionFact(
                    int(row.id),
                    row.workshop,
                    row.starts_at,
                    row.ends_at,
                    row.cancelled_at is not None,
                    int(row.id) in cohosted,
                )
                for row in connection.execute(select(workshop_sessions))
            ]
            participations = [
                Participation(
                    f"t{row.telegram_id}",
                    int(row.session_id),
                    row.status == "registered",
                    row.attended_at is not None,
                )
                for row in connection.execute(
                    select(registrations).where(
                        or_(
                            registrations.c.status == "registered",
                            registrations.c.attended_at.is_not(None),
                        )
                    )
                )
                if row.status != "cancelled"
            ]
            supports = [
                Period(f"t{row.telegram_id}", int(row.action), row.started_on, row.ended_on)
                for row in connection.execute(select(enrolments))
            ]
            roles = [
                Period(f"t{row.telegram_id}", 3, row.started_on, row.ended_on)
                for row in connection.execute(select(volunteer_roles))
            ]
            housing = [
                Period(f"t{row.telegram_id}", 4, row.housed_on, None)
                for row in connection.execute(select(housing_outcomes))
            ]
            categories = {
                f"t{row.telegram_id}": Categories(
                    row.status, row.gender, row.age_band, row.household
                )
                for row in connection.execute(select(profiles))
            }
            training_rows = [
                (row.structure, row.structure_type, int(row.minutes), row.given_on)
                for row in connection.execute(select(trainings))
            ]
            for row in connection.execute(select(anonymous_records)):
                person = f"a{row.person_key}"
                categories[person] = Categories(row.status, row.gender, row.age_band, row.household)
                if row.kind == "participation":
                    participations.append(
                        Participation(
                            person, int(row.session_id), bool(row.seated), bool(row.attended)
                        )
                    )
                elif row.kind == "enrolment":
                    supports.append(Period(person, int(row.action), row.started_on, row.ended_on))
                elif row.kind == "volunteer":
                    roles.append(Period(person, 3, row.started_on, row.ended_on))
                elif row.kind == "housing":
                    housing.append(Period(person, 4, row.started_on, None))
        return StoredFacts(
            sessions, participations, supports, roles, housing, categories, training_rows
        )
