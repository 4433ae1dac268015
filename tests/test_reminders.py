"""Reminders: derived from the database, neither lost nor repeated across restarts."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.reminders import due_reminders
from bot.emulator import BotApiEmulator
from bot.emulator.launch import bot_environment
from bot.storage import (
    ReminderRepository,
    Session,
    SessionRepository,
    UserRepository,
    migrate,
    open_engine,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
OFFSETS = (timedelta(hours=24), timedelta(hours=2))


def session(starts_in: timedelta, cancelled: bool = False) -> Session:
    start = NOW + starts_in
    return Session(1, "logement", start, start + timedelta(hours=2), 5, None,
                   NOW if cancelled else None, 1, 0)  # fmt: skip


def test_each_offset_is_due_at_its_moment() -> None:
    due = due_reminders([session(timedelta(days=3))], OFFSETS, NOW)
    assert [(d.offset, d.at) for d in due] == [
        (timedelta(hours=24), NOW + timedelta(days=2)),
        (timedelta(hours=2), NOW + timedelta(days=3) - timedelta(hours=2)),
    ]
    assert due[0].name == "reminder:1:86400"


def test_missed_moments_give_one_reminder_now_if_the_session_has_not_started() -> None:
    due = due_reminders([session(timedelta(hours=1))], OFFSETS, NOW)
    assert [(d.offset, d.at) for d in due] == [(timedelta(hours=2), NOW)]
    assert due_reminders([session(-timedelta(minutes=5))], OFFSETS, NOW) == []
    assert due_reminders([session(timedelta(days=3), cancelled=True)], OFFSETS, NOW) == []


def spawn(emulator: BotApiEmulator, workdir: Path, database_url: str) -> subprocess.Popen[str]:
    env = bot_environment(emulator, database_url)
    env["REMINDER_OFFSETS"] = "6s"
    return subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=workdir, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    output, _ = process.communicate(timeout=30)
    return output


def reminders_of(emulator: BotApiEmulator, person: int) -> list[str]:
    return [m.text for m in emulator.bot_messages(person) if m.text.startswith("⏰")]


def test_restarted_before_and_after_the_moment_each_person_gets_one_reminder(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = open_engine(database_url)
    migrate(engine)
    now = datetime.now(UTC)
    sessions, users = SessionRepository(engine), UserRepository(engine)
    added = sessions.add("logement", now + timedelta(seconds=16), now + timedelta(hours=1), 5,
                         "cesam", now)  # fmt: skip
    amina, karim, gone = 9301, 9302, 9303
    for person in (amina, karim, gone):
        users.seen(person, now)
        users.set_language(person, "en", now)
        sessions.register(added.id, person, now)
    sessions.cancel(added.id, gone, now)
    engine.dispose()

    first = spawn(emulator, tmp_path, database_url)  # stopped before the reminder is due
    emulator.wait_for_polling(timeout=30)
    for person in (amina, karim, gone):  # they have talked to the bot, as registrants have
        emulator.send_message(person, "/start")
        emulator.wait_for_bot_messages(person, 1)
    output = stop(first)
    assert reminders_of(emulator, amina) == [], output

    second = spawn(emulator, tmp_path, database_url)  # sends it at its moment
    try:
        emulator.wait_until(
            lambda: (
                len(reminders_of(emulator, amina)) == 1 and len(reminders_of(emulator, karim)) == 1
            ),
            timeout=30,
        )
    except TimeoutError:
        raise AssertionError(stop(second)) from None
    stop(second)

    third = spawn(emulator, tmp_path, database_url)  # after the moment: must not send again
    try:
        for _ in range(2):  # the planning at start has run when these are answered
            count = len(emulator.bot_messages(amina))
            emulator.send_message(amina, "/help")
            emulator.wait_for_bot_messages(amina, count + 1)
    finally:
        stop(third)
    assert len(reminders_of(emulator, amina)) == 1
    assert len(reminders_of(emulator, karim)) == 1
    assert reminders_of(emulator, gone) == []
    message = next(m for m in emulator.bot_messages(karim) if m.text.startswith("⏰"))
    assert any(str(b.get("callback_data")).startswith("ws:cancel:") for b in message.buttons)


def test_a_person_who_blocked_the_bot_is_marked_inactive_without_retries(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = open_engine(database_url)
    migrate(engine)
    now = datetime.now(UTC)
    sessions, users = SessionRepository(engine), UserRepository(engine)
    added = sessions.add(
        "logement", now + timedelta(seconds=12), now + timedelta(hours=1), 5, None, now
    )
    person = 9401
    users.seen(person, now)
    users.set_language(person, "fr", now)
    sessions.register(added.id, person, now)
    bot = spawn(emulator, tmp_path, database_url)
    try:
        emulator.wait_for_polling(timeout=30)
        emulator.send_message(person, "bonjour")  # they talked to the bot once...
        emulator.wait_for_bot_messages(person, 1, timeout=30)
        # ... then blocked it: the reminder (due in a few seconds) is refused.
        emulator.fail_next("sendMessage", code=403, description="Forbidden: bot was blocked")
        emulator.wait_until(
            lambda: any(not call.ok for call in emulator.calls("sendMessage")), timeout=30
        )
        # The bot records it right after Telegram's refusal (no emulator event to wait on).
        deadline = time.monotonic() + 10
        while not ((known := users.get(person)) and known.blocked) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        output = stop(bot)
    known = users.get(person)
    assert known is not None
    assert known.blocked, output
    attempts = [c for c in emulator.calls("sendMessage") if c.params.get("chat_id") == person]
    assert len(attempts) == 2  # the answer to « bonjour », one refused reminder: no retries
    engine.dispose()


def test_someone_registered_after_a_reminder_moment_does_not_get_that_reminder(
    tmp_path: Path,
) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    sessions = SessionRepository(engine)
    start = NOW + timedelta(hours=10)
    added = sessions.add("logement", start, start + timedelta(hours=2), 5, None, NOW)
    sessions.register(added.id, 1, NOW - timedelta(days=2))  # before « 24 hours before »
    sessions.register(added.id, 2, NOW)  # ten hours before: after that moment
    reminders = ReminderRepository(engine)
    assert reminders.to_remind(added.id, 86400, start - timedelta(hours=24)) == [1]
    assert reminders.to_remind(added.id, 7200, start - timedelta(hours=2)) == [1, 2]
    engine.dispose()
