"""A small synthetic history for the indicator report, whose numbers are counted by hand in
tests/test_indicators.py. Period: 1 January – 30 June 2024, Europe/Paris."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.domain.people import People
from bot.domain.staff_records import StaffRecords
from bot.domain.workshops import Workshops
from bot.knowledge.workshops import load_catalogue
from bot.storage import SessionRepository, StaffRecordRepository, UserRepository

PARIS = ZoneInfo("Europe/Paris")
START, END = date(2024, 1, 1), date(2024, 6, 30)
AS_OF = datetime(2024, 7, 15, 10, 0, tzinfo=UTC)
CREATED = datetime(2023, 10, 1, 8, 0, tzinfo=UTC)
STAFF = 555

# People, by Telegram id.
P1, P2, P3, P4, P5, P6, P7, P8 = 101, 102, 103, 104, 105, 106, 107, 108


@dataclass
class Dataset:
    engine: Engine
    workshops: Workshops
    people: People
    staff: StaffRecords
    sessions: dict[str, int]
    numbers: dict[tuple[int, str], int]  # (person, session name) -> registration number
    clock: list[datetime]  # clock[0] is « now » for people and staff records


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def build(engine: Engine, *, forget_p6: bool = True) -> Dataset:
    """Sessions, registrations, attendance, profiles, staff records; P6 then forgotten."""
    clock = [CREATED]
    repository = SessionRepository(engine)
    workshops = Workshops(repository, load_catalogue())
    people = People(engine, workshops, lambda: clock[0])
    staff = StaffRecords(StaffRecordRepository(engine), workshops, lambda: clock[0])
    users = UserRepository(engine)

    plan = {
        "S1": ("vie-en-france", local(2024, 2, 10, 10), 10),
        "S2": ("vie-en-france", local(2024, 3, 10, 10), 10),
        "S3": ("logement", local(2024, 4, 5, 14), 2),
        "S4": ("sortie", local(2024, 5, 1, 10), 10),
        "S5": ("benevolat", local(2024, 6, 1, 10), 10),
        "S6": ("vie-en-france", local(2024, 7, 5, 10), 10),  # after the period
        "S7": ("logement", local(2024, 3, 1, 14), 10),  # cancelled
        "S9": ("sortie", local(2024, 1, 1, 0, 30), 10),  # 31 Dec 2023 in UTC: inside
    }
    sessions = {
        name: repository.add(kind, start, start + timedelta(hours=2), seats, None, CREATED).id
        for name, (kind, start, seats) in plan.items()
    }

    for person in (P1, P2, P3, P4, P5, P6, P7, P8):
        users.seen(person, CREATED)
        people.give_consent(person)
    answers = {
        P1: ("refugee", "woman", "under_25", 3),
        P2: ("subsidiary_protection", "man", "25_and_over", 1),
        P4: ("prefer_not", "prefer_not", "prefer_not", "prefer_not"),
        P5: ("primo_arrivant", "woman", "25_and_over", 5),
        P6: ("stateless", "man", "under_25", 2),
        P7: ("temporary_protection", "other", "under_25", 4),
        P8: ("refugee", "woman", "under_25", 2),
    }
    for person, (status, gender, age, household) in answers.items():
        people.answer(person, "status", status)
        people.answer(person, "gender", gender)
        people.answer(person, "age_band", age)
        people.answer(person, "household", household)

    places = {
        "S1": [(P1, True), (P2, True), (P6, True)],
        "S2": [(P1, True)],  # P1 attends twice
        "S3": [(P2, True), (P3, True), (P8, False)],  # two seats: P8 waits
        "S4": [(P3, True), (P4, False), (P6, True)],
        "S5": [(P5, True)],
        "S6": [(P7, True)],
        "S7": [(P7, True)],
        "S9": [(P4, True)],
    }
    numbers: dict[tuple[int, str], int] = {}
    for name, entries in places.items():
        for person, attended in entries:
            registration = repository.register(sessions[name], person, CREATED)
            assert registration is not None
            numbers[(person, name)] = registration.number
            if attended:
                staff.mark_attended(registration.number, True, STAFF)
    assert repository.registration(sessions["S3"], P8).status == "waiting"  # type: ignore[union-attr]
    repository.cancel_session(sessions["S7"], CREATED)

    staff.enrol(numbers[(P1, "S1")], 1, date(2024, 1, 15), STAFF)
    staff.enrol(numbers[(P2, "S1")], 4, date(2023, 11, 1), STAFF)
    staff.end_support(numbers[(P2, "S3")], 4, date(2024, 2, 1), STAFF)
    staff.record_housing(numbers[(P2, "S3")], date(2024, 3, 15), STAFF)
    staff.enrol(numbers[(P6, "S1")], 1, date(2024, 2, 1), STAFF)
    staff.end_support(numbers[(P6, "S4")], 1, date(2024, 5, 31), STAFF)
    staff.add_volunteer_role(numbers[(P5, "S5")], "co-animation", date(2024, 3, 1), STAFF)
    staff.mark_cohosted(sessions["S4"], True, STAFF)
    staff.add_training("CCAS de Dijon", "service public", "6", date(2024, 2, 1), STAFF)
    staff.add_training("ccas  de dijon", "Service public", "1,5", date(2024, 3, 1), STAFF)
    staff.add_training("MJC Centre", "association", 3, date(2024, 4, 1), STAFF)
    staff.add_training("Autre", "association", 2, date(2024, 8, 1), STAFF)  # after

    dataset = Dataset(engine, workshops, people, staff, sessions, numbers, clock)
    clock[0] = AS_OF
    if forget_p6:
        people.give_up_places(P6)
        people.forget(P6)
    return dataset
