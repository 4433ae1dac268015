"""A person's data and rights, through the real bot process and the Bot API emulator:
consent before a first registration (never for browsing), the optional profile offered
once, « my data » showing everything kept, and forgetting that leaves a stranger."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.emulator import BotApiEmulator
from tests.conftest import BotProcess
from tests.test_bot_end_to_end import start_and_pick
from tests.test_workshops import (
    button,
    documents,
    has_button,
    newest,
    press_when_shown,
    sessions_command,
)

AMINA = 8501


def rows(database: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchall()


def add_session(emulator: BotApiEmulator, workdir: Path, url: str, days: int) -> str:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()
    added = sessions_command(
        emulator, workdir, url, "add", "--workshop", "logement", "--start", start,
        "--capacity", "5",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    return added.stdout.split()[1]


def test_consent_profile_my_data_and_forgetting(emulator: BotApiEmulator, tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    url = f"sqlite:///{database}"
    bot = BotProcess(emulator, tmp_path, url)
    try:
        emulator.wait_for_polling(timeout=30)
        first, second = (
            add_session(emulator, tmp_path, url, 3),
            add_session(emulator, tmp_path, url, 5),
        )

        # Browsing needs no consent; Register shows the notice first, and « not now » stores
        # nothing more.
        start_and_pick(emulator, AMINA, "English", hint="en")
        emulator.send_message(AMINA, "how do I apply for social housing")
        emulator.wait_until(lambda: "social housing" in newest(emulator, AMINA).text.lower())
        emulator.send_message(AMINA, f"/start s{first}")
        press_when_shown(emulator, AMINA, "ws:reg:")
        emulator.wait_until(lambda: has_button(newest(emulator, AMINA), "cs:yes:"))
        notice = newest(emulator, AMINA)
        assert "/mydata" in notice.text
        assert "2 years" in notice.text  # DATA_RETENTION, in the reader's words
        emulator.press(AMINA, notice.message_id, button(notice, "cs:no:"))
        emulator.wait_until(lambda: not has_button(newest(emulator, AMINA), "cs:yes:"))
        assert rows(database, "SELECT * FROM consents") == []
        assert rows(database, "SELECT * FROM registrations") == []
        # An older notice's « I agree » (or a forged one) records nothing: the current notice
        # comes back, to be read first.
        calls = len(emulator.calls("editMessageText"))
        emulator.press_data(AMINA, notice.message_id, f"cs:yes:2020-01:{first}")
        emulator.wait_until(lambda: len(emulator.calls("editMessageText")) > calls)
        assert has_button(newest(emulator, AMINA), "cs:yes:2026-11:")
        assert rows(database, "SELECT * FROM consents") == []

        # Register again: the full notice, then accept → registered, and the profile offered.
        emulator.send_message(AMINA, f"/start s{first}")
        press_when_shown(emulator, AMINA, "ws:reg:")
        press_when_shown(emulator, AMINA, "cs:more:")
        emulator.wait_until(lambda: "cnil.fr" in newest(emulator, AMINA).text)
        press_when_shown(emulator, AMINA, "cs:yes:")
        emulator.wait_until(lambda: len(documents(emulator, AMINA)) == 1)
        ((version,),) = rows(database, "SELECT notice_version FROM consents")
        assert version == "2026-11"
        press_when_shown(emulator, AMINA, "pr:start")
        for answer in ("pr:a:status:refugee:n", "pr:a:gender:woman:n",
                       "pr:a:age_band:prefer_not:n", "pr:a:household:3:n"):  # fmt: skip
            press_when_shown(emulator, AMINA, answer)
        emulator.wait_until(lambda: "/profile" in newest(emulator, AMINA).text)
        ((status, gender, age, household),) = rows(
            database, "SELECT status, gender, age_band, household FROM profiles"
        )
        assert (status, gender, age, household) == ("refugee", "woman", "prefer_not", "3")

        # A second registration: no notice (already accepted), no second profile offer.
        emulator.send_message(AMINA, f"/start s{second}")
        press_when_shown(emulator, AMINA, "ws:reg:")
        emulator.wait_until(lambda: len(documents(emulator, AMINA)) == 2)
        offers = [c for c in emulator.calls("sendMessage") if "pr:start" in str(c.params)]
        assert len(offers) == 1

        # « My data »: everything kept, in her language.
        emulator.send_message(AMINA, "/mydata")
        emulator.wait_until(lambda: "Telegram" in newest(emulator, AMINA).text)
        shown = newest(emulator, AMINA).text
        assert str(AMINA) in shown
        assert shown.count("No. ") >= 2 or shown.count("N°") >= 2  # both registrations

        # Forgetting: her seats given up, everything deleted; she is a stranger again.
        emulator.send_message(AMINA, "/forget")
        press_when_shown(emulator, AMINA, "data:forget:yes")
        emulator.wait_until(lambda: "/start" in newest(emulator, AMINA).text)
        for table in ("users", "consents", "profiles", "registrations"):
            assert rows(database, f"SELECT * FROM {table} WHERE telegram_id = {AMINA}") == []  # noqa: S608
        emulator.send_message(AMINA, "hello")
        count = len(emulator.bot_messages(AMINA))
        emulator.send_message(AMINA, "/help")
        emulator.wait_for_bot_messages(AMINA, count + 1)
        assert rows(database, f"SELECT * FROM users WHERE telegram_id = {AMINA}") == []  # noqa: S608
        assert emulator.rejected_calls() == []
        assert emulator.unanswered_callbacks() == []
    finally:
        bot.stop()
