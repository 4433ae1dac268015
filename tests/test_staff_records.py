"""Staff records for the indicators: every change has its audit entry (who, what, when), people
are found by registration number and named in the log only by number and an opaque
reference; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bot.domain.people import People
from bot.domain.staff_records import RecordError, StaffRecords, parse_hours
from bot.domain.workshops import Workshops
from bot.knowledge.workshops import load_catalogue
from bot.storage import (
    SessionRepository,
    StaffRecordRepository,
    UserRepository,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
STAFF, OTHER_STAFF = 4242, 4343
PERSON = 777_000_111


@pytest.fixture
def setup(engine: Engine) -> tuple[StaffRecords, People, int, int]:
    """Staff records, people, a registration number of PERSON, and its session."""
    sessions = SessionRepository(engine)
    workshops = Workshops(sessions, load_catalogue())
    UserRepository(engine).seen(PERSON, NOW)
    start = NOW + timedelta(days=1)
    session = sessions.add("logement", start, start + timedelta(hours=2), 5, None, NOW).id
    registration = sessions.register(session, PERSON, NOW)
    assert registration is not None
    staff = StaffRecords(StaffRecordRepository(engine), workshops, lambda: NOW)
    return staff, People(engine, workshops, lambda: NOW), registration.number, session


def test_every_staff_change_is_in_the_audit_log(
    setup: tuple[StaffRecords, People, int, int],
) -> None:
    staff, _, number, session = setup
    staff.mark_attended(number, True, STAFF)
    staff.enrol(number, 1, date(2026, 11, 2), STAFF)
    staff.end_support(number, 1, date(2026, 11, 20), OTHER_STAFF)
    staff.enrol(number, 4, date(2026, 11, 3), STAFF)
    staff.record_housing(number, date(2026, 11, 25), STAFF)
    role = staff.add_volunteer_role(number, "  co-animation ", date(2026, 11, 4), STAFF)
    staff.end_volunteer_role(role.id, date(2026, 11, 24), STAFF)
    staff.add_training("MJC des Grésilles", "association", "2,5", date(2026, 11, 5), STAFF)
    staff.mark_cohosted(session, True, STAFF)
    staff.note(None, "session", "séance 1 créée en ligne de commande")

    log = list(reversed(staff.audit_log(limit=100)))
    assert [entry.action for entry in log] == [
        "attendance",
        "enrol",
        "end_support",
        "enrol",
        "housing",
        "volunteer_role",
        "end_volunteer_role",
        "training",
        "cohosted",
        "session",
    ]
    assert {entry.at for entry in log} == {NOW}
    assert [entry.staff_id for entry in log][:3] == [STAFF, STAFF, OTHER_STAFF]
    assert log[-1].staff_id is None
    about_person = [e for e in log if e.action not in ("training", "cohosted", "session")]
    references = {e.person_ref for e in about_person}
    assert len(references) == 1
    assert None not in references
    assert {e.registration for e in about_person if e.action != "end_volunteer_role"} == {number}
    # Structures and sessions are not people.
    assert all(e.person_ref is None for e in log if e.action in ("training", "cohosted"))
    assert "2,5 h" in log[7].detail
    assert "co-animation" in log[5].detail
    # Beneficiaries are never named by their Telegram id.
    assert all(str(PERSON) not in e.detail for e in log)
    assert len(staff.audit_log(limit=3)) == 3


def test_the_audit_reference_dies_with_the_person(
    setup: tuple[StaffRecords, People, int, int],
) -> None:
    staff, people, number, _ = setup
    staff.enrol(number, 1, date(2026, 11, 2), STAFF)
    data = people.everything(PERSON)
    assert data is not None
    reference = data.audit_reference
    people.forget(PERSON)
    assert staff.audit_log(limit=1)[0].person_ref == reference
    assert people.everything(PERSON) is None
    with pytest.raises(RecordError) as unknown:
        staff.enrol(number, 1, date(2026, 11, 2), STAFF)
    assert unknown.value.reason == "registration"


def test_records_that_cannot_be_are_refused_and_not_logged(
    setup: tuple[StaffRecords, People, int, int],
) -> None:
    staff, _, number, _ = setup
    refused = [
        (lambda: staff.enrol(999_999, 1, date(2026, 11, 1), STAFF), "registration"),
        (lambda: staff.enrol(number, 2, date(2026, 11, 1), STAFF), "action"),
        (lambda: staff.end_support(number, 4, date(2026, 11, 1), STAFF), "not-enrolled"),
        (lambda: staff.add_training("", "association", 1, date(2026, 11, 1), STAFF), "text"),
        (lambda: staff.add_training("MJC", "association", "0", date(2026, 11, 1), STAFF), "hours"),
        (lambda: staff.add_volunteer_role(number, " ", date(2026, 11, 1), STAFF), "text"),
        (lambda: staff.end_volunteer_role(12345, date(2026, 11, 1), STAFF), "role"),
        (lambda: staff.mark_cohosted(12345, True, STAFF), "session"),
    ]
    for attempt, reason in refused:
        with pytest.raises(RecordError) as error:
            attempt()
        assert error.value.reason == reason
    assert staff.audit_log(limit=10) == []

    staff.enrol(number, 4, date(2026, 11, 1), STAFF)
    with pytest.raises(RecordError) as twice:
        staff.enrol(number, 4, date(2026, 11, 2), STAFF)
    assert twice.value.reason == "already"
    with pytest.raises(RecordError) as backwards:
        staff.end_support(number, 4, date(2026, 10, 1), STAFF)
    assert backwards.value.reason == "dates"
    staff.record_housing(number, date(2026, 11, 20), STAFF)
    with pytest.raises(RecordError) as housed:
        staff.record_housing(number, date(2026, 11, 21), STAFF)
    assert housed.value.reason == "already"
    assert [e.action for e in staff.audit_log(limit=10)] == ["housing", "enrol"]


def test_marking_a_session_co_hosted_twice_changes_nothing(
    setup: tuple[StaffRecords, People, int, int],
) -> None:
    staff, _, _, session = setup
    assert staff.mark_cohosted(session, True, STAFF) is True
    assert staff.mark_cohosted(session, True, STAFF) is False
    assert staff.mark_cohosted(session, False, STAFF) is True
    assert staff.mark_cohosted(session, False, STAFF) is False
    assert [e.action for e in staff.audit_log(limit=10)] == ["cohosted", "cohosted"]


def test_hours_are_read_as_staff_type_them() -> None:
    assert parse_hours("6") == 360
    assert parse_hours("1,5") == 90
    assert parse_hours(" 2.25 ") == 135
    for bad in ("", "abc", "-1", "0", "1001", "nan"):
        with pytest.raises(RecordError):
            parse_hours(bad)
