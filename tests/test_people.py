"""Consent, the optional profile, « my data », forgetting and the retention purge, on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from bot.domain.consent import CONSENT_NOTICE_VERSION
from bot.domain.people import ConsentRequiredError, People
from bot.domain.profile import AgeBand, Gender, Profile, Skipped, Status
from bot.domain.staff_records import StaffRecords
from bot.domain.workshops import Workshops
from bot.knowledge.workshops import load_catalogue
from bot.storage import (
    SessionRepository,
    StaffRecordRepository,
    UserRepository,
)
from bot.storage.anonymous import anonymous_records
from bot.storage.records import audit_log
from bot.storage.tables import metadata

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
STAFF = 900


class World:
    """The services over one database, with a clock the test moves."""

    def __init__(self, engine: Engine) -> None:
        self.now = NOW
        self.engine = engine
        self.users = UserRepository(engine)
        self.sessions = SessionRepository(engine)
        self.workshops = Workshops(self.sessions, load_catalogue())
        self.people = People(engine, self.workshops, lambda: self.now)
        self.staff = StaffRecords(StaffRecordRepository(engine), self.workshops, lambda: self.now)

    def person(self, telegram_id: int) -> int:
        self.users.seen(telegram_id, self.now)
        self.users.set_language(telegram_id, "fa", self.now)
        return telegram_id

    def session(self, start: datetime, capacity: int = 5, kind: str = "logement") -> int:
        return self.sessions.add(kind, start, start + timedelta(hours=2), capacity, None, NOW).id


@pytest.fixture
def world(engine: Engine) -> World:
    return World(engine)


def rows_naming(engine: Engine, telegram_id: int) -> dict[str, int]:
    """Rows in any table with a telegram_id column that name the person."""
    found = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if "telegram_id" in table.c:
                count = connection.execute(
                    select(func.count()).where(table.c.telegram_id == telegram_id)
                ).scalar_one()
                if count:
                    found[table.name] = count
    return found


def test_registering_needs_the_current_notice_accepted(world: World) -> None:
    person = world.person(1)
    assert world.people.may_register(person) is False
    assert world.people.consent(person) is None
    world.people.give_consent(person)
    consent = world.people.consent(person)
    assert consent is not None
    assert (consent.notice_version, consent.given_at) == (CONSENT_NOTICE_VERSION, NOW)
    assert world.people.may_register(person) is True
    # A consent to an older notice is asked again.
    world.people.give_consent(person, version="2020-01")
    assert world.people.may_register(person) is False


def test_withdrawing_consent_deletes_the_profile_answers(world: World) -> None:
    person = world.person(2)
    world.people.give_consent(person)
    world.people.answer(person, "gender", "woman")
    assert world.people.withdraw_consent(person) is True
    assert world.people.may_register(person) is False
    assert world.people.profile(person) is None
    consent = world.people.consent(person)
    assert consent is not None
    assert consent.withdrawn_at == NOW
    with pytest.raises(ConsentRequiredError):
        world.people.answer(person, "gender", "woman")


def test_the_profile_is_offered_once_and_every_answer_can_be_skipped(world: World) -> None:
    person = world.person(3)
    assert world.people.offer_profile(person) is False  # no consent: never offered
    world.people.give_consent(person)
    assert world.people.offer_profile(person) is True
    assert world.people.offer_profile(person) is False
    assert world.people.profile(person) == Profile()  # all unknown until answered
    world.people.answer(person, "status", "refugee")
    world.people.answer(person, "gender", "prefer_not")
    world.people.answer(person, "household", 4)
    profile = world.people.profile(person)
    assert profile == Profile(Status.REFUGEE, Gender.PREFER_NOT, AgeBand.UNKNOWN, 4)
    assert profile is not None
    assert (profile.bpi, profile.household_band) == (True, "3-4")
    world.people.answer(person, "household", "prefer_not")
    assert world.people.profile(person) == Profile(
        Status.REFUGEE, Gender.PREFER_NOT, AgeBand.UNKNOWN, Skipped.PREFER_NOT
    )
    for question, bad in (("status", "citizen"), ("household", 0), ("age_band", "old")):
        with pytest.raises(ValueError):  # noqa: PT011 - each enum says it its own way
            world.people.answer(person, question, bad)  # type: ignore[arg-type]


def test_my_data_shows_everything_stored(world: World) -> None:
    person = world.person(4)
    world.people.give_consent(person)
    world.people.answer(person, "age_band", "under_25")
    past = world.session(NOW - timedelta(days=3))
    world.now = NOW - timedelta(days=4)
    seat = world.sessions.register(past, person, world.now)
    assert seat is not None
    world.now = NOW
    world.staff.mark_attended(seat.number, True, STAFF)
    world.staff.enrol(seat.number, 1, date(2026, 11, 1), STAFF)
    data = world.people.everything(person)
    assert data is not None
    assert data.person.language == "fa"
    assert data.consent is not None
    assert data.consent.valid
    assert data.profile is not None
    assert data.profile.age_band == AgeBand.UNDER_25
    [place] = data.places
    assert (place.number, place.workshop, place.status, place.attended) == (
        seat.number,
        "logement",
        "registered",
        True,
    )
    [support] = data.enrolments
    assert (support.action, support.started_on) == (1, date(2026, 11, 1))
    assert data.audit_reference is not None
    assert world.people.everything(999) is None


def test_forgetting_leaves_nothing_naming_the_person_but_keeps_anonymous_counts(
    world: World,
) -> None:
    person, other = world.person(5), world.person(6)
    world.people.give_consent(person)
    world.people.answer(person, "gender", "man")
    past = world.session(NOW - timedelta(days=2))
    coming = world.session(NOW + timedelta(days=2), capacity=1)
    world.now = NOW - timedelta(days=3)
    seat = world.sessions.register(past, person, world.now)
    assert seat is not None
    world.sessions.register(coming, person, world.now)
    world.sessions.register(coming, other, world.now)  # waits for the only seat
    world.now = NOW
    world.staff.mark_attended(seat.number, True, STAFF)
    world.staff.enrol(seat.number, 4, date(2026, 10, 1), STAFF)
    world.staff.record_housing(seat.number, date(2026, 11, 20), STAFF)
    world.staff.add_volunteer_role(seat.number, "accueil", date(2026, 11, 1), STAFF)
    assert rows_naming(world.engine, person)

    promotions = world.people.give_up_places(person)
    assert [(p.session_id, p.telegram_id) for p in promotions] == [(coming, other)]
    forgotten = world.people.forget(person)

    assert forgotten.existed is True
    assert (
        forgotten.kept.participations,
        forgotten.kept.enrolments,
        forgotten.kept.housing,
        forgotten.kept.volunteer_roles,
    ) == (1, 1, 1, 1)
    assert rows_naming(world.engine, person) == {}
    assert world.people.everything(person) is None
    with world.engine.connect() as connection:
        kept = connection.execute(select(anonymous_records)).all()
        keys = {row.person_key for row in kept}
        assert len(keys) == 1
        assert {row.gender for row in kept} == {"man"}
        # The audit log still says what staff did, but no longer leads to the person.
        entries = connection.execute(select(audit_log)).all()
    assert entries
    assert all(str(person) not in (entry.detail or "") for entry in entries)
    assert world.people.forget(person).existed is False


def test_the_purge_forgets_people_silent_for_longer_than_the_retention(world: World) -> None:
    retention = timedelta(days=730)
    old, recent = world.person(7), world.person(8)
    world.users.seen(old, NOW - retention - timedelta(seconds=1))
    world.users.seen(recent, NOW - retention + timedelta(seconds=1))
    waiting = world.person(9)
    coming = world.session(NOW + timedelta(days=1), capacity=1)
    world.sessions.register(coming, old, NOW - retention - timedelta(seconds=1))
    world.sessions.register(coming, waiting, NOW)

    # What the retention job does for each person it finds (bot/retention.py).
    gone = [p for p in world.people.inactive(NOW, retention)
            if world.people.still_inactive(p, NOW, retention)]  # fmt: skip
    assert gone == [old]
    promotions = world.people.give_up_places(old, NOW)
    world.people.forget(old, NOW)
    assert [(p.session_id, p.telegram_id) for p in promotions] == [(coming, waiting)]
    assert rows_naming(world.engine, old) == {}
    assert world.users.get(recent) is not None
    later = NOW + timedelta(seconds=2)
    assert world.people.inactive(later, retention) == [recent]
    world.users.seen(recent, later)  # wrote just before the purge reached them: stays
    assert not world.people.still_inactive(recent, later, retention)
