"""Sessions and registrations: never overbooked, the waiting list in order, on both databases."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.storage import SessionRepository

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
START = NOW + timedelta(days=3)


def new_session(sessions: SessionRepository, capacity: int) -> int:
    return sessions.add("logement", START, START + timedelta(hours=2), capacity, "cesam", NOW).id


def test_twenty_people_pressing_at_once_for_five_seats(engine: Engine) -> None:
    sessions = SessionRepository(engine)
    session_id = new_session(sessions, capacity=5)
    people = list(range(100, 124))
    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(lambda person: sessions.register(session_id, person, NOW), people))
    statuses = [outcome.status for outcome in outcomes if outcome is not None]
    assert statuses.count("registered") == 5
    assert statuses.count("waiting") == len(people) - 5
    positions = sorted(o.position for o in outcomes if o is not None and o.position)
    assert positions == list(range(1, len(people) - 5 + 1))
    session = sessions.get(session_id)
    assert session is not None
    assert (session.registered, session.waiting, session.seats_left) == (5, 19, 0)


def test_registering_twice_keeps_one_place(engine: Engine) -> None:
    sessions = SessionRepository(engine)
    session_id = new_session(sessions, capacity=2)
    first = sessions.register(session_id, 7, NOW)
    again = sessions.register(session_id, 7, NOW + timedelta(minutes=1))
    assert first is not None
    assert again is not None
    assert (first.status, again.status) == ("registered", "registered")
    session = sessions.get(session_id)
    assert session is not None
    assert session.registered == 1


def test_a_cancellation_gives_the_seat_to_the_first_waiting(engine: Engine) -> None:
    sessions = SessionRepository(engine)
    session_id = new_session(sessions, capacity=1)
    for minute, person in enumerate((1, 2, 3)):
        sessions.register(session_id, person, NOW + timedelta(minutes=minute))
    assert sessions.cancel(session_id, 1, NOW) == (True, 2)
    second = sessions.registration(session_id, 2)
    third = sessions.registration(session_id, 3)
    assert second is not None
    assert third is not None
    assert second.status == "registered"
    assert (third.status, third.position) == ("waiting", 1)
    assert sessions.cancel(session_id, 1, NOW) == (False, None)  # pressed twice: nothing more
    assert sessions.cancel(session_id, 3, NOW) == (True, None)  # a waiting place frees no seat


def test_coming_back_after_cancelling_goes_to_the_end_of_the_queue(engine: Engine) -> None:
    sessions = SessionRepository(engine)
    session_id = new_session(sessions, capacity=1)
    sessions.register(session_id, 1, NOW)
    sessions.register(session_id, 2, NOW + timedelta(minutes=1))
    sessions.cancel(session_id, 1, NOW + timedelta(minutes=2))
    back = sessions.register(session_id, 1, NOW + timedelta(minutes=3))
    assert back is not None
    assert (back.status, back.position) == ("waiting", 1)
    assert [r.session.id for r in sessions.of_person(1)] == [session_id]


def test_a_cancelled_session_is_no_longer_upcoming_and_names_its_people(engine: Engine) -> None:
    sessions = SessionRepository(engine)
    session_id = new_session(sessions, capacity=3)
    sessions.register(session_id, 5, NOW)
    assert [s.id for s in sessions.upcoming(NOW)] == [session_id]
    assert sessions.cancel_session(session_id, NOW) == [5]
    assert sessions.upcoming(NOW) == []
    assert sessions.cancel_session(session_id, NOW) is None  # already cancelled
    assert sessions.register(404, 5, NOW) is None
    # A session that has started is not cancelled, nor are its seats changed.
    started = new_session(sessions, capacity=3)
    assert sessions.cancel_session(started, START + timedelta(minutes=1)) is None
    assert sessions.set_capacity(started, 1, START + timedelta(minutes=1)) is None
    assert sessions.set_capacity(session_id, 5, NOW) is None  # cancelled


def test_fewer_seats_send_the_last_seated_back_to_the_front_of_the_line(engine: Engine) -> None:
    sessions = SessionRepository(engine)
    session_id = new_session(sessions, capacity=3)
    for minute, person in enumerate((1, 2, 3, 4)):  # 4 waits
        sessions.register(session_id, person, NOW + timedelta(minutes=minute))
    change = sessions.set_capacity(session_id, 1, NOW + timedelta(hours=1))
    assert (change.moved_to_waiting, change.promoted) == ([2, 3], [])
    line = sessions.registrants(session_id)
    assert [(r.telegram_id, r.status, r.position) for r in line] == [
        (1, "registered", None),
        (2, "waiting", 1),
        (3, "waiting", 2),
        (4, "waiting", 3),
    ]
    change = sessions.set_capacity(session_id, 3, NOW + timedelta(hours=2))
    assert (change.moved_to_waiting, change.promoted) == ([], [2, 3])
    session = sessions.get(session_id)
    assert session is not None
    assert (session.capacity, session.registered, session.waiting) == (3, 3, 1)


def test_attendance_is_kept_per_registration(engine: Engine) -> None:
    sessions = SessionRepository(engine)
    session_id = new_session(sessions, capacity=2)
    seat = sessions.register(session_id, 1, NOW)
    sessions.register(session_id, 2, NOW)
    assert seat is not None
    assert sessions.set_attended(seat.number, True, NOW) == session_id
    assert sessions.set_attended(seat.number, True, NOW) == session_id  # idempotent
    assert [r.attended for r in sessions.registrants(session_id)] == [True, False]
    assert sessions.set_attended(seat.number, False, NOW) == session_id
    assert not any(r.attended for r in sessions.registrants(session_id))
    sessions.cancel(session_id, 1, NOW)
    assert sessions.set_attended(seat.number, True, NOW) is None  # a cancelled place
    assert sessions.set_attended(999_999, True, NOW) is None
