"""The bot survives the way deployments die and traffic arrives: hard kills, outages, bursts,
attachments, old messages, unusable databases. Driven as a process, over HTTP."""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import IntegrityError
from telegram.error import TimedOut
from telegram.ext import ApplicationHandlerStop

from bot.app import on_error
from bot.emulator import BotApiEmulator
from bot.emulator.launch import bot_environment
from bot.storage import UserRepository, migrate, open_engine
from tests.conftest import TOKEN, BotProcess
from tests.test_bot_end_to_end import BASE, CATALOGS, MENU_BUTTONS, plain, start_and_pick

_user_ids = itertools.count(7000)


def started(emulator: BotApiEmulator, workdir: Path) -> BotProcess:
    bot = BotProcess(emulator, workdir, f"sqlite:///{workdir / 'bot.db'}")
    try:
        emulator.wait_for_polling(timeout=30)
    except TimeoutError:
        pytest.fail("the bot never polled:\n" + bot.stop())
    return bot


def test_a_hard_kill_in_a_burst_loses_no_message(emulator: BotApiEmulator, tmp_path: Path) -> None:
    bot = started(emulator, tmp_path)
    people = [next(_user_ids) for _ in range(40)]
    rounds = 5
    for round_number in range(rounds):
        for person in people:
            emulator.send_message(person, f"question {round_number} logement")
    answered = lambda: sum(len(emulator.bot_messages(p)) for p in people)  # noqa: E731
    # Telegram has been told every update arrived, and answers are going out.
    emulator.wait_until(lambda: emulator.unconfirmed() == 0, timeout=30)
    emulator.wait_until(lambda: answered() >= 10, timeout=30)
    assert answered() < len(people) * rounds  # the kill comes in the middle of the burst
    bot.process.kill()  # as an out-of-memory kill or a PaaS restart does: no clean stop
    bot.process.communicate(timeout=30)

    restarted = BotProcess(emulator, tmp_path, bot.database_url)
    try:
        emulator.wait_until(
            lambda: all(len(emulator.bot_messages(p)) >= rounds for p in people), timeout=60
        )
    finally:
        output = restarted.stop()
    assert "updates received before the last stop" in output
    assert "Traceback" not in output
    # A crash may repeat the answer to what was being handled, a few at most.
    assert answered() <= len(people) * rounds + 64


