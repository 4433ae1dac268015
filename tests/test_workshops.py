"""Workshops as people and staff use them: the command line, deep links, registering, the
waiting list and cancelling, through the real bot process and the Bot API emulator."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.workshops import SessionError, Workshops, session_id_from_payload
from bot.emulator import BotApiEmulator, ChatMessage
from bot.emulator.launch import bot_environment
from bot.knowledge.workshops import load_catalogue
from bot.storage import SessionRepository, migrate, open_engine
from tests.conftest import BotProcess
from tests.test_bot_end_to_end import start_and_pick

IN_THREE_DAYS = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)


def sessions_command(
    emulator: BotApiEmulator, workdir: Path, database_url: str, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "sessions", *args],
        cwd=workdir,
        env=bot_environment(emulator, database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )


def button(message: ChatMessage, prefix: str) -> int:
    """The number of the first button whose data starts with `prefix` (1-based)."""
    data = [str(b.get("callback_data", "")) for b in message.buttons]
    return next(i for i, value in enumerate(data, start=1) if value.startswith(prefix))


def newest(emulator: BotApiEmulator, person: int) -> ChatMessage:
    return emulator.bot_messages(person)[-1]


def has_button(message: ChatMessage, prefix: str) -> bool:
    return any(str(b.get("callback_data", "")).startswith(prefix) for b in message.buttons)


def press_when_shown(emulator: BotApiEmulator, person: int, prefix: str) -> None:
    """Wait for the person's newest message to offer a button, and press it."""
    emulator.wait_until(lambda: has_button(newest(emulator, person), prefix))
    message = newest(emulator, person)
    emulator.press(person, message.message_id, button(message, prefix))


def register(emulator: BotApiEmulator, person: int) -> None:
    """Press Register on the session page shown, and accept the privacy notice that comes
    before a first registration."""
    press_when_shown(emulator, person, "ws:reg:")
    press_when_shown(emulator, person, "cs:yes:")


def documents(emulator: BotApiEmulator, person: int) -> list[ChatMessage]:
    return [m for m in emulator.bot_messages(person) if m.document is not None]


def test_two_seats_three_people_and_a_cancellation(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    bot = BotProcess(emulator, tmp_path, database_url)
    try:
        emulator.wait_for_polling(timeout=30)
        added = sessions_command(
            emulator, tmp_path, database_url,
            "add", "--workshop", "logement", "--start", IN_THREE_DAYS.isoformat(),
            "--capacity", "2", "--place", "cesam",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        first_line, link = added.stdout.split()[0:2], added.stdout.splitlines()[1]
        assert first_line[0] == "session"
        assert link == f"https://t.me/{emulator.username}?start=s{first_line[1]}"
        payload = link.split("start=")[1]

        # Amina has chosen English already: the deep link opens the session at once.
        amina, karim, olena = 9101, 9102, 9103
        start_and_pick(emulator, amina, "English", hint="en")
        emulator.send_message(amina, f"/start {payload}")
        register(emulator, amina)
        emulator.wait_until(lambda: len(documents(emulator, amina)) == 1)

        # Karim and Olena come by the link first: their language, then the session.
        for person, language in ((karim, "Français"), (olena, "Українська")):
            emulator.send_message(person, f"/start {payload}")
            emulator.wait_for_bot_messages(person, 1)
            picker = emulator.bot_messages(person)[0]
            labels = [b["text"] for b in picker.buttons]
            assert all(str(b["callback_data"]).endswith(f":{payload}") for b in picker.buttons)
            emulator.press(person, picker.message_id, labels.index(language) + 1)
            emulator.wait_for_bot_messages(person, 3)  # the choice, the greeting, the session
            page = emulator.bot_messages(person)[2]
            emulator.press(person, page.message_id, button(page, "ws:reg:"))
            press_when_shown(emulator, person, "cs:yes:")
        emulator.wait_until(lambda: len(documents(emulator, karim)) == 1)
        emulator.wait_until(
            lambda: "1" in newest(emulator, olena).text and "⏳" in newest(emulator, olena).text
        )
        assert documents(emulator, olena) == []
        ics = documents(emulator, amina)[0].document
        assert ics is not None
        content = ics["content"].decode()
        assert "BEGIN:VCALENDAR" in content
        assert f"UID:session-{first_line[1]}@ensemble-dijon" in content
        assert "TZID=Europe/Paris" in content

        listed = sessions_command(emulator, tmp_path, database_url, "list", "--json")
        (session,) = json.loads(listed.stdout)
        assert (session["registered"], session["waiting"]) == (2, 1)

        # Amina cancels from /myworkshops; Olena, first in line, gets the seat and is told.
        emulator.send_message(amina, "/myworkshops")
        emulator.wait_until(lambda: "My workshops" in newest(emulator, amina).text)
        mine = newest(emulator, amina)
        emulator.press(amina, mine.message_id, button(mine, "ws:s:"))
        press_when_shown(emulator, amina, "ws:cancel:")
        press_when_shown(emulator, amina, "ws:cancel!:")
        emulator.wait_until(lambda: len(documents(emulator, olena)) == 1, timeout=15)
        told = [m.text for m in emulator.bot_messages(olena) if "🎉" in m.text]
        assert len(told) == 1
        listed = sessions_command(emulator, tmp_path, database_url, "list", "--json")
        (session,) = json.loads(listed.stdout)
        assert (session["registered"], session["waiting"]) == (2, 0)
        assert emulator.unanswered_callbacks() == []
        assert emulator.rejected_calls() == []
    finally:
        bot.stop()


FUTURE = "2030-01-01T10:00"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--workshop", "cuisine", "--start", FUTURE, "--capacity", "5"], "unknown workshop"),
        (["--workshop", "logement", "--start", "2020-01-01T10:00", "--capacity", "5"], "past"),
        (["--workshop", "logement", "--start", FUTURE, "--capacity", "0"], "at least 1"),
        (["--workshop", "logement", "--start", "tuesday", "--capacity", "5"], "not an ISO 8601"),
        (
            ["--workshop", "logement", "--start", FUTURE, "--capacity", "5", "--place", "lune"],
            "unknown place",
        ),
    ],
)
def test_bad_input_gets_one_clear_line_and_exit_2(
    emulator: BotApiEmulator, tmp_path: Path, args: list[str], expected: str
) -> None:
    result = sessions_command(emulator, tmp_path, f"sqlite:///{tmp_path / 'x.db'}", "add", *args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert expected in result.stderr


def test_a_date_without_offset_is_read_in_the_bot_time_zone(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    added = sessions_command(
        emulator, tmp_path, url, "add", "--workshop", "logement", "--start", "2030-07-01T14:00",
        "--capacity", "3",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines()[1] == "?start=s1"  # the bot never ran: no username yet
    (session,) = json.loads(sessions_command(emulator, tmp_path, url, "list", "--json").stdout)
    assert session["starts_at"] == "2030-07-01T12:00:00+00:00"  # 14:00 in Paris, summer time
    assert session["ends_at"] == "2030-07-01T14:00:00+00:00"  # the workshop's usual 2 hours
    cancelled = sessions_command(emulator, tmp_path, url, "cancel", "1")
    assert cancelled.returncode == 0
    assert "cancelled" in cancelled.stdout
    assert sessions_command(emulator, tmp_path, url, "cancel", "9").returncode == 2


def test_past_and_cancelled_sessions_cannot_be_joined(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    workshops = Workshops(SessionRepository(engine), load_catalogue())
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    offer = workshops.add_session("logement", now + timedelta(hours=1), None, 5, None, now)
    later = now + timedelta(hours=2)
    assert workshops.register(offer.session.id, 1, later).kind == "closed"
    workshops.cancel_session(offer.session.id, now)
    assert workshops.register(offer.session.id, 1, now).kind == "closed"
    with pytest.raises(SessionError, match="the end must come after the start"):
        workshops.add_session(
            "logement", now + timedelta(days=1), now + timedelta(hours=1), 5, None, now
        )
    engine.dispose()


@pytest.mark.parametrize(
    ("payload", "expected"), [("s12", 12), ("s", None), ("x12", None), ("s1e3", None), ("", None)]
)
def test_deep_link_payloads(payload: str, expected: int | None) -> None:
    assert session_id_from_payload(payload) == expected


def test_forgetting_gives_the_seat_to_the_next_person(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    bot = BotProcess(emulator, tmp_path, database_url)
    try:
        emulator.wait_for_polling(timeout=30)
        added = sessions_command(
            emulator, tmp_path, database_url,
            "add", "--workshop", "sortie", "--start", IN_THREE_DAYS.isoformat(), "--capacity", "1",
        )  # fmt: skip
        payload = added.stdout.splitlines()[1].split("start=")[1]
        leaving, next_in_line = 9201, 9202
        for person in (leaving, next_in_line):
            start_and_pick(emulator, person, "English", hint="en")
            emulator.send_message(person, f"/start {payload}")
            register(emulator, person)
        emulator.wait_until(lambda: newest(emulator, next_in_line).text.startswith("⏳"))
        emulator.send_message(leaving, "/start")
        emulator.wait_until(lambda: has_button(newest(emulator, leaving), "lang:"))
        emulator.send_message(leaving, "/menu")
        press_when_shown(emulator, leaving, "data:show")
        press_when_shown(emulator, leaving, "data:forget")
        press_when_shown(emulator, leaving, "data:forget:yes")
        emulator.wait_until(lambda: len(documents(emulator, next_in_line)) == 1, timeout=15)
    finally:
        bot.stop()


def test_people_of_a_session_cancelled_from_the_command_line_are_told_once(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = open_engine(database_url)
    migrate(engine)
    now = datetime.now(UTC)
    sessions = SessionRepository(engine)
    added = sessions.add("racine", now + timedelta(days=2), now + timedelta(days=2, hours=2), 4,
                         None, now)  # fmt: skip
    people = (9501, 9502)
    for person in people:
        emulator.introduce(person)
        sessions.register(added.id, person, now)
    engine.dispose()
    cancelled = sessions_command(emulator, tmp_path, database_url, "cancel", str(added.id))
    assert "2 people were registered or waiting" in cancelled.stdout
    for _ in range(2):  # told at start; a second start tells no one again
        bot = BotProcess(emulator, tmp_path, database_url)
        try:
            emulator.wait_until(lambda: all(emulator.bot_messages(p) for p in people), timeout=30)
            count = len(emulator.bot_messages(people[0]))
            emulator.send_message(people[0], "/help")  # the start's planning is over by then
            emulator.wait_for_bot_messages(people[0], count + 1)
        finally:
            bot.stop()
    for person in people:
        notices = [m for m in emulator.bot_messages(person) if m.text.startswith("❌")]
        assert len(notices) == 1


def test_a_second_press_on_register_keeps_the_place_and_sends_nothing_again(
    tmp_path: Path,
) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    workshops = Workshops(SessionRepository(engine), load_catalogue())
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    offer = workshops.add_session("logement", now + timedelta(days=1), None, 1, None, now)
    assert workshops.register(offer.session.id, 1, now).kind == "registered"
    assert workshops.register(offer.session.id, 1, now).kind == "already"
    assert workshops.register(offer.session.id, 2, now).kind == "waiting"
    assert workshops.register(offer.session.id, 2, now).kind == "already"
    engine.dispose()


def test_a_seat_given_back_after_the_start_goes_to_no_one(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    workshops = Workshops(SessionRepository(engine), load_catalogue())
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    offer = workshops.add_session("logement", now + timedelta(hours=1), None, 1, None, now)
    workshops.register(offer.session.id, 1, now)
    workshops.register(offer.session.id, 2, now)
    late = workshops.cancel(offer.session.id, 1, now + timedelta(hours=2))  # an old reminder
    assert (late.kind, late.promoted) == ("cancelled", None)
    engine.dispose()


def test_the_command_line_refuses_a_time_that_a_clock_change_makes_unclear(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    for moment in ("2030-03-31T02:30", "2030-10-27T02:30"):  # skipped, then twice, in Paris
        result = sessions_command(
            emulator, tmp_path, url, "add", "--workshop", "logement", "--start", moment,
            "--capacity", "3",
        )  # fmt: skip
        assert result.returncode == 2
        assert "clock change" in result.stderr
    added = sessions_command(
        emulator, tmp_path, url, "add", "--workshop", "logement", "--start",
        "2030-10-27T02:30+01:00", "--capacity", "3",
    )  # fmt: skip
    assert added.returncode == 0
    sessions_command(emulator, tmp_path, url, "cancel", "1")
    again = sessions_command(emulator, tmp_path, url, "cancel", "1")
    assert again.returncode == 2
    assert "already cancelled" in again.stderr