def test_an_unreachable_bot_api_at_start_is_waited_for(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    for _ in range(2):
        emulator.fail_next("getMe", code=502)
    bot = started(emulator, tmp_path)
    person = next(_user_ids)
    start_and_pick(emulator, person, "English", hint="en")
    output = bot.stop()
    warnings = [line for line in output.splitlines() if "Bot API cannot be reached" in line]
    assert len(warnings) == 2
    assert "attempt 2" in warnings[1]
    assert "Traceback" not in output
    assert TOKEN.split(":")[1] not in output


def test_an_outage_while_polling_is_one_warning_not_a_traceback_per_attempt(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    bot = started(emulator, tmp_path)
    for _ in range(3):
        emulator.fail_next("getUpdates", code=502)
    failed = lambda: [c for c in emulator.rejected_calls() if c.method == "getUpdates"]  # noqa: E731
    emulator.wait_until(lambda: len(failed()) == 3, timeout=30)
    person = next(_user_ids)
    emulator.send_message(person, "/help")
    emulator.wait_for_bot_messages(person, 1, timeout=30)
    output = bot.stop()
    assert output.count("Bot API cannot be reached") == 1
    assert output.count("Bot API answers again") == 1
    assert "error while handling an update" not in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    "kind",
    ["photo", "voice", "sticker", "location", "contact", "document", "audio", "video_note"],
)
def test_whatever_a_person_sends_gets_a_kind_reply_in_their_language(
    live_bot: tuple[BotApiEmulator, BotProcess], kind: str
) -> None:
    emulator, _ = live_bot
    person = next(_user_ids)
    start_and_pick(emulator, person, "العربية", hint="ar")
    emulator.send_media(person, kind)
    emulator.wait_for_bot_messages(person, 3)
    reply = emulator.bot_messages(person)[2]
    t = CATALOGS.translator("ar")
    spoken = kind in ("voice", "audio", "video_note")
    from bot.views import menu as menu_views

    assert reply.text == plain(menu_views.not_text(t, BASE, spoken=spoken).text)
    assert len(reply.buttons) == MENU_BUTTONS


def test_a_press_on_a_message_that_can_no_longer_be_edited_sends_the_screen_anew(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = live_bot
    person = next(_user_ids)
    greeting = start_and_pick(emulator, person, "English", hint="en")
    emulator.fail_next(
        "editMessageText", code=400, description="Bad Request: message can't be edited"
    )
    emulator.press(person, greeting.message_id, 2)  # Housing
    emulator.wait_for_bot_messages(person, 3)
    page = emulator.bot_messages(person)[2]
    assert page.text.startswith("🏠 Housing")
    assert "problem" not in page.text
    assert emulator.unanswered_callbacks() == []


async def test_a_slow_answer_from_telegram_brings_no_apology() -> None:
    sent: list[object] = []
    context = SimpleNamespace(error=TimedOut(), bot=SimpleNamespace(send_message=sent.append))
    update = SimpleNamespace(effective_chat=SimpleNamespace(id=1), callback_query=None)
    with pytest.raises(ApplicationHandlerStop):
        await on_error(update, context)  # type: ignore[arg-type]
    assert sent == []


INSERT_PERSON = "INSERT INTO users (telegram_id, language, first_seen, last_seen) VALUES"


def test_database_errors_never_print_peoples_ids(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"{INSERT_PERSON} (987654321, NULL, '2026-01-01', '2026-01-01')")
    with pytest.raises(IntegrityError) as caught, engine.begin() as connection:
        connection.exec_driver_sql(
            f"{INSERT_PERSON} (?, NULL, '2026-01-01', '2026-01-01')",
            (987654321,),
        )
    assert "987654321" not in str(caught.value)
    assert UserRepository(engine).get(987654321) is not None
    engine.dispose()


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("notaurl", "DATABASE_URL is not a database URL"),
        ("sqlite:////nonexistent-folder/x.db", "folder is missing or not writable"),
    ],
)
@pytest.mark.parametrize(
    "command", [["-m", "bot"], ["-m", "bot", "migrate"], ["-m", "sync", "status"]]
)
def test_an_unusable_database_at_start_is_one_line_and_exit_2(
    emulator: BotApiEmulator, tmp_path: Path, database_url: str, expected: str, command: list[str]
) -> None:
    result = subprocess.run(
        [sys.executable, *command],
        cwd=tmp_path,
        env=bot_environment(emulator, database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert emulator.calls() == []  # refused before any request


def test_a_database_from_a_newer_version_is_refused_by_every_command(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database = tmp_path / "bot.db"
    engine = open_engine(f"sqlite:///{database}")
    migrate(engine)
    engine.dispose()
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    for command in (["-m", "bot"], ["-m", "sync", "status"]):
        result = subprocess.run(
            [sys.executable, *command],
            cwd=tmp_path,
            env=bot_environment(emulator, f"sqlite:///{database}"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert "newer version of this code" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_press_answered_too_late_for_telegram_is_still_acted_upon(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = live_bot
    person = next(_user_ids)
    greeting = start_and_pick(emulator, person, "English", hint="en")
    emulator.fail_next(
        "answerCallbackQuery",
        code=400,
        description="Bad Request: query is too old and response timeout expired",
    )
    emulator.press(person, greeting.message_id, 2)  # Housing
    emulator.wait_until(lambda: emulator.bot_messages(person)[1].text.startswith("🏠 Housing"))
    assert all("problem" not in m.text for m in emulator.bot_messages(person))
